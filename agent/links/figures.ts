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

/** A bounded window of samples kept by send time: older than `spanMs` before the newest are dropped. */
export class SampleWindow {
  private samples: WindowSample[] = [];

  constructor(private spanMs: number) {}

  add(sample: WindowSample): void {
    // Outcomes arrive in reply order; keep send order for jitter (a late timeout lands behind later replies).
    let i = this.samples.length;
    while (i > 0 && this.samples[i - 1]!.sentAt > sample.sentAt) i--;
    this.samples.splice(i, 0, sample);
    this.prune(this.samples[this.samples.length - 1]!.sentAt);
  }

  prune(now: number): void {
    const cutoff = now - this.spanMs;
    let drop = 0;
    while (drop < this.samples.length && this.samples[drop]!.sentAt <= cutoff) drop++;
    if (drop > 0) this.samples.splice(0, drop);
  }

  /** Forget everything sent before `t` (an outage is not evidence of the link's quality once it is over). */
  dropBefore(t: number): void {
    this.samples = this.samples.filter((s) => s.sentAt >= t);
  }

  figures(): LinkFigures {
    return computeFigures(this.samples);
  }

  get size(): number {
    return this.samples.length;
  }

  /** The last `n` samples, oldest first. */
  recent(n: number): readonly WindowSample[] {
    return this.samples.slice(-n);
  }
}
