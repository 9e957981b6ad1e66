/**
 * Secrets on disk (the API token; the checks also cover the MQTT password and the TLS key): written
 * 0600 through a temp file and a rename, never through a symlink, and refused when people other than
 * root and the agent's own group can read them.
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
  writeSync,
} from "node:fs";
import { unlinkSync } from "node:fs";
import { dirname, join } from "node:path";

/** The group the packaged agent runs as (sysusers.d/station-agent.conf). */
export const AGENT_GROUP = "station-agent";

export class SecretModeError extends Error {
  constructor(
    readonly file: string,
    readonly what: string,
    readonly mode: number,
  ) {
    super(
      `${what} ${file} can be read by other users (mode ${(mode & 0o777).toString(8).padStart(4, "0")}); run: chmod 0600 ${file}`,
    );
    this.name = "SecretModeError";
  }
}

/** The gid of a group name from /etc/group (no NSS lookups: a station's groups are local). */
export function groupId(name: string, groupFile = "/etc/group"): number | undefined {
  let text: string;
  try {
    text = readFileSync(groupFile, "utf8");
  } catch {
    return undefined;
  }
  for (const line of text.split("\n")) {
    const [group, , gid] = line.split(":");
    if (group === name && gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
  }
  return undefined;
}

/**
 * Why a secret file's mode is unsafe, or undefined when it is fine: others must not read it, and its
 * group may read it only when that group is root's, the agent's own, or the checking process's.
 */
export function secretModeProblem(
  mode: number,
  gid: number,
  trustedGids: readonly number[],
): string | undefined {
  if ((mode & 0o044) === 0) return undefined;
  if ((mode & 0o004) !== 0) return "readable by every user";
  if (trustedGids.includes(gid)) return undefined;
  return `readable by group ${gid}`;
}

export function trustedGroups(): number[] {
  const own = groupId(AGENT_GROUP);
  return [0, process.getgid?.() ?? 0, ...(own !== undefined ? [own] : [])];
}

/** Throws SecretModeError when the file's mode lets others read it. */
export function checkSecretMode(file: string, what: string): void {
  const st = statSync(file);
  if (secretModeProblem(st.mode, st.gid, trustedGroups()) !== undefined) {
    throw new SecretModeError(file, what, st.mode);
  }
}

/** The file's text, or undefined when it does not exist; throws SecretModeError for a loose mode. */
export function readSecretFile(file: string, what: string): string | undefined {
  try {
    checkSecretMode(file, what);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  return readFileSync(file, "utf8");
}

/**
 * Write a secret as 0600 whatever the umask or an existing file's mode: a new temp file opened with
 * O_EXCL|O_NOFOLLOW (a planted symlink fails the open), chmod after writing, fsync, then rename over.
 */
export function writeSecretFile(file: string, data: string | Buffer, mode = 0o600): void {
  writePrivateFile(file, data, mode);
}

export function writePrivateFile(file: string, data: string | Buffer, mode = 0o600): void {
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
  } catch (e) {
    closeSync(fd);
    unlinkSync(tmp);
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, file);
}
