import type { LinkFigures } from "../../contract/index.js";

/** One probe in a rolling window. */
export interface WindowSample {
  sentAt: number;
  ok: boolean;
  rttMs?: number;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

export function median(sorted: number[]): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * sent/received/loss and RTT min/median/mean/max over a window (in send order), and jitter as the mean
 * absolute difference of consecutive RTTs (the RFC 3550 interarrival idea, without its 1/16 smoothing).
 */
export function computeFigures(samples: readonly WindowSample[]): LinkFigures {
  const rtts: number[] = [];
  for (const s of samples) if (s.ok && s.rttMs !== undefined) rtts.push(s.rttMs);
  const sent = samples.length;
  const received = samples.filter((s) => s.ok).length;
  let jitter: number | null = null;
  if (rtts.length >= 2) {
    let sum = 0;
    for (let i = 1; i < rtts.length; i++) sum += Math.abs(rtts[i]! - rtts[i - 1]!);
    jitter = round3(sum / (rtts.length - 1));
  }
  const sorted = [...rtts].sort((a, b) => a - b);
  const med = median(sorted);
  return {
    sent,
    received,
    lossPct: sent === 0 ? 0 : Math.round(((sent - received) / sent) * 1000) / 10,
    rttMinMs: sorted.length ? round3(sorted[0]!) : null,
    rttMedianMs: med === null ? null : round3(med),
    rttMeanMs: sorted.length ? round3(sorted.reduce((a, b) => a + b, 0) / sorted.length) : null,
    rttMaxMs: sorted.length ? round3(sorted[sorted.length - 1]!) : null,
    jitterMs: jitter,
  };
}

const nullableRound3 = (x: number | null) => (x === null ? null : round3(x));

/** Index of the first element >= x in a sorted array. */
function lowerBound(a: number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A bounded window of samples kept by send time: older than `spanMs` before the newest are dropped.
 * Counts and a sorted copy of the RTTs are kept as samples come and go, so the per-round verdict (loss and
 * median) costs no allocation; the full figures (jitter, mean) are computed only when asked for.
 */
export class SampleWindow {
  private samples: WindowSample[] = [];
  private head = 0;
  private sorted: number[] = [];
  private lost = 0;

  constructor(private spanMs: number) {}

  add(sample: WindowSample): void {
    const newest = this.samples[this.samples.length - 1];
    if (newest && newest.sentAt - sample.sentAt > this.spanMs) this.dropBetween(-Infinity, Infinity); // clock went back
    // Outcomes arrive in reply order; keep send order for jitter (a late timeout lands behind later replies).
    let i = this.samples.length;
    while (i > this.head && this.samples[i - 1]!.sentAt > sample.sentAt) i--;
    if (i === this.samples.length) this.samples.push(sample);
    else this.samples.splice(i, 0, sample);
    this.count(sample, +1);
    this.prune(this.samples[this.samples.length - 1]!.sentAt);
  }

  private count(s: WindowSample, sign: 1 | -1): void {
    if (!s.ok) this.lost += sign;
    else if (s.rttMs !== undefined) {
      if (sign > 0) this.sorted.splice(lowerBound(this.sorted, s.rttMs), 0, s.rttMs);
      else this.sorted.splice(lowerBound(this.sorted, s.rttMs), 1);
    }
  }

  prune(now: number): void {
    const cutoff = now - this.spanMs;
    while (this.head < this.samples.length && this.samples[this.head]!.sentAt <= cutoff) {
      this.count(this.samples[this.head]!, -1);
      this.head++;
    }
    // Compact now and then, not on every sample.
    if (this.head > 64 && this.head * 2 > this.samples.length) {
      this.samples = this.samples.slice(this.head);
      this.head = 0;
    }
  }

  /** Forget the samples sent in [from, to): an outage is not evidence of the link's quality once it is over. */
  dropBetween(from: number, to: number): void {
    const keep = this.live().filter((s) => s.sentAt < from || s.sentAt >= to);
    this.samples = [];
    this.head = 0;
    this.sorted = [];
    this.lost = 0;
    for (const s of keep) {
      this.samples.push(s);
      this.count(s, +1);
    }
  }

  private live(): WindowSample[] {
    return this.samples.slice(this.head);
  }

  /** Loss and median RTT, without allocating: what each round's verdict needs. */
  quick(): { sent: number; lossPct: number; rttMedianMs: number | null } {
    const sent = this.samples.length - this.head;
    return {
      sent,
      lossPct: sent === 0 ? 0 : Math.round((this.lost / sent) * 1000) / 10,
      rttMedianMs: nullableRound3(median(this.sorted)),
    };
  }

  figures(): LinkFigures {
    return computeFigures(this.live());
  }

  get size(): number {
    return this.samples.length - this.head;
  }

  /** The last `n` samples, oldest first. */
  recent(n: number): readonly WindowSample[] {
    return this.samples.slice(Math.max(this.head, this.samples.length - n));
  }
}
