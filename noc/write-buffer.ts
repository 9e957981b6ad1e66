import { setImmediate as nextTurn } from "node:timers/promises";
import type { StationRow } from "./model.js";
import type { CollectorStats } from "./stats.js";
import { batchSize, emptyBatch, type Liveness, type Storage, type WriteBatch } from "./storage/index.js";

export interface WriteBufferOptions {
  /** Station rows whose only news is liveness (last seen, last seq, metrics) are written this often. */
  livenessFlushMs: number;
  /** Above this many pending rows (storage down), the oldest batch is dropped and counted. */
  maxPending: number;
  /** Rows per storage call; the event loop gets a turn between calls, so no write stalls ingest. */
  chunkRows?: number;
}

/**
 * Collects what the fleet changed and writes it in few transactions per flush, so 2,000 messages a
 * second cost a few statements rather than thousands of commits. Liveness-only station updates are
 * spread out: each flush writes those that have waited livenessFlushMs, in the order they became
 * dirty. A failed write stays queued and is retried on the next flush.
 */
export class WriteBuffer {
  private batch: WriteBatch = emptyBatch();
  private readonly urgent = new Map<string, StationRow>();
  /** Insertion order = when the row became dirty. */
  private readonly lazy = new Map<string, { row: StationRow; since: number }>();
  /** Payload times of the durable messages in this batch, for the commit-lag histogram. */
  private times: number[] = [];
  /** Stations whose last seq moved: written with this batch, however lazy the rest of their row. */
  private readonly seqMoved = new Map<string, StationRow>();
  /** Broker acknowledgements of the messages whose effects are in this batch: sent once it commits. */
  private acks: (() => void)[] = [];
  /** Acks withheld because their batch was dropped: the broker redelivers those after a reconnect. */
  acksDropped = 0;
  private flushing: Promise<void> | undefined;
  /** When the running flush started (0 = none): a stuck storage shows here first. */
  flushStartedAt = 0;
  dropped = 0;

  constructor(
    private readonly storage: Storage,
    private readonly stats: CollectorStats,
    private readonly options: WriteBufferOptions,
    private readonly now: () => number = Date.now,
  ) {}

  get pending(): WriteBatch {
    return this.batch;
  }

  station(row: StationRow, urgent: boolean): void {
    if (urgent) {
      this.urgent.set(row.id, row);
      this.lazy.delete(row.id);
    } else if (!this.urgent.has(row.id) && !this.lazy.has(row.id))
      this.lazy.set(row.id, { row, since: this.now() });
  }

  /**
   * The station accepted a durable message: its last seq is stored with this batch. Together with
   * afterCommit this keeps the stored high-water mark level with what the broker was told we have, so
   * a crash leaves nothing the broker will not redeliver, and no gap to ask the station about.
   */
  highWater(row: StationRow): void {
    this.seqMoved.set(row.id, row);
  }

  /** Runs `ack` once everything handed over before it is committed. */
  afterCommit(ack: () => void): void {
    this.acks.push(ack);
  }

  durableTime(ms: number): void {
    this.times.push(ms);
  }

  size(): number {
    return batchSize(this.batch) + this.urgent.size + this.lazy.size;
  }

  /** Writes what is pending; concurrent calls share one flush. `all` also writes every liveness row. */
  flush(all = false): Promise<void> {
    if (this.flushing) return this.flushing.then(() => (all ? this.flush(true) : undefined));
    this.flushStartedAt = Date.now();
    this.flushing = this.doFlush(all).finally(() => {
      this.flushing = undefined;
      this.flushStartedAt = 0;
    });
    return this.flushing;
  }

  private async doFlush(all: boolean): Promise<void> {
    const b = this.batch;
    // Copies: a row object keeps changing while the write awaits, and a stored last seq ahead of the
    // acks sent would make the broker's redelivery after a crash look like duplicates.
    for (const [id, row] of this.seqMoved) {
      if (this.urgent.has(id)) continue;
      if (all) b.stations.push({ ...row });
      else b.liveness.push(liveness(row));
      this.lazy.delete(id);
    }
    this.seqMoved.clear();
    for (const row of this.urgent.values()) b.stations.push({ ...row });
    this.urgent.clear();
    const due = this.now() - this.options.livenessFlushMs;
    for (const [id, { row, since }] of this.lazy) {
      if (!all && since > due) break;
      // The full row (with the latest metrics summary) only on a full flush; otherwise two columns.
      if (all) b.stations.push({ ...row });
      else b.liveness.push(liveness(row));
      this.lazy.delete(id);
    }
    const times = this.times;
    const acks = this.acks;
    this.batch = emptyBatch();
    this.times = [];
    this.acks = [];
    if (batchSize(b) === 0) return release(acks);
    const chunks = split(b, this.options.chunkRows ?? 2000);
    for (let i = 0; i < chunks.length; i++) {
      const chunk = chunks[i] as WriteBatch;
      try {
        const started = performance.now();
        await this.storage.write(chunk);
        this.stats.writeMs.record(performance.now() - started);
        this.stats.flushes++;
      } catch (e) {
        this.stats.flushErrors++;
        const kept = chunks.slice(i).map((rest) => this.requeue(rest));
        if (kept.every(Boolean)) this.acks = [...acks, ...this.acks];
        else this.acksDropped += acks.length;
        throw e;
      }
      if (i + 1 < chunks.length) await nextTurn();
    }
    release(acks);
    const done = Date.now();
    for (const t of times) this.stats.commitLag.record(done - t);
  }

  /** False when the batch was dropped (storage down too long). */
  private requeue(b: WriteBatch): boolean {
    if (batchSize(b) + batchSize(this.batch) > this.options.maxPending) {
      this.dropped += batchSize(b);
      return false;
    }
    const n = this.batch;
    this.batch = {
      stations: [...b.stations, ...n.stations],
      liveness: [...b.liveness, ...n.liveness],
      statusChanges: [...b.statusChanges, ...n.statusChanges],
      linkChanges: [...b.linkChanges, ...n.linkChanges],
      deviceChanges: [...b.deviceChanges, ...n.deviceChanges],
      powerChanges: [...b.powerChanges, ...n.powerChanges],
      events: [...b.events, ...n.events],
      outages: [...b.outages, ...n.outages],
      gaps: [...b.gaps, ...n.gaps],
    };
    return true;
  }
}

function liveness(row: StationRow): Liveness {
  return {
    id: row.id,
    lastSeen: row.lastSeen ?? 0,
    ...(row.lastSeq !== undefined ? { lastSeq: row.lastSeq } : {}),
  };
}

function release(acks: (() => void)[]): void {
  for (const ack of acks) ack();
}

/**
 * Station rows (the high-water marks) go last: a crash between two chunks must never leave a stored
 * last seq that vouches for an event or gap row which did not commit.
 */
const WRITE_RANK: Record<keyof WriteBatch, number> = {
  statusChanges: 0,
  linkChanges: 0,
  deviceChanges: 0,
  powerChanges: 0,
  events: 0,
  outages: 0,
  gaps: 0,
  stations: 1,
  liveness: 1,
};
const WRITE_ORDER = (Object.keys(WRITE_RANK) as (keyof WriteBatch)[]).sort(
  (a, b) => WRITE_RANK[a] - WRITE_RANK[b],
);

/** Splits a batch into batches of at most `rows` rows, keeping each table's order. */
function split(b: WriteBatch, rows: number): WriteBatch[] {
  if (batchSize(b) <= rows) return [b];
  const out: WriteBatch[] = [];
  let cur = emptyBatch();
  let n = 0;
  for (const key of WRITE_ORDER) {
    for (const item of b[key]) {
      (cur[key] as unknown[]).push(item);
      if (++n >= rows) {
        out.push(cur);
        cur = emptyBatch();
        n = 0;
      }
    }
  }
  if (n > 0) out.push(cur);
  return out;
}
