/** A token bucket: `perMinute` commands on average, bursts of up to `burst`. Time comes from the caller. */
export class TokenBucket {
  private tokens: number;
  private last: number | undefined;

  constructor(
    private readonly perMinute: number,
    private readonly burst: number = Math.max(1, Math.min(perMinute, 10)),
  ) {
    this.tokens = burst;
  }

  take(nowMs: number): boolean {
    if (this.last !== undefined && nowMs > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.last) * this.perMinute) / 60_000);
    }
    this.last = nowMs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
