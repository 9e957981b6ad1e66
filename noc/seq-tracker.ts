import type { SeqRange } from "../contract/index.js";
import type { GapRow } from "./model.js";

export type SeqVerdict =
  /** Accept: the next seq, or a jump past a gap (newGap), or a fill of a known gap (filled). */
  { accept: true; newGap?: GapRow; filled: GapRow[]; reset?: boolean } | { accept: false; duplicate: true };

/** After this many consecutive duplicates counting up by one, the station's numbering started again. */
export const RESET_STREAK = 50;

/**
 * Per-station sequence bookkeeping: the highest seq seen and the open gaps below it. A seq at or under
 * the highest that is in no open gap was already delivered, so it is a duplicate: at-least-once delivery
 * becomes exactly-once. The very first seq of a station opens no gap (the NOC may be newer than it).
 *
 * A station whose storage was wiped numbers from 1 again; everything would look like a duplicate. A run
 * of RESET_STREAK consecutive "duplicates" is taken as such a restart: the open gaps become permanent
 * loss and the numbering is followed from there.
 */
export class SeqTracker {
  private dupStreak = 0;
  private lastDup = -1;
  /**
   * Loose: this collector sees only part of the station's stream (a shared subscription that does not
   * keep a station on one collector), so gaps and duplicates cannot be told locally; accept everything.
   */
  loose = false;

  constructor(
    readonly station: string,
    public highest: number | undefined,
    readonly gaps: GapRow[] = [],
  ) {}

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
      this.highest = seq;
      this.dupStreak = 0;
      return { accept: true, newGap: gap, filled: [] };
    }
    const filled: GapRow[] = [];
    for (const g of this.gaps) {
      if (g.status === "open" && removeSeq(g.remaining, seq)) {
        if (g.remaining.length === 0) this.settle(g, now);
        filled.push(g);
      }
    }
    if (filled.length > 0) {
      this.dupStreak = 0;
      this.prune();
      return { accept: true, filled };
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
      if (g.status !== "open") continue;
      let lost = 0;
      for (const r of ranges) lost += removeRange(g.remaining, r);
      if (lost === 0) continue;
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
    return this.gaps.filter((g) => g.status === "open");
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
  }
}

/** Removes one seq from a sorted list of disjoint ranges; true when it was there. */
export function removeSeq(ranges: SeqRange[], seq: number): boolean {
  return removeRange(ranges, { fromSeq: seq, toSeq: seq }) > 0;
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
