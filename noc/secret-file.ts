/**
 * The NOC's secrets (the command-signing private key, the admin token, the MQTT password): written
 * 0600 through a temp file and a rename, and refused at start when another user or a foreign group can
 * read them. The rule matches the agent's (config/secret-mode.ts): root's group, the NOC's own group
 * and the reading process's group may read; nobody else.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, closeSync, constants, fsyncSync, openSync, readFileSync, renameSync } from "node:fs";
import { statSync, unlinkSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";

const NOC_GROUP = "station-noc";

function groupId(name: string): number | undefined {
  try {
    for (const line of readFileSync("/etc/group", "utf8").split("\n")) {
      const [group, , gid] = line.split(":");
      if (group === name && gid && /^\d+$/.test(gid)) return Number(gid);
    }
  } catch {
    // no /etc/group
  }
  return undefined;
}

/** Reads a secret file; throws when its mode lets others read it. */
export function readSecret(path: string, what: string): string {
  const st = statSync(path);
  const trusted = [0, process.getgid?.() ?? 0, groupId(NOC_GROUP) ?? 0];
  const loose = (st.mode & 0o004) !== 0 || ((st.mode & 0o040) !== 0 && !trusted.includes(st.gid));
  if (loose) {
    const mode = (st.mode & 0o777).toString(8).padStart(4, "0");
    throw new Error(`${what} ${path} can be read by other users (mode ${mode}); run: chmod 0600 ${path}`);
  }
  return readFileSync(path, "utf8");
}

/** Writes a file with `mode` whatever the umask or an existing file: O_EXCL|O_NOFOLLOW temp, chmod, rename. */
export function writeSecret(path: string, data: string, mode = 0o600): void {
  const tmp = join(dirname(path), `.${randomBytes(6).toString("hex")}.tmp`);
  const fd = openSync(
    tmp,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    mode,
  );
  try {
    const bytes = Buffer.from(data);
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
  renameSync(tmp, path);
}
