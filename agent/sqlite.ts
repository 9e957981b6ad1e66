import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";

export type Db = Database.Database;

/** SQLite page cache per connection, in KiB. */
export const PAGE_CACHE_KIB = 512;

export interface MovedAside {
  to: string;
  error: string;
}

export interface OpenedDb {
  db: Db;
  /**
   * Set when a corrupt file was moved aside, in this run or in an earlier one that ended before it was
   * reported; the caller reports it, then calls `reported()` to drop the marker.
   */
  movedAside?: MovedAside;
  reported: () => void; // a function property: callers keep it apart from the object
}

class IntegrityError extends Error {}

/**
 * Only these mean the file itself is bad. Anything else (a full disk, a read-only mount, EIO, a
 * permission problem) says nothing about the data: the file stays where it is and the error goes up,
 * so the agent exits and systemd retries once the cause is fixed.
 */
export function isCorruption(e: unknown): boolean {
  if (e instanceof IntegrityError) return true;
  const code = (e as { code?: unknown }).code;
  return typeof code === "string" && (code.startsWith("SQLITE_CORRUPT") || code === "SQLITE_NOTADB");
}

/**
 * Open a SQLite file in WAL mode. A file that is not a database or fails its integrity check is moved
 * aside (with its -wal/-shm) and a fresh one is started: the daemon must never refuse to start over it.
 * A marker file beside it records the move until the caller has reported it (`storage.corrupt`), so a
 * crash in between does not lose the report.
 */
export function openDurableDb(
  path: string,
  synchronous: "FULL" | "NORMAL",
  init: (db: Db) => void,
): OpenedDb {
  mkdirSync(dirname(path), { recursive: true, mode: 0o750 });
  const marker = `${path}.moved-aside`;
  const reported = () => {
    if (existsSync(marker)) unlinkSync(marker);
  };
  let movedAside = readMarker(marker);
  let db: Db;
  try {
    db = openChecked(path, synchronous, init);
  } catch (e) {
    if (!isCorruption(e)) throw e;
    const to = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, "-")}`;
    movedAside = { to, error: (e as Error).message };
    writeMarker(marker, movedAside);
    for (const suffix of ["", "-wal", "-shm"]) {
      if (existsSync(path + suffix)) renameSync(path + suffix, to + suffix);
    }
    db = openChecked(path, synchronous, init);
  }
  return { db, reported, ...(movedAside ? { movedAside } : {}) };
}

function readMarker(marker: string): MovedAside | undefined {
  try {
    const m = JSON.parse(readFileSync(marker, "utf8")) as Partial<MovedAside>;
    if (typeof m.to === "string" && typeof m.error === "string") return { to: m.to, error: m.error };
  } catch {
    // No marker (the usual case), or one cut short by a power failure: nothing to report from it.
  }
  return undefined;
}

function writeMarker(marker: string, m: MovedAside): void {
  const fd = openSync(marker, "w", 0o640);
  try {
    writeSync(fd, JSON.stringify(m));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
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
    if (check !== "ok") throw new IntegrityError(`integrity check failed: ${String(check)}`);
    init(db);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}
