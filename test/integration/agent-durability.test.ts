// @needs mosquitto
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Outbox } from "../../agent/outbox.js";
import { EventPayload, MetricsPayload, StatePayload } from "../../contract/index.js";
import { AgentProcess, tempDir, writeConfig } from "../support/agent-process.js";
import { Collector, seqs, type Received } from "../support/collector.js";
import { PrivateMosquitto } from "../support/mosquitto.js";

const ROOT_TOPIC = "cctns/test";
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function stationConfig(id: string, dir: string, url: string, extra: Record<string, unknown> = {}) {
  return writeConfig(dir, {
    station: { id, district: "Test" },
    mqtt: { url, topicRoot: ROOT_TOPIC, keepalive: 5, reconnect: { minMs: 200, maxMs: 1000 } },
    storage: { dir: join(dir, "state"), maxBytes: 64 * 1024 * 1024 },
    metrics: { intervalMs: 1000 },
    ledger: { heartbeatMs: 500 },
    api: { enabled: false },
    clock: { assumeSynced: true },
    log: { level: "warn" },
    ...extra,
  });
}

async function startAll(id: string, extra: Record<string, unknown> = {}) {
  const broker = await PrivateMosquitto.start();
  cleanups.push(() => broker.stop());
  const dir = tempDir();
  const agent = new AgentProcess(stationConfig(id, dir, broker.url, extra));
  cleanups.push(() => agent.kill());
  const col = await Collector.connect(broker.url, `${ROOT_TOPIC}/${id}/#`);
  cleanups.push(() => col.end());
  return { broker, dir, agent, col };
}

/** Every seq from 1 to max arrived at least once: no gap. */
function assertNoGap(msgs: Received[]): number {
  const got = new Set(seqs(msgs));
  const max = Math.max(...got);
  const missing = [];
  for (let s = 1; s <= max; s++) if (!got.has(s)) missing.push(s);
  expect(missing).toEqual([]);
  return max;
}

describe("agent against a real Mosquitto", () => {
  it("publishes a valid retained birth, durable metrics and events, and a clean-shutdown state", async () => {
    const { agent, col } = await startAll("PS-BIRTH");
    agent.start();
    await col.waitFor((m) => m.some((x) => x.topic.endsWith("/metrics")), 20_000, "first metrics");
    const birth = col.on("/state")[0]!;
    expect(StatePayload.parse(birth.payload)).toMatchObject({ online: true, station: "PS-BIRTH" });
    for (const m of col.on("/metrics")) MetricsPayload.parse(m.payload);
    for (const e of col.on("/event")) EventPayload.parse(e.payload);
    expect(col.on("/event").map((e) => e.payload.type)).toContain("agent.started");
    expect(await agent.kill("SIGTERM")).toBe(0);
    expect(await col.offlineState()).toMatchObject({ online: false, cause: "shutdown" });
    expect(col.on("/state").at(-1)!.payload).toMatchObject({ online: false, cause: "shutdown" });
    expect(col.on("/event").map((e) => e.payload.type)).toContain("agent.stopped");
  });

  it("delivers the Last Will when the agent is killed with -9, and the restart reports an agent outage", async () => {
    const { agent, col } = await startAll("PS-WILL");
    agent.start();
    await col.waitFor((m) => m.some((x) => x.topic.endsWith("/metrics")), 20_000, "first metrics");
    await agent.kill("SIGKILL");
    // keepalive 5 s: the broker notices within 1.5 x keepalive and publishes the will.
    await col.waitFor(
      (m) => m.some((x) => x.topic.endsWith("/state") && x.payload.cause === "connection-lost"),
      20_000,
      "will",
    );
    await new Promise((r) => setTimeout(r, 5500));
    agent.start();
    await col.waitFor((m) => m.some((x) => x.payload.type === "outage"), 20_000, "outage event");
    const outage = col.messages.find((x) => x.payload.type === "outage")!.payload;
    expect(outage.data).toMatchObject({ cause: "agent" });
    expect((outage.data as { durationS: number }).durationS).toBeGreaterThanOrEqual(5);
    assertNoGap(col.on("/event").concat(col.on("/metrics")));
  });

  it("keeps every seq across a 30 s broker outage and marks the replayed ones historical", async () => {
    const { broker, agent, col } = await startAll("PS-OUTAGE");
    agent.start();
    await col.waitFor((m) => seqs(m).length >= 3, 20_000, "3 durable messages");
    // The collector stays: its persistent session survives the broker restart (persistence is on), so
    // what the agent sends before the collector is back is queued for it, not missed.
    await broker.stop();
    await new Promise((r) => setTimeout(r, 30_000));
    await broker.start();
    await col.waitFor((m) => m.some((x) => x.payload.type === "outage"), 30_000, "network outage event");
    await new Promise((r) => setTimeout(r, 2500));
    const max = assertNoGap(col.messages.filter((m) => typeof m.payload.seq === "number"));
    expect(max).toBeGreaterThan(25);
    const replayed = col.messages.filter(
      (m) => m.topic.endsWith("/metrics") && m.payload.historical === true,
    );
    expect(replayed.length).toBeGreaterThanOrEqual(20);
    const outage = col.messages.find((x) => x.payload.type === "outage")!.payload.data as {
      cause: string;
      durationS: number;
    };
    expect(outage.cause).toBe("network");
    expect(outage.durationS).toBeGreaterThanOrEqual(25);
  });

  it("loses no seq when killed -9 at random moments during a replay", async () => {
    const { broker, dir, agent, col } = await startAll("PS-REPLAY");
    // A backlog as after a long outage: 20,000 events already accepted into the outbox.
    const ob = new Outbox({
      dir: join(dir, "state"),
      maxBytes: 64 * 1024 * 1024,
      historyMs: 86_400_000,
      historyMaxBytes: 1e9,
    });
    for (let i = 0; i < 20_000; i++) {
      ob.enqueue("event", `${ROOT_TOPIC}/PS-REPLAY/event`, (seq) =>
        JSON.stringify({
          station: "PS-REPLAY",
          seq,
          time: new Date().toISOString(),
          clockSynced: true,
          type: "test.backlog",
          data: { i },
        }),
      );
    }
    ob.close();
    for (let round = 0; round < 4; round++) {
      agent.start();
      const before = col.messages.length;
      await col.waitFor((m) => m.length > before + 50, 30_000, "replay progress");
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 400)));
      await agent.kill("SIGKILL");
    }
    agent.start();
    await col.waitFor((m) => new Set(seqs(m)).size >= 20_000 + 8, 120_000, "whole backlog");
    await new Promise((r) => setTimeout(r, 1500));
    assertNoGap(col.messages);
    void broker;
  });

  it("moves a corrupt outbox aside, reports it, and keeps running", async () => {
    const { dir, agent, col } = await startAll("PS-CORRUPT");
    const state = join(dir, "state");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(state, { recursive: true });
    writeFileSync(join(state, "outbox.db"), Buffer.alloc(8192, 0x5a));
    agent.start();
    await col.waitFor(
      (m) => m.some((x) => x.payload.type === "storage.corrupt"),
      20_000,
      "storage.corrupt event",
    );
    const ev = col.messages.find((x) => x.payload.type === "storage.corrupt")!.payload.data as {
      store: string;
      movedTo: string;
    };
    expect(ev.store).toBe("outbox");
    expect(ev.movedTo).toContain("outbox.db.corrupt-");
    await col.waitFor((m) => m.some((x) => x.topic.endsWith("/metrics")), 20_000, "metrics after recovery");
  });

  it("thins old metrics past storage.maxBytes, counts what it dropped and keeps the events", async () => {
    const { broker, dir, agent, col } = await startAll("PS-FULL", {});
    await broker.stop();
    const state = join(dir, "state");
    const ob = new Outbox({
      dir: state,
      maxBytes: 64 * 1024 * 1024,
      historyMs: 86_400_000,
      historyMaxBytes: 1e9,
    });
    for (let i = 0; i < 600; i++) {
      ob.enqueue(
        i % 10 === 0 ? "event" : "metrics",
        `${ROOT_TOPIC}/PS-FULL/${i % 10 === 0 ? "event" : "metrics"}`,
        (seq) =>
          JSON.stringify({
            station: "PS-FULL",
            seq,
            time: new Date().toISOString(),
            clockSynced: true,
            type: "test.fill",
            pad: "x".repeat(200),
            data: {},
          }),
      );
    }
    ob.close();
    const small = stationConfig("PS-FULL", dir, broker.url, { storage: { dir: state, maxBytes: 65536 } });
    const agent2 = new (agent.constructor as typeof AgentProcess)(small);
    cleanups.push(() => agent2.kill());
    agent2.start();
    await new Promise((r) => setTimeout(r, 4000));
    await broker.start();
    await col.waitFor(
      (m) =>
        m.some(
          (x) => x.topic.endsWith("/metrics") && (x.payload.dropped as { metrics: number })?.metrics > 0,
        ),
      30_000,
      "dropped count",
    );
    const fills = () =>
      col.messages.filter((x) => x.payload.type === "test.fill" && x.topic.endsWith("/event"));
    await col.waitFor(() => fills().length >= 60, 60_000, "all 60 backlog events");
    expect(new Set(fills().map((f) => f.payload.seq)).size).toBe(60);
    // Metrics from the backlog were thinned: fewer than the 540 queued arrive.
    expect(
      col.messages.filter((x) => x.payload.type === "test.fill" && x.topic.endsWith("/metrics")).length,
    ).toBeLessThan(540);
    const dropped = col.messages.find(
      (x) => x.topic.endsWith("/metrics") && (x.payload.dropped as { metrics: number } | undefined)?.metrics,
    )!;
    expect((dropped.payload.dropped as { events: number }).events).toBe(0);
  });
});
