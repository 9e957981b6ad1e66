/** What doctor asks the PC itself: is the clock synchronised, how much disk is free, does ping work. */
import { execFile } from "node:child_process";
import { constants as fsConstants } from "node:fs";
import { access, statfs, stat } from "node:fs/promises";
import { delimiter, dirname, join } from "node:path";
import { promisify } from "node:util";
import type { Note } from "../i18n/note.js";
import type { Words } from "./doctor.js";

const run = promisify(execFile);

export async function clockSynced(): Promise<{ synced: boolean | null; how: Words }> {
  try {
    const { stdout } = await run("timedatectl", ["show", "-p", "NTPSynchronized", "--value"], {
      timeout: 3000,
    });
    const v = stdout.trim();
    if (v === "yes" || v === "no") return { synced: v === "yes", how: "timedatectl" };
  } catch {
    // No systemd running (containers, minimal images): fall through to the timesyncd flag file.
  }
  try {
    await stat("/run/systemd/timesync/synchronized");
    return { synced: true, how: "systemd-timesyncd" };
  } catch {
    // not there
  }
  try {
    const { stdout } = await run("chronyc", ["-n", "tracking"], { timeout: 3000 });
    return { synced: !/Not synchronised|Reference ID\s*:\s*0+\b/.test(stdout), how: "chronyc" };
  } catch {
    return { synced: null, how: { key: "doctor.clock.noTool" } };
  }
}

export async function freeBytes(dir: string): Promise<{ free: number; at: string }> {
  // The outbox directory may not exist yet on a new station: measure the filesystem it will be on.
  let at = dir;
  for (;;) {
    try {
      const s = await statfs(at);
      return { free: s.bavail * s.bsize, at };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT" || dirname(at) === at) throw e;
      at = dirname(at);
    }
  }
}

export async function checkPing(): Promise<{ ok: boolean; detail: Note; fix?: Note }> {
  const bin = await which("ping");
  if (!bin)
    return { ok: false, detail: { key: "doctor.ping.missing" }, fix: { key: "doctor.ping.missing.fix" } };
  try {
    await run(bin, ["-c", "1", "-W", "1", "127.0.0.1"], { timeout: 5000 });
    return { ok: true, detail: { key: "doctor.ping.works", params: { bin } } };
  } catch (e) {
    const text = `${(e as { stderr?: string }).stderr ?? ""} ${(e as Error).message}`;
    if (/Operation not permitted|permission denied|EPERM/i.test(text))
      return {
        ok: false,
        detail: { key: "doctor.ping.noIcmp", params: { bin } },
        fix: { key: "doctor.ping.noIcmp.fix", params: { bin } },
      };
    return {
      ok: false,
      detail: { key: "doctor.ping.failed", params: { bin, error: text.trim().split("\n")[0] ?? "" } },
      fix: { key: "doctor.ping.failed.fix" },
    };
  }
}

async function which(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? "/usr/bin:/bin:/usr/sbin:/sbin").split(delimiter)) {
    const p = join(dir, name);
    try {
      await access(p, fsConstants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  return undefined;
}
