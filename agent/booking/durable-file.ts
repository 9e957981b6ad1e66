/**
 * Whole-file writes that are either fully there or not there at all: a temp file in the same directory,
 * fsync, rename, fsync of the directory. A full disk or a kill -9 leaves at most a `.tmp-*` file, which
 * `sweepTemp` removes on the next start; no reader ever sees half a file under the real name.
 */
import { randomBytes } from "node:crypto";
import {
  closeSync,
  fsyncSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";

export const TEMP_PREFIX = ".tmp-";

/** ENOSPC / EDQUOT: the one storage failure station staff can act on (free space), so it gets its own type. */
export class DiskFullError extends Error {
  readonly code = "disk-full";
  constructor(path: string) {
    super(`the disk holding ${dirname(path)} is full; free some space and try again`);
    this.name = "DiskFullError";
  }
}

export function writeFileDurably(path: string, data: Uint8Array, mode = 0o600): void {
  const tmp = join(dirname(path), `${TEMP_PREFIX}${basename(path)}.${randomBytes(4).toString("hex")}`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, "wx", mode);
    let off = 0;
    while (off < data.length) off += writeSync(fd, data, off, data.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
    syncDir(dirname(path));
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw translate(e, path);
  }
}

export function removeDurably(path: string): void {
  try {
    unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    return;
  }
  syncDir(dirname(path));
}

export function syncDir(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Leftovers of writes a crash or a full disk interrupted. */
export function sweepTemp(dir: string): number {
  let removed = 0;
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(TEMP_PREFIX)) continue;
    rmSync(join(dir, name), { force: true });
    removed++;
  }
  return removed;
}

export function isDiskFull(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENOSPC" || code === "EDQUOT";
}

function translate(e: unknown, path: string): Error {
  return isDiskFull(e) ? new DiskFullError(path) : (e as Error);
}
