import { monitorEventLoopDelay, type IntervalHistogram } from "node:perf_hooks";

/** Millisecond-resolution histogram of lags up to a minute (one overflow bucket beyond). */
export class LagHistogram {
  private readonly counts = new Uint32Array(60_001);
  count = 0;
  private sum = 0;
  private maxSeen = 0;

  record(ms: number): void {
    const v = Math.max(0, Math.round(ms));
    this.counts[Math.min(v, 60_000)]! += 1;
    this.count++;
    this.sum += v;
    if (v > this.maxSeen) this.maxSeen = v;
  }

  percentile(p: number): number | null {
    if (this.count === 0) return null;
    const rank = Math.ceil((p / 100) * this.count);
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return i;
    }
    return 60_000;
  }

  summary(): {
    count: number;
    p50: number | null;
    p90: number | null;
    p99: number | null;
    max: number | null;
    mean: number | null;
  } {
    return {
      count: this.count,
      p50: this.percentile(50),
      p90: this.percentile(90),
      p99: this.percentile(99),
      max: this.count ? this.maxSeen : null,
      mean: this.count ? this.sum / this.count : null,
    };
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.sum = 0;
    this.maxSeen = 0;
  }
}

export interface Reject {
  at: string;
  topic: string;
  reason: string;
  detail: string;
}

/** What the collector counts; served on /api/v1/collector. */
export class CollectorStats {
  /** How long the event loop was blocked (storage writes, big JSON): what delays every message. */
  readonly loopDelay: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  received = 0;
  accepted = 0;
  duplicates = 0;
  historical = 0;
  ignored = 0;
  invalid = 0;
  readonly invalidByReason: Record<string, number> = {};
  readonly recentRejects: Reject[] = [];
  /** Events stored whose data did not match their type's schema (or whose type has none), by type. */
  readonly eventDataMismatches: Record<string, number> = {};
  gapsOpened = 0;
  gapsClosed = 0;
  gapsPermanent = 0;
  seqResets = 0;
  /** Stations whose messages the shared subscription splits between collectors (misconfiguration). */
  splitStreams = 0;
  resendRequests = 0;
  flushes = 0;
  flushErrors = 0;
  /** Payload `time` to collector processing, live (non-historical) durable messages. */
  readonly ingestLag = new LagHistogram();
  /** Payload `time` to committed in storage, for events (metrics only refresh liveness, lazily). */
  readonly commitLag = new LagHistogram();
  /** Duration of each storage write call (SQLite blocks the event loop for that long). */
  readonly writeMs = new LagHistogram();

  reject(topic: string, reason: string, detail: string, now: number): void {
    this.invalid++;
    this.invalidByReason[reason] = (this.invalidByReason[reason] ?? 0) + 1;
    this.recentRejects.unshift({
      at: new Date(now).toISOString(),
      topic: topic.slice(0, 200),
      reason,
      detail: detail.slice(0, 300),
    });
    if (this.recentRejects.length > 50) this.recentRejects.pop();
  }

  eventDataMismatch(type: string): void {
    this.eventDataMismatches[type] = (this.eventDataMismatches[type] ?? 0) + 1;
  }

  toJSON(): Record<string, unknown> {
    return {
      received: this.received,
      accepted: this.accepted,
      duplicates: this.duplicates,
      historical: this.historical,
      ignored: this.ignored,
      invalid: this.invalid,
      invalidByReason: this.invalidByReason,
      recentRejects: this.recentRejects,
      eventDataMismatches: this.eventDataMismatches,
      gaps: {
        opened: this.gapsOpened,
        closed: this.gapsClosed,
        permanent: this.gapsPermanent,
        resendRequests: this.resendRequests,
      },
      seqResets: this.seqResets,
      splitStreams: this.splitStreams,
      // Not `storage`: /api/v1/collector puts the storage kind under that key.
      writes: { flushes: this.flushes, errors: this.flushErrors, writeMs: this.writeMs.summary() },
      lagMs: { ingest: this.ingestLag.summary(), commit: this.commitLag.summary() },
      eventLoopDelayMs: {
        p50: this.loopDelay.percentile(50) / 1e6,
        p99: this.loopDelay.percentile(99) / 1e6,
        max: this.loopDelay.max / 1e6,
      },
    };
  }
}
