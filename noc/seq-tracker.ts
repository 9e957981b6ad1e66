import type { SeqRange } from "../contract/index.js";
import type { GapRow } from "./model.js";

export type SeqVerdict =
  /** Accept: the next seq, or a jump past a gap (newGap), or a fill of a known gap (filled). */
  { accept: true; newGap?: GapRow; filled: GapRow[]; reset?: boolean } | { accept: false; duplicate: true };

/** After this many consecutive duplicates counting up by one, the station's numbering started again. */
export const RESET_STREAK = 50;

/**
 * Open missing ranges kept per station. Beyond it the oldest open gaps are settled as permanent loss:
 * a station (or a forger on its topic) sending every other seq must not make the NOC track, store and
 * re-request tens of thousands of holes.
 */
export const MAX_OPEN_RANGES = 1000;

/**
 * Per-station sequence bookkeeping: the highest seq seen and the open gaps below it. A seq at or under
 * the highest that is in no open gap was already delivered, so it is a duplicate: at-least-once delivery
 * becomes exactly-once. The very first seq of a station opens no gap (the NOC may be newer than it).
 *
 * A station whose storage was wiped numbers from 1 again; everything would look like a duplicate. A run
 * of RESET_STREAK consecutive "duplicates" is taken as such a restart: the open gaps become permanent
 * loss and the numbering is followed from there.
 *
 * The open gaps are disjoint and kept sorted by seq (a new gap always lies above every other), and so
 * is each gap's `remaining`: a seq finds its gap and its range by binary search.
 */
export class SeqTracker {
  private dupStreak = 0;
  private lastDup = -1;
  /** Sum of `remaining.length` over the open gaps, held at or under MAX_OPEN_RANGES. */
  private openRanges = 0;
  /** Search and shift steps taken (tests assert on it to prove the bookkeeping is not quadratic). */
  steps = 0;
  /** Open gaps, sorted by fromSeq. */
  readonly gaps: GapRow[];
  /**
   * Loose: this collector sees only part of the station's stream (a shared subscription that does not
   * keep a station on one collector), so gaps and duplicates cannot be told locally; accept everything.
   */
  loose = false;

  constructor(
    readonly station: string,
    public highest: number | undefined,
    gaps: GapRow[] = [],
  ) {
    this.gaps = gaps.filter((g) => g.status === "open").sort((a, b) => a.fromSeq - b.fromSeq);
    for (const g of this.gaps) this.openRanges += g.remaining.length;
  }

  observe(seq: number, now: number): SeqVerdict {
    if (this.loose) {
      this.highest = Math.max(this.highest ?? seq, seq);
      return { accept: true, filled: [] };
    }
    if (this.highest === undefined || seq === this.highest + 1) {
      this.highest = seq;
      this.dupStreak = 0;
      return { accept: true, filled: [] };
    }
    if (seq > this.highest) {
      const gap: GapRow = {
        station: this.station,
        fromSeq: this.highest + 1,
        toSeq: seq - 1,
        status: "open",
        detectedAt: now,
        remaining: [{ fromSeq: this.highest + 1, toSeq: seq - 1 }],
        lost: 0,
        requests: 0,
      };
      this.gaps.push(gap);
      this.openRanges++;
      this.highest = seq;
      this.dupStreak = 0;
      const capped = this.enforceCap(now);
      // A gap that the cap settled at once is still new: it is reported (and stored) as such.
      return { accept: true, newGap: gap, filled: capped.filter((g) => g !== gap) };
    }
    const i = this.gapIndex(seq);
    const g = i >= 0 ? (this.gaps[i] as GapRow) : undefined;
    if (g) {
      const before = g.remaining.length;
      const removed = this.removeFrom(g.remaining, seq);
      if (removed) {
        this.openRanges += g.remaining.length - before;
        this.dupStreak = 0;
        if (g.remaining.length === 0) {
          this.settle(g, now);
          this.gaps.splice(i, 1);
        }
        return { accept: true, filled: [g, ...this.enforceCap(now).filter((x) => x !== g)] };
      }
    }
    this.dupStreak = seq === this.lastDup + 1 ? this.dupStreak + 1 : 1;
    this.lastDup = seq;
    if (this.dupStreak >= RESET_STREAK) {
      const settled = this.markAllLost(now);
      this.highest = seq;
      this.dupStreak = 0;
      return { accept: true, filled: settled, reset: true };
    }
    return { accept: false, duplicate: true };
  }

  /** The station said it no longer has these seqs: they leave `remaining` and count as lost. */
  markGone(ranges: SeqRange[], now: number): GapRow[] {
    const changed: GapRow[] = [];
    for (const g of this.gaps) {
      let lost = 0;
      const before = g.remaining.length;
      for (const r of ranges) lost += removeRange(g.remaining, r);
      if (lost === 0) continue;
      this.openRanges += g.remaining.length - before;
      g.lost += lost;
      if (g.remaining.length === 0) this.settle(g, now);
      changed.push(g);
    }
    this.prune();
    return changed;
  }

  /** Switches to loose tracking; the open gaps were artefacts of the split and are settled. */
  goLoose(now: number): GapRow[] {
    this.loose = true;
    const open = this.openGaps();
    for (const g of open) {
      g.remaining = [];
      this.settle(g, now);
    }
    this.prune();
    return open;
  }

  openGaps(): GapRow[] {
    return [...this.gaps];
  }

  /** Index of the open gap holding `seq` (binary search over disjoint sorted gaps), or -1. */
  private gapIndex(seq: number): number {
    let lo = 0;
    let hi = this.gaps.length - 1;
    while (lo <= hi) {
      this.steps++;
      const mid = (lo + hi) >> 1;
      const g = this.gaps[mid] as GapRow;
      if (seq < g.fromSeq) hi = mid - 1;
      else if (seq > g.toSeq) lo = mid + 1;
      else return mid;
    }
    return -1;
  }

  /** Removes one seq from a sorted range list by binary search; true when it was there. */
  private removeFrom(ranges: SeqRange[], seq: number): boolean {
    let lo = 0;
    let hi = ranges.length - 1;
    while (lo <= hi) {
      this.steps++;
      const mid = (lo + hi) >> 1;
      const r = ranges[mid] as SeqRange;
      if (seq < r.fromSeq) hi = mid - 1;
      else if (seq > r.toSeq) lo = mid + 1;
      else {
        const parts: SeqRange[] = [];
        if (r.fromSeq < seq) parts.push({ fromSeq: r.fromSeq, toSeq: seq - 1 });
        if (seq < r.toSeq) parts.push({ fromSeq: seq + 1, toSeq: r.toSeq });
        ranges.splice(mid, 1, ...parts);
        return true;
      }
    }
    return false;
  }

  /** Settles the oldest open gaps as lost until the open ranges fit MAX_OPEN_RANGES. */
  private enforceCap(now: number): GapRow[] {
    const settled: GapRow[] = [];
    while (this.openRanges > MAX_OPEN_RANGES && this.gaps.length > 0) {
      this.steps++;
      const g = this.gaps.shift() as GapRow;
      this.openRanges -= g.remaining.length;
      g.lost += g.remaining.reduce((n, r) => n + r.toSeq - r.fromSeq + 1, 0);
      g.remaining = [];
      this.settle(g, now);
      settled.push(g);
    }
    return settled;
  }

  private settle(g: GapRow, now: number): void {
    g.status = g.lost > 0 ? "permanent" : "closed";
    g.closedAt = now;
  }

  private markAllLost(now: number): GapRow[] {
    const open = this.openGaps();
    for (const g of open) {
      g.lost += g.remaining.reduce((n, r) => n + r.toSeq - r.fromSeq + 1, 0);
      g.remaining = [];
      this.settle(g, now);
    }
    this.prune();
    return open;
  }

  private prune(): void {
    for (let i = this.gaps.length - 1; i >= 0; i--)
      if ((this.gaps[i] as GapRow).status !== "open") this.gaps.splice(i, 1);
    this.openRanges = this.gaps.reduce((n, g) => n + g.remaining.length, 0);
  }
}

/** Removes [r.fromSeq, r.toSeq] from the ranges; returns how many seqs were removed. */
export function removeRange(ranges: SeqRange[], r: SeqRange): number {
  let removed = 0;
  for (let i = 0; i < ranges.length; i++) {
    const x = ranges[i] as SeqRange;
    const lo = Math.max(x.fromSeq, r.fromSeq);
    const hi = Math.min(x.toSeq, r.toSeq);
    if (lo > hi) continue;
    removed += hi - lo + 1;
    const parts: SeqRange[] = [];
    if (x.fromSeq < lo) parts.push({ fromSeq: x.fromSeq, toSeq: lo - 1 });
    if (hi < x.toSeq) parts.push({ fromSeq: hi + 1, toSeq: x.toSeq });
    ranges.splice(i, 1, ...parts);
    i += parts.length - 1;
  }
  return removed;
}
