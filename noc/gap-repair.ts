import { ResendResult } from "../contract/index.js";
import type { StationCommands } from "./station-commands.js";
import type { Fleet } from "./fleet.js";
import type { GapRow } from "./model.js";
import type { CollectorStats } from "./stats.js";

export interface GapRepairOptions {
  /** Wait this long after a gap appears before asking: late and out-of-order messages often fill it. */
  graceMs: number;
  /** First retry delay; doubles per unanswered request up to maxBackoffMs. */
  backoffMs: number;
  maxBackoffMs: number;
  /** Resend requests in flight across all stations (stations rate-limit commands too). */
  maxInFlight: number;
  now: () => number;
  /**
   * Shared subscriptions: true when another collector already got seqs of this gap, i.e. the broker
   * splits the station's stream instead of keeping it on one collector. No resend is asked then.
   */
  receivedElsewhere?: (station: string, gap: GapRow) => Promise<boolean>;
}

const MAX_SPAN = 100_000;

/**
 * Asks stations to resend what is missing: one request per station at a time, for the lowest missing
 * range. Seqs the station no longer has become permanent loss; a capped reply continues at once.
 */
export class GapRepair {
  private readonly busy = new Set<string>();
  /** Shared subscriptions: stations waiting for resent messages to show up here. */
  private readonly holding = new Set<string>();
  /** Where the next request of a gap starts when the station capped the previous one. */
  private readonly cursor = new WeakMap<GapRow, number>();

  constructor(
    private readonly fleet: Fleet,
    private readonly commands: StationCommands,
    private readonly stats: CollectorStats,
    private readonly log: { warn(o: object, msg: string): void },
    private readonly options: GapRepairOptions,
  ) {}

  tick(): void {
    const now = this.options.now();
    for (const [id, live] of this.fleet.stations) {
      if (this.busy.size >= this.options.maxInFlight) return;
      if (live.seq.gaps.length === 0 || this.busy.has(id) || this.holding.has(id) || live.row.status !== "up")
        continue;
      const gap = live.seq.gaps.find(
        (g) => g.status === "open" && g.remaining.length > 0 && this.due(g, now),
      );
      if (gap) this.request(id, gap, now);
    }
  }

  private due(g: GapRow, now: number): boolean {
    if (now - g.detectedAt < this.options.graceMs) return false;
    if (g.lastRequestAt === undefined) return true;
    const wait = Math.min(
      this.options.maxBackoffMs,
      this.options.backoffMs * 2 ** Math.max(0, g.requests - 1),
    );
    return now - g.lastRequestAt >= wait;
  }

  private request(station: string, gap: GapRow, now: number): void {
    this.busy.add(station);
    const check = this.options.receivedElsewhere?.(station, gap) ?? Promise.resolve(false);
    check
      .then((split) => {
        const live = this.fleet.stations.get(station);
        if (split && live) {
          this.log.warn(
            { station },
            "another collector receives this station's messages too: the shared subscription must keep each station on one collector (EMQX: hash_clientid); gap tracking for it is off",
          );
          this.fleet.markSplit(live, this.options.now());
          return;
        }
        return this.send(station, gap, now);
      })
      .catch((e: unknown) => this.log.warn({ station, err: String(e) }, "resend request failed"))
      .finally(() => this.busy.delete(station));
  }

  /**
   * Shared subscriptions: the station republished the range, yet not all of it reached this collector
   * within the grace time. The broker deals the station's messages to other collectors too.
   */
  private checkArrived(station: string, gap: GapRow, args: { fromSeq: number; toSeq: number }): void {
    const missing = () =>
      gap.remaining.reduce(
        (n, r) => n + Math.max(0, Math.min(r.toSeq, args.toSeq) - Math.max(r.fromSeq, args.fromSeq) + 1),
        0,
      );
    // No further request for this station until the check is done: otherwise each new gap asks again.
    this.holding.add(station);
    setTimeout(() => {
      this.holding.delete(station);
      const live = this.fleet.stations.get(station);
      if (!live || gap.status !== "open" || missing() === 0) return;
      this.log.warn(
        { station },
        "resent messages went to another collector: the shared subscription splits this station's stream",
      );
      this.fleet.markSplit(live, this.options.now());
    }, this.options.graceMs).unref();
  }

  private send(station: string, gap: GapRow, now: number): Promise<void> {
    // One request spans every hole of the gap; seqs the NOC already has come back as duplicates.
    const at = this.cursor.get(gap) ?? 0;
    this.cursor.delete(gap);
    const first = gap.remaining.find((r) => r.toSeq >= at) ?? gap.remaining[0];
    const last = gap.remaining[gap.remaining.length - 1];
    if (!first || !last) return Promise.resolve();
    const fromSeq = Math.max(first.fromSeq, at);
    const args = { fromSeq, toSeq: Math.min(last.toSeq, fromSeq + MAX_SPAN - 1) };
    gap.requests++;
    gap.lastRequestAt = now;
    this.fleet.saveGaps([gap]);
    this.stats.resendRequests++;
    return this.commands.send(station, "resend", args).then((reply) => {
      if (!reply.ok) {
        this.log.warn({ station, gap: args, error: reply.error }, "resend refused");
        return;
      }
      const result = ResendResult.safeParse(reply.result);
      if (!result.success) {
        this.log.warn({ station, gap: args }, "resend reply without a valid result");
        return;
      }
      const live = this.fleet.stations.get(station);
      if (!live) return;
      const changed = live.seq.markGone(result.data.gone, this.options.now());
      if (result.data.nextFromSeq !== undefined && gap.status === "open") {
        this.cursor.set(gap, result.data.nextFromSeq);
        gap.lastRequestAt = undefined;
      }
      this.fleet.gapsSettled(changed);
      if (!changed.includes(gap)) this.fleet.saveGaps([gap]);
      if (this.options.receivedElsewhere && result.data.republished > 0)
        this.checkArrived(station, gap, args);
    });
  }
}
