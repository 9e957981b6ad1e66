import { existsSync, mkdirSync, renameSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";

export type Db = Database.Database;

/** SQLite page cache per connection, in KiB. */
export const PAGE_CACHE_KIB = 512;

export interface OpenedDb {
  db: Db;
  /** Set when the previous file was unreadable and was moved aside; the caller reports it. */
  movedAside?: { to: string; error: string };
}

/**
 * Open a SQLite file in WAL mode. A file that is not a database or fails its integrity check is moved
 * aside (with its -wal/-shm) and a fresh one is started: the daemon must never refuse to start over it.
 */
export function openDurableDb(
  path: string,
  synchronous: "FULL" | "NORMAL",
  init: (db: Db) => void,
): OpenedDb {
  mkdirSync(dirname(path), { recursive: true, mode: 0o750 });
  try {
    return { db: openChecked(path, synchronous, init) };
  } catch (e) {
    const to = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, "-")}`;
    for (const suffix of ["", "-wal", "-shm"]) {
      if (existsSync(path + suffix)) renameSync(path + suffix, to + suffix);
    }
    return { db: openChecked(path, synchronous, init), movedAside: { to, error: (e as Error).message } };
  }
}

function openChecked(path: string, synchronous: string, init: (db: Db) => void): Db {
  const db = new Database(path);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma(`synchronous = ${synchronous}`);
    db.pragma("busy_timeout = 2000");
    // better-sqlite3 builds SQLite with a 16 MB page cache per connection. The daemon's reads are
    // sequential (replay) or tiny, and the kernel caches the file anyway; without a cap, the start-up
    // integrity check of a full outbox, or months of history writes, would leave 16 MB of RSS per file.
    db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
    const check = db.pragma("quick_check", { simple: true });
    if (check !== "ok") throw new Error(`integrity check failed: ${String(check)}`);
    init(db);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}
