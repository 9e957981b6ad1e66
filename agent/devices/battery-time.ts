/** Intervals spent on battery, kept for the longest uptime window (30 days) and no longer. */
const KEEP_MS = 31 * 24 * 3600 * 1000;

export class BatteryTime {
  private readonly closed: { start: number; end: number }[] = [];
  private openSince: number | undefined;

  begin(now: number): void {
    this.openSince ??= now;
  }

  /** Close the open interval; returns its length in ms (0 when none was open). */
  end(now: number): number {
    if (this.openSince === undefined) return 0;
    const start = this.openSince;
    this.openSince = undefined;
    this.closed.push({ start, end: now });
    while (this.closed.length > 0 && this.closed[0]!.end < now - KEEP_MS) this.closed.shift();
    return now - start;
  }

  get onBattery(): boolean {
    return this.openSince !== undefined;
  }

  within(startMs: number, endMs: number, now: number): number {
    const all = [
      ...this.closed,
      ...(this.openSince !== undefined ? [{ start: this.openSince, end: now }] : []),
    ];
    return all.reduce((sum, i) => sum + Math.max(0, Math.min(i.end, endMs) - Math.max(i.start, startMs)), 0);
  }
}
