/**
 * A linked pty pair made by socat, standing in for a USB-serial cable: the host opens `hostPath` with the
 * real serialport binding, the emulator opens `devicePath`. Killing socat is an unplug (both ends close
 * with a disconnect); starting it again on the same link names is a replug.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export interface PtyPairOptions {
  dir: string;
  /** Unique per test (other suites make ptys on the same machine). */
  name: string;
}

export class PtyPair {
  readonly hostPath: string;
  readonly devicePath: string;
  private child: ChildProcess | null = null;

  constructor(options: PtyPairOptions) {
    this.hostPath = join(options.dir, `${options.name}-host`);
    this.devicePath = join(options.dir, `${options.name}-device`);
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(timeoutMs = 5000): Promise<void> {
    if (this.running) return;
    this.removeLinks();
    const child = spawn(
      "socat",
      [`pty,raw,echo=0,link=${this.hostPath}`, `pty,raw,echo=0,link=${this.devicePath}`],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    const spawnError = new Promise<Error>((resolve) => child.once("error", resolve));
    this.child = child;
    const deadline = Date.now() + timeoutMs;
    while (!(existsSync(this.hostPath) && existsSync(this.devicePath))) {
      const failed = await Promise.race([spawnError, sleep(10).then(() => null)]);
      if (failed) throw new Error(`cannot run socat: ${failed.message}`);
      if (child.exitCode !== null) throw new Error(`socat exited with ${child.exitCode}: ${stderr.trim()}`);
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`socat did not create ${this.hostPath} within ${timeoutMs} ms`);
      }
    }
  }

  /** Yanks the cable: SIGKILL, so both ends see an abrupt hang-up, then the stale links are removed. */
  async unplug(): Promise<void> {
    await this.kill("SIGKILL");
    this.removeLinks();
  }

  async stop(): Promise<void> {
    await this.kill("SIGTERM");
    this.removeLinks();
  }

  private async kill(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill(signal);
    await Promise.race([exited, sleep(2000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }

  private removeLinks(): void {
    rmSync(this.hostPath, { force: true });
    rmSync(this.devicePath, { force: true });
  }
}
