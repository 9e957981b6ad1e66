/**
 * Secrets the agent writes and reads (the API token; the same rules as config check applies to the
 * MQTT password and the TLS key): written 0600 through a temp file and a rename, never through a
 * symlink, and refused when people other than root and the agent's own group can read them.
 */
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  closeSync,
  constants,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { formatMode, secretModeProblem } from "../config/secret-mode.js";

export { groupId } from "../config/secret-mode.js";

export class SecretModeError extends Error {
  constructor(file: string, what: string, mode: number, problem: string) {
    super(`${what} ${file} is ${problem} (mode ${formatMode(mode)}); run: chmod 0600 ${file}`);
    this.name = "SecretModeError";
  }
}

/** The file's text, or undefined when it does not exist; throws SecretModeError for a loose mode. */
export function readSecretFile(file: string, what: string): string | undefined {
  let st;
  try {
    st = statSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  const problem = secretModeProblem(st.mode, st.gid);
  if (problem) throw new SecretModeError(file, what, st.mode, problem);
  return readFileSync(file, "utf8");
}

/**
 * Write a file only its owner can read, whatever the umask or an existing file's mode or type: a new
 * temp file beside it, opened O_EXCL|O_NOFOLLOW (a planted symlink fails the open), chmod after
 * writing, fsync, then renamed over the target (a symlink there is replaced, not followed).
 */
export function writePrivateFile(file: string, data: string | Uint8Array, mode = 0o600): void {
  const tmp = join(dirname(file), `.${randomBytes(6).toString("hex")}.tmp`);
  const fd = openSync(
    tmp,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    mode,
  );
  try {
    const bytes = typeof data === "string" ? Buffer.from(data) : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    chmodSync(tmp, mode);
    fsyncSync(fd);
    closeSync(fd);
  } catch (e) {
    closeSync(fd);
    unlinkSync(tmp);
    throw e;
  }
  renameSync(tmp, file);
}

export const writeSecretFile = writePrivateFile;
