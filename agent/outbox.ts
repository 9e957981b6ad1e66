import { join } from "node:path";
import { openDurableDb, type Db } from "./sqlite.js";

export type MessageKind = "metrics" | "event";
const SEQ_MARGIN_AFTER_LOSS = 1000;
const KIND_CODE: Record<MessageKind, number> = { metrics: 0, event: 1 };

export interface OutboxRow {
  seq: number;
  topic: string;
  payload: string;
  createdMs: number;
}

export interface OutboxStats {
  depth: number;
  bytes: number;
  oldestCreatedMs: number | null;
  nextSeq: number;
  dropped: { metrics: number; events: number };
}

export interface OutboxOptions {
  dir: string;
  maxBytes: number;
  historyMs: number;
  historyMaxBytes: number;
  /** The highest seq the ledger saw published; a fresh store starts above it so seq never goes back. */
  seqHighWater?: () => number;
  now?: () => number;
}

/**
 * The on-disk store-and-forward queue. A message is durable (fsynced WAL, synchronous=FULL) before
 * enqueue() returns; it leaves the outbox only when the broker acknowledged it, and then moves to the
 * bounded history that `resend` commands read.
 */
export class Outbox {
  readonly db: Db;
  readonly movedAside?: { to: string; error: string };
  /** Drops the moved-aside marker once `storage.corrupt` is in the outbox. */
  readonly movedAsideReported: () => void;
  private bytes = 0;
  /** Kept in memory (counted once at open) so stats() never scans the table during a long drain. */
  private depth = 0;
  private nextSeqValue = 1;
  private readonly now: () => number;
  private readonly stmts;
  private pendingAcks = new Set<number>();

  constructor(private readonly opts: OutboxOptions) {
    this.now = opts.now ?? Date.now;
    const opened = openDurableDb(join(opts.dir, "outbox.db"), "FULL", (db) => {
      db.exec(`
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY, kind INTEGER NOT NULL, topic TEXT NOT NULL,
          payload TEXT NOT NULL, created_ms INTEGER NOT NULL, size INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS outbox_kind ON outbox(kind, seq);
        CREATE TABLE IF NOT EXISTS history (seq INTEGER PRIMARY KEY, topic TEXT NOT NULL, payload TEXT NOT NULL,
          created_ms INTEGER NOT NULL, size INTEGER NOT NULL);
      `);
      db.prepare("SELECT count(*) FROM outbox").get();
    });
    this.db = opened.db;
    if (opened.movedAside) this.movedAside = opened.movedAside;
    this.movedAsideReported = opened.reported;
    const db = this.db;
    this.stmts = {
      getMeta: db.prepare<[string], { value: number }>("SELECT value FROM meta WHERE key = ?"),
      setMeta: db.prepare(
        "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      ),
      addMeta: db.prepare(
        "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = value + excluded.value",
      ),
      insert: db.prepare(
        "INSERT INTO outbox(seq, kind, topic, payload, created_ms, size) VALUES (?, ?, ?, ?, ?, ?)",
      ),
      after: db.prepare<[number, number, number], OutboxRow>(
        "SELECT seq, topic, payload, created_ms AS createdMs FROM outbox WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?",
      ),
      oldestOfKind: db.prepare<[number, number], { seq: number; size: number }>(
        "SELECT seq, size FROM outbox WHERE kind = ? ORDER BY seq LIMIT ?",
      ),
      delete: db.prepare<[number], { size: number }>("DELETE FROM outbox WHERE seq = ? RETURNING size"),
      toHistory: db.prepare<[number, number]>(
        "INSERT OR REPLACE INTO history(seq, topic, payload, created_ms, size) SELECT seq, topic, payload, created_ms, size FROM outbox WHERE seq BETWEEN ? AND ?",
      ),
      deleteRange: db.prepare<[number, number], { size: number }>(
        "DELETE FROM outbox WHERE seq BETWEEN ? AND ? RETURNING size",
      ),
      stats: db.prepare<[], { depth: number; bytes: number | null }>(
        "SELECT count(*) AS depth, sum(size) AS bytes FROM outbox",
      ),
      oldest: db.prepare<[], { created: number }>(
        "SELECT created_ms AS created FROM outbox ORDER BY seq LIMIT 1",
      ),
      historyRange: db.prepare<[number, number], OutboxRow>(
        "SELECT seq, topic, payload, created_ms AS createdMs FROM history WHERE seq BETWEEN ? AND ? ORDER BY seq",
      ),
      outboxRange: db.prepare<[number, number], OutboxRow>(
        "SELECT seq, topic, payload, created_ms AS createdMs FROM outbox WHERE seq BETWEEN ? AND ? ORDER BY seq",
      ),
      pruneHistoryAge: db.prepare("DELETE FROM history WHERE created_ms < ?"),
      historyBytes: db.prepare<[], { bytes: number | null }>("SELECT sum(size) AS bytes FROM history"),
      oldestHistory: db.prepare<[number], { seq: number; size: number }>(
        "SELECT seq, size FROM history ORDER BY seq LIMIT ?",
      ),
      deleteHistory: db.prepare("DELETE FROM history WHERE seq = ?"),
    };
    const s = this.stmts.stats.get()!;
    this.bytes = s.bytes ?? 0;
    this.depth = s.depth;
    const stored = this.stmts.getMeta.get("next_seq")?.value;
    // A store started afresh (first run, or after corruption) may have lost seqs used after the last
    // heartbeat recorded the high-water mark: skip a margin so no seq is ever issued twice.
    const highWater = opts.seqHighWater?.() ?? 0;
    this.nextSeqValue = stored ?? (highWater > 0 ? highWater + 1 + SEQ_MARGIN_AFTER_LOSS : 1);
    if (stored !== this.nextSeqValue) this.stmts.setMeta.run("next_seq", this.nextSeqValue);
  }

  /**
   * Assign the next seq, build the payload with it, and commit both before returning. `build` runs inside
   * the transaction so seq order is the order of acceptance.
   */
  enqueue(kind: MessageKind, topic: string, build: (seq: number) => string): number {
    // The in-memory counters change only once the transaction committed: a failed commit (disk full)
    // rolls the rows back, and the counters must not have moved either.
    const delta: Delta = { bytes: 0, depth: 0 };
    const seq = this.db.transaction(() => {
      const seq = this.nextSeqValue;
      const payload = build(seq);
      const size = Buffer.byteLength(payload) + Buffer.byteLength(topic);
      if (size > this.opts.maxBytes) throw new Error(`message of ${size} bytes exceeds storage.maxBytes`);
      this.makeRoom(size, delta);
      this.stmts.insert.run(seq, KIND_CODE[kind], topic, payload, this.now(), size);
      this.stmts.setMeta.run("next_seq", seq + 1);
      delta.bytes += size;
      delta.depth++;
      return seq;
    })();
    this.apply(delta);
    this.nextSeqValue = seq + 1;
    return seq;
  }

  /** Past the bound, thin the oldest metrics (every other one) first; events go only when no metrics remain. */
  private makeRoom(size: number, delta: Delta): void {
    while (this.bytes + delta.bytes + size > this.opts.maxBytes) {
      const metrics = this.stmts.oldestOfKind.all(KIND_CODE.metrics, 64);
      let victims: { seq: number }[];
      let kind: "metrics" | "events";
      if (metrics.length > 0) {
        victims = metrics.length === 1 ? metrics : metrics.filter((_, i) => i % 2 === 0);
        kind = "metrics";
      } else {
        victims = this.stmts.oldestOfKind.all(KIND_CODE.event, 1);
        kind = "events";
        if (victims.length === 0) return;
      }
      for (const v of victims) {
        const r = this.stmts.delete.get(v.seq);
        if (r) removed(delta, r.size);
      }
      this.stmts.addMeta.run(`dropped_${kind}`, victims.length);
    }
  }

  /** Rows with lo < seq <= hi in seq order: the drainer reads the backlog and the live range separately. */
  readRange(lo: number, hi: number, limit: number): OutboxRow[] {
    return this.stmts.after.all(lo, hi, limit);
  }

  /** Record broker acknowledgements; they are applied in one transaction by flushAcks(). */
  ack(seq: number): void {
    this.pendingAcks.add(seq);
  }

  flushAcks(): number {
    if (this.pendingAcks.size === 0 || !this.db.open) return 0;
    const seqs = [...this.pendingAcks];
    this.pendingAcks = new Set();
    const delta: Delta = { bytes: 0, depth: 0 };
    // A lost ack only means the message is sent again (at-least-once, the NOC dedups by seq), so removals
    // need no fsync of their own: NORMAL here, FULL again for the next enqueue.
    this.db.pragma("synchronous = NORMAL");
    try {
      // PUBACKs come mostly in seq order: one statement per contiguous run, not two per message.
      this.db.transaction(() => {
        for (const [lo, hi] of runs(seqs)) {
          if (this.opts.historyMaxBytes > 0) this.stmts.toHistory.run(lo, hi);
          for (const r of this.stmts.deleteRange.all(lo, hi)) removed(delta, r.size);
        }
      })();
    } catch (e) {
      // Rolled back: the rows are still queued, so their acks are kept for the next flush.
      for (const s of seqs) this.pendingAcks.add(s);
      throw e;
    } finally {
      this.db.pragma("synchronous = FULL");
    }
    this.apply(delta);
    return seqs.length;
  }

  /** Messages still held for seq in [from, to], whether acknowledged (history) or not yet sent (outbox). */
  readForResend(from: number, to: number): OutboxRow[] {
    const rows = [...this.stmts.historyRange.all(from, to), ...this.stmts.outboxRange.all(from, to)];
    const bySeq = new Map(rows.map((r) => [r.seq, r]));
    return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  }

  pruneHistory(): void {
    this.stmts.pruneHistoryAge.run(this.now() - this.opts.historyMs);
    let bytes = this.stmts.historyBytes.get()?.bytes ?? 0;
    while (bytes > this.opts.historyMaxBytes) {
      const rows = this.stmts.oldestHistory.all(256);
      if (rows.length === 0) break;
      this.db.transaction(() => {
        for (const r of rows) {
          if (bytes <= this.opts.historyMaxBytes) break;
          this.stmts.deleteHistory.run(r.seq);
          bytes -= r.size;
        }
      })();
    }
  }

  get lastSeq(): number {
    return this.nextSeqValue - 1;
  }

  private apply(delta: Delta): void {
    this.bytes += delta.bytes;
    this.depth += delta.depth;
  }

  stats(): OutboxStats {
    return {
      depth: this.depth,
      bytes: this.bytes,
      oldestCreatedMs: this.depth > 0 ? (this.stmts.oldest.get()?.created ?? null) : null,
      nextSeq: this.nextSeqValue,
      dropped: {
        metrics: this.stmts.getMeta.get("dropped_metrics")?.value ?? 0,
        events: this.stmts.getMeta.get("dropped_events")?.value ?? 0,
      },
    };
  }

  /** Cheap liveness probe for the watchdog: the writer can still run a statement. */
  healthy(): boolean {
    try {
      this.stmts.getMeta.get("next_seq");
      return true;
    } catch {
      return false;
    }
  }

  close(): void {
    try {
      this.flushAcks();
    } finally {
      this.db.close();
    }
  }
}

/** Changes to the in-memory depth and bytes made inside a transaction, applied after it commits. */
interface Delta {
  bytes: number;
  depth: number;
}

function removed(delta: Delta, size: number): void {
  delta.bytes -= size;
  delta.depth--;
}

/** Sorted contiguous runs [lo, hi] of the given seqs. */
function runs(seqs: number[]): [number, number][] {
  const sorted = [...seqs].sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (const seq of sorted) {
    const last = out[out.length - 1];
    if (last && seq === last[1] + 1) last[1] = seq;
    else out.push([seq, seq]);
  }
  return out;
}
