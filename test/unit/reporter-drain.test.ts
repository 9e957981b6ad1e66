// The reporter's two-cursor drain against a real on-disk outbox, a scripted broker and a manual clock:
// what goes out first, what a PUBACK in any order does, and what a dropped connection sends again.
import { describe, expect, it } from "vitest";
import { stationTopics } from "../../contract/index.js";
import { createLogger } from "../../agent/log.js";
import { Outbox } from "../../agent/outbox.js";
import type { BrokerPublisher } from "../../agent/ports.js";
import { Reporter } from "../../agent/reporter.js";
import { tempDir } from "../support/agent-process.js";
import { ManualClock } from "../support/recording-sinks.js";

interface Sent {
  topic: string;
  payload: string;
  retain: boolean;
  ack(): void;
  fail(): void;
}

/** A broker whose PUBACKs the test hands out, in whatever order it likes. */
class ScriptedBroker implements BrokerPublisher {
  connected = false;
  readonly sent: Sent[] = [];
  publish(topic: string, payload: string | Buffer, options: { retain?: boolean }): Promise<void> {
    return new Promise((resolve, reject) => {
      this.sent.push({
        topic,
        payload: String(payload),
        retain: options.retain === true,
        ack: resolve,
        fail: () => reject(new Error("connection lost")),
      });
    });
  }
  /** Durable messages sent so far, by seq. */
  seqs(from = 0): number[] {
    return this.sent
      .slice(from)
      .filter((s) => !s.retain)
      .map((s) => (JSON.parse(s.payload) as { seq: number }).seq);
  }
  pending(): Sent[] {
    return this.sent.filter((s) => !s.retain);
  }
}

const settle = () => new Promise<void>((r) => setImmediate(r));

function setup(inflight: number) {
  const clock = new ManualClock();
  const outbox = new Outbox({
    dir: tempDir(),
    maxBytes: 1e7,
    historyMs: 1e9,
    historyMaxBytes: 1e7,
    now: () => clock.now(),
  });
  const broker = new ScriptedBroker();
  const flushes: (() => void)[] = [];
  const reporter = new Reporter({
    station: "PS1",
    topics: stationTopics("t", "PS1"),
    session: broker,
    outbox,
    clock,
    log: createLogger("silent"),
    inflight,
    defer: (fn) => flushes.push(fn),
  });
  const flush = () => flushes.splice(0).forEach((f) => f());
  const paperOut = (n: number) => reporter.event("printer.paper-near-end", { device: `printer${n}` });
  return { clock, outbox, broker, reporter, flush, paperOut };
}

describe("reporter drain", () => {
  it("sends the backlog oldest first, but live messages before the rest of the backlog", async () => {
    const { broker, reporter, clock, paperOut } = setup(2);
    for (let i = 1; i <= 5; i++) paperOut(i); // seqs 1-5, queued while offline
    clock.advance(60_000);
    broker.connected = true;
    reporter.onConnected();
    expect(broker.seqs()).toEqual([1, 2]);
    paperOut(6); // accepted during the connection
    paperOut(7);
    broker.pending()[0]!.ack();
    await settle();
    expect(broker.seqs()).toEqual([1, 2, 6]);
    for (const s of broker.pending().slice(1)) s.ack();
    await settle();
    expect(broker.seqs()).toEqual([1, 2, 6, 7, 3]);
    while (broker.seqs().length < 7) {
      for (const s of broker.pending()) s.ack();
      await settle();
    }
    expect(broker.seqs()).toEqual([1, 2, 6, 7, 3, 4, 5]);
    // The backlog is marked historical; the live messages went out on time and are not.
    const historical = broker
      .pending()
      .map((s) => JSON.parse(s.payload) as { seq: number; historical?: true })
      .filter((p) => p.historical)
      .map((p) => p.seq);
    expect(historical).toEqual([1, 2, 3, 4, 5]);
  });

  it("keeps the window full and loses nothing when PUBACKs come back in reverse order", async () => {
    const { broker, reporter, outbox, flush, paperOut } = setup(4);
    for (let i = 1; i <= 20; i++) paperOut(i);
    broker.connected = true;
    reporter.onConnected();
    let acked = 0;
    while (acked < 20) {
      const open = broker.pending().slice(acked);
      expect(open.length).toBe(Math.min(4, 20 - acked)); // never more than `inflight`, never fewer
      for (const s of [...open].reverse()) s.ack();
      acked += open.length;
      await settle();
    }
    expect(broker.seqs()).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(outbox.stats().depth).toBe(20); // acks are applied in one batch...
    flush();
    expect(outbox.stats().depth).toBe(0); // ...and then the outbox is empty
    expect(reporter.inFlightCount).toBe(0);
  });

  it("sends again, after a reconnect, exactly what the broker had not acknowledged", async () => {
    const { broker, reporter, outbox, flush, paperOut } = setup(3);
    for (let i = 1; i <= 6; i++) paperOut(i);
    broker.connected = true;
    reporter.onConnected();
    const [first, second, third] = broker.pending();
    third!.ack(); // seq 3 acknowledged out of order, 1 and 2 never
    await settle();
    flush();
    broker.connected = false;
    for (const s of broker.pending()) s.fail();
    await settle();
    const before = broker.sent.length;
    broker.connected = true;
    reporter.onConnected();
    for (let round = 0; round < 5; round++) {
      for (const s of broker.sent.slice(before)) if (!s.retain) s.ack();
      await settle();
    }
    flush();
    expect(first && second).toBeTruthy();
    expect(broker.seqs(before)).toEqual([1, 2, 4, 5, 6]);
    expect(outbox.stats().depth).toBe(0);
  });

  it("marks a live message historical when it goes out more than 10 s after it was accepted", async () => {
    const { broker, reporter, clock, paperOut } = setup(1);
    broker.connected = true;
    reporter.onConnected();
    paperOut(1);
    paperOut(2); // waits behind seq 1 (inflight 1)
    clock.advance(11_000);
    broker.pending()[0]!.ack();
    await settle();
    const [one, two] = broker.pending().map((s) => JSON.parse(s.payload) as { historical?: true });
    expect(one?.historical).toBeUndefined();
    expect(two?.historical).toBe(true);
  });

  it("sends a resend's rows again marked historical, one after another", async () => {
    const { broker, reporter, outbox, flush, paperOut } = setup(4);
    broker.connected = true;
    reporter.onConnected();
    for (let i = 1; i <= 3; i++) paperOut(i);
    for (const s of broker.pending()) s.ack();
    await settle();
    flush();
    const before = broker.sent.length;
    const done = reporter.resend(outbox.readForResend(1, 3));
    for (let i = 0; i < 3; i++) {
      await settle();
      expect(broker.sent.length).toBe(before + i + 1); // the next only after the previous PUBACK
      broker.sent.at(-1)!.ack();
    }
    await done;
    const again = broker.sent
      .slice(before)
      .map((s) => JSON.parse(s.payload) as { seq: number; historical?: true });
    expect(again.map((p) => [p.seq, p.historical])).toEqual([
      [1, true],
      [2, true],
      [3, true],
    ]);
  });

  it("republishes retained state only when more than its time changed, and all of it on connect", () => {
    const { broker, reporter, clock } = setup(1);
    broker.connected = true;
    const power = (state: "online" | "on-battery") => ({
      station: "PS1",
      time: new Date(clock.now()).toISOString(),
      source: state === "online" ? ("mains" as const) : ("battery" as const),
      mainsPresent: state === "online",
      batteryPct: 100,
      runtimeS: 3600,
      state,
      since: "2026-03-01T09:00:00.000Z",
    });
    reporter.power(power("online"));
    clock.advance(60_000);
    reporter.power(power("online"));
    reporter.power(power("on-battery"));
    expect(broker.sent.map((s) => (JSON.parse(s.payload) as { state: string }).state)).toEqual([
      "online",
      "on-battery",
    ]);
    reporter.onConnected();
    expect(broker.sent.slice(2).map((s) => s.topic)).toEqual(["t/PS1/state", "t/PS1/power"]);
  });
});
