import type { StationRow } from "./model.js";
import type { CollectorStats } from "./stats.js";
import { batchSize, emptyBatch, type Storage, type WriteBatch } from "./storage/index.js";

export interface WriteBufferOptions {
  /** Station rows whose only news is liveness (last seen, last seq, metrics) are written this often. */
  livenessFlushMs: number;
  /** Above this many pending rows (storage down), the oldest batch is dropped and counted. */
  maxPending: number;
}

/**
 * Collects what the fleet changed and writes it in one transaction per flush, so 2,000 messages a
 * second cost a few statements rather than thousands of commits. A failed write stays queued and is
 * retried on the next flush.
 */
export class WriteBuffer {
  private batch: WriteBatch = emptyBatch();
  private readonly urgent = new Map<string, StationRow>();
  private readonly lazy = new Map<string, StationRow>();
  private lastLazyFlush = 0;
  /** Payload times of the durable messages in this batch, for the commit-lag histogram. */
  private times: number[] = [];
  private flushing: Promise<void> | undefined;
  dropped = 0;

  constructor(
    private readonly storage: Storage,
    private readonly stats: CollectorStats,
    private readonly options: WriteBufferOptions,
  ) {}

  get pending(): WriteBatch {
    return this.batch;
  }

  station(row: StationRow, urgent: boolean): void {
    if (urgent) {
      this.urgent.set(row.id, row);
      this.lazy.delete(row.id);
    } else if (!this.urgent.has(row.id)) this.lazy.set(row.id, row);
  }

  durableTime(ms: number): void {
    this.times.push(ms);
  }

  size(): number {
    return batchSize(this.batch) + this.urgent.size;
  }

  /** Writes what is pending; concurrent calls share one flush. `all` also writes liveness-only rows. */
  flush(now: number, all = false): Promise<void> {
    if (this.flushing) return this.flushing;
    this.flushing = this.doFlush(now, all).finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async doFlush(now: number, all: boolean): Promise<void> {
    const b = this.batch;
    b.stations.push(...this.urgent.values());
    this.urgent.clear();
    if (all || now - this.lastLazyFlush >= this.options.livenessFlushMs) {
      b.stations.push(...this.lazy.values());
      this.lazy.clear();
      this.lastLazyFlush = now;
    }
    const times = this.times;
    this.batch = emptyBatch();
    this.times = [];
    if (batchSize(b) === 0) return;
    try {
      await this.storage.write(b);
      this.stats.flushes++;
      const done = Date.now();
      for (const t of times) this.stats.commitLag.record(done - t);
    } catch (e) {
      this.stats.flushErrors++;
      this.requeue(b);
      throw e;
    }
  }

  private requeue(b: WriteBatch): void {
    if (batchSize(b) + batchSize(this.batch) > this.options.maxPending) {
      this.dropped += batchSize(b);
      return;
    }
    const n = this.batch;
    this.batch = {
      stations: [...b.stations, ...n.stations],
      statusChanges: [...b.statusChanges, ...n.statusChanges],
      linkChanges: [...b.linkChanges, ...n.linkChanges],
      deviceChanges: [...b.deviceChanges, ...n.deviceChanges],
      powerChanges: [...b.powerChanges, ...n.powerChanges],
      events: [...b.events, ...n.events],
      outages: [...b.outages, ...n.outages],
      gaps: [...b.gaps, ...n.gaps],
    };
  }
}
