/** A linked pair of ptys made by socat: the host side opens one path, the emulator the other. */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export interface PtyPair {
  /** Path the driver under test opens, like /dev/ttyUSB0. */
  hostPath: string;
  /** Path the emulator opens. */
  devicePath: string;
  close(): Promise<void>;
}

/** `hostLink` puts the host side at a chosen path (e.g. /tmp/printer0) instead of inside the temp dir. */
export async function openPtyPair(prefix = "printer", hostLink?: string): Promise<PtyPair> {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-pty-`));
  const hostPath = hostLink ?? join(dir, "host");
  const devicePath = join(dir, "device");
  const proc: ChildProcess = spawn(
    "socat",
    [`pty,raw,echo=0,link=${hostPath}`, `pty,raw,echo=0,link=${devicePath}`],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let exited = false;
  let stderr = "";
  proc.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<void>((resolve) => proc.once("exit", () => ((exited = true), resolve())));
  proc.once("error", (e) => (stderr += e.message));
  const close = async (): Promise<void> => {
    if (!exited) {
      proc.kill("SIGTERM");
      await Promise.race([done, sleep(2000)]);
      if (!exited) proc.kill("SIGKILL");
    }
    rmSync(dir, { recursive: true, force: true });
    if (hostLink) rmSync(hostLink, { force: true });
  };
  for (let i = 0; i < 200 && !(existsSync(hostPath) && existsSync(devicePath)); i++) {
    if (exited) break;
    await sleep(10);
  }
  if (!existsSync(hostPath) || !existsSync(devicePath)) {
    await close();
    throw new Error(
      `socat did not create the pty pair: ${stderr.trim() || "timed out"} (is socat installed?)`,
    );
  }
  return { hostPath, devicePath, close };
}
