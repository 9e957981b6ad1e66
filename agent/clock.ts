import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import type { Clock } from "./ports.js";

/**
 * Whether the system clock is NTP-synchronised. systemd-timesyncd touches /run/systemd/timesync/synchronized
 * once synced; otherwise ask timedated (covers chrony and ntpd through systemd). Re-checked every 60 s;
 * until a positive answer, samples are marked clockSynced=false.
 */
export class SystemClock implements Clock {
  private isSynced = false;
  private timer?: NodeJS.Timeout;
  /** No timedatectl on this system: only the timesyncd marker is checked from then on. */
  private noTimedatectl = false;

  constructor(
    private readonly override?: boolean,
    private readonly marker = "/run/systemd/timesync/synchronized",
  ) {
    if (override !== undefined) this.isSynced = override;
  }

  now(): number {
    return Date.now();
  }

  synced(): boolean {
    return this.isSynced;
  }

  async start(): Promise<void> {
    if (this.override !== undefined) return;
    await this.check();
    this.timer = setInterval(() => void this.check(), 60_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async check(): Promise<void> {
    if (existsSync(this.marker)) {
      this.isSynced = true;
      return;
    }
    this.isSynced = await new Promise<boolean>((resolve) => {
      execFile(
        "timedatectl",
        ["show", "-p", "NTPSynchronized", "--value"],
        { timeout: 3000 },
        (err, stdout) => resolve(!err && stdout.trim() === "yes"),
      );
    });
  }
}
