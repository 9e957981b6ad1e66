import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { Outbox } from "../../agent/outbox.js";
import { openDurableDb, PAGE_CACHE_KIB } from "../../agent/sqlite.js";
import { tempDir } from "../support/agent-process.js";

const payload =
  (kind: string, pad = 100) =>
  (seq: number) =>
    JSON.stringify({ seq, kind, pad: "x".repeat(pad) });

describe("durable outbox", () => {
  it("keeps seq across reopen and starts a fresh store above the ledger's high-water mark", () => {
    const dir = tempDir();
    let ob = new Outbox({ dir, maxBytes: 1e6, historyMs: 1e9, historyMaxBytes: 1e6 });
    expect(ob.enqueue("event", "t/e", payload("event"))).toBe(1);
    expect(ob.enqueue("event", "t/e", payload("event"))).toBe(2);
    ob.close();
    ob = new Outbox({ dir, maxBytes: 1e6, historyMs: 1e9, historyMaxBytes: 1e6, seqHighWater: () => 2 });
    expect(ob.enqueue("metrics", "t/m", payload("metrics"))).toBe(3);
    ob.close();
    const fresh = new Outbox({
      dir: tempDir(),
      maxBytes: 1e6,
      historyMs: 1e9,
      historyMaxBytes: 1e6,
      seqHighWater: () => 500,
    });
    expect(fresh.enqueue("event", "t/e", payload("event"))).toBeGreaterThan(500);
  });

  it("moves acknowledged messages to history and serves resend from history and outbox", () => {
    const ob = new Outbox({ dir: tempDir(), maxBytes: 1e6, historyMs: 1e9, historyMaxBytes: 1e6 });
    for (let i = 0; i < 10; i++) ob.enqueue("event", "t/e", payload("event"));
    for (let s = 1; s <= 5; s++) ob.ack(s);
    expect(ob.flushAcks()).toBe(5);
    expect(ob.stats().depth).toBe(5);
    expect(ob.readForResend(3, 7).map((r) => r.seq)).toEqual([3, 4, 5, 6, 7]);
    expect(ob.readRange(0, Number.MAX_SAFE_INTEGER, 100).map((r) => r.seq)).toEqual([6, 7, 8, 9, 10]);
  });

  it("applies acknowledgements that arrive out of order and with holes, and keeps the counts right", () => {
    const dir = tempDir();
    const opts = { dir, maxBytes: 1e6, historyMs: 1e9, historyMaxBytes: 1e6 };
    const ob = new Outbox(opts);
    for (let i = 0; i < 12; i++) ob.enqueue("event", "t/e", payload("event"));
    for (const s of [8, 2, 1, 3, 7, 11, 5, 12]) ob.ack(s);
    ob.ack(3); // a duplicate PUBACK
    expect(ob.flushAcks()).toBe(8);
    expect(ob.readRange(0, Number.MAX_SAFE_INTEGER, 100).map((r) => r.seq)).toEqual([4, 6, 9, 10]);
    expect(ob.readForResend(1, 12).map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    ob.ack(5); // already gone: nothing changes
    ob.flushAcks();
    const kept = ob.stats();
    ob.close();
    // The in-memory counts agree with what a fresh open counts from the file.
    const counted = new Outbox(opts).stats();
    expect(kept.depth).toBe(4);
    expect({ depth: kept.depth, bytes: kept.bytes }).toEqual({ depth: counted.depth, bytes: counted.bytes });
  });

  it("thins old metrics first, then events, and counts the drops", () => {
    const ob = new Outbox({ dir: tempDir(), maxBytes: 64 * 1024, historyMs: 1e9, historyMaxBytes: 0 });
    for (let i = 0; i < 200; i++)
      ob.enqueue(i % 4 === 0 ? "event" : "metrics", "t/x", payload(i % 4 === 0 ? "event" : "metrics", 500));
    const s = ob.stats();
    expect(s.bytes).toBeLessThanOrEqual(64 * 1024);
    expect(s.dropped.metrics).toBeGreaterThan(0);
    expect(s.dropped.events).toBe(0);
    const kept = ob
      .readRange(0, Number.MAX_SAFE_INTEGER, 1000)
      .map((r) => JSON.parse(r.payload) as { kind: string });
    expect(kept.filter((k) => k.kind === "event")).toHaveLength(50);
    // Only events left past this point: the oldest events go next, and are counted.
    for (let i = 0; i < 200; i++) ob.enqueue("event", "t/x", payload("event", 500));
    expect(ob.stats().dropped.events).toBeGreaterThan(0);
    expect(ob.stats().bytes).toBeLessThanOrEqual(64 * 1024);
  });

  it("refuses a message larger than the whole bound without changing anything", () => {
    const ob = new Outbox({ dir: tempDir(), maxBytes: 64 * 1024, historyMs: 1e9, historyMaxBytes: 0 });
    ob.enqueue("event", "t/e", payload("event"));
    expect(() => ob.enqueue("event", "t/e", payload("event", 70_000))).toThrow(/exceeds storage.maxBytes/);
    expect(ob.stats().depth).toBe(1);
    expect(ob.enqueue("event", "t/e", payload("event"))).toBe(2);
  });
});

describe("outbox counters after a failed commit (issue 14)", () => {
  const onDisk = (ob: Outbox) =>
    ob.db.prepare("SELECT count(*) AS depth, coalesce(sum(size), 0) AS bytes FROM outbox").get() as {
      depth: number;
      bytes: number;
    };

  it("an insert that fails after thinning leaves depth, bytes and seq as on disk", () => {
    const ob = new Outbox({ dir: tempDir(), maxBytes: 64 * 1024, historyMs: 1e9, historyMaxBytes: 0 });
    for (let i = 0; i < 150; i++) ob.enqueue("metrics", "t/m", payload("metrics", 500));
    const before = ob.stats();
    // SQLite refuses the insert inside the transaction, as a full disk would: makeRoom has already
    // deleted rows by then, and the rollback puts them back.
    ob.db.exec(
      "CREATE TEMP TRIGGER fail BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'disk full'); END",
    );
    // Bigger than the room left, so each attempt thins metrics first.
    const pad = 64 * 1024 - before.bytes + 100;
    for (let i = 0; i < 5; i++)
      expect(() => ob.enqueue("event", "t/e", payload("event", pad))).toThrow(/disk full/);
    expect({ depth: ob.stats().depth, bytes: ob.stats().bytes }).toEqual(onDisk(ob));
    expect(ob.stats()).toMatchObject({ depth: before.depth, bytes: before.bytes, nextSeq: before.nextSeq });
    ob.db.exec("DROP TRIGGER fail");
    expect(ob.enqueue("event", "t/e", payload("event"))).toBe(before.nextSeq);
    expect({ depth: ob.stats().depth, bytes: ob.stats().bytes }).toEqual(onDisk(ob));
  });

  it("a failed ack flush keeps the counts and the acks for the next flush", () => {
    const ob = new Outbox({ dir: tempDir(), maxBytes: 1024 * 1024, historyMs: 1e9, historyMaxBytes: 1e6 });
    for (let i = 0; i < 10; i++) ob.enqueue("event", "t/e", payload("event"));
    ob.db.exec(
      "CREATE TEMP TRIGGER fail BEFORE DELETE ON outbox BEGIN SELECT RAISE(ABORT, 'disk full'); END",
    );
    for (let s = 1; s <= 5; s++) ob.ack(s);
    expect(() => ob.flushAcks()).toThrow(/disk full/);
    expect(ob.stats().depth).toBe(10);
    expect({ depth: ob.stats().depth, bytes: ob.stats().bytes }).toEqual(onDisk(ob));
    ob.db.exec("DROP TRIGGER fail");
    expect(ob.flushAcks()).toBe(5);
    expect(ob.stats().depth).toBe(5);
    expect({ depth: ob.stats().depth, bytes: ob.stats().bytes }).toEqual(onDisk(ob));
  });
});

describe("durable SQLite files", () => {
  it("cap SQLite's page cache, so a big outbox or months of history do not grow the agent's RSS", () => {
    const opened = openDurableDb(join(tempDir(), "capped.db"), "FULL", () => undefined);
    try {
      // better-sqlite3's own default is -16000 (16 MB per connection).
      expect(opened.db.pragma("cache_size", { simple: true })).toBe(-PAGE_CACHE_KIB);
      expect(PAGE_CACHE_KIB).toBeLessThanOrEqual(4096);
    } finally {
      opened.db.close();
    }
  });
});
