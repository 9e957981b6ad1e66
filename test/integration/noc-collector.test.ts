// @needs mosquitto tzdata
/** Collector semantics against a real Mosquitto, real SQLite and simulated stations running the real
 * agent command handler. */
import mqtt, { type MqttClient } from "mqtt";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NocApp } from "../../noc/app.js";
import { dayKey } from "../../noc/time.js";
import { StationSimulator } from "../../scripts/simulate-stations.js";
import { eventually, PrivateMosquitto } from "../support/mosquitto.js";
import { startTestNoc } from "../support/noc.js";

const ROOT = "cctns/colltest";

describe("station-noc collector", () => {
  const broker = new PrivateMosquitto();
  const dir = mkdtempSync(join(tmpdir(), "noc-collector-"));
  let noc: NocApp;
  let sim: StationSimulator;
  let raw: MqttClient;
  let api: (path: string) => Promise<Record<string, unknown>>;

  beforeAll(async () => {
    await broker.start();
    noc = await startTestNoc({
      mqttUrl: broker.url,
      root: ROOT,
      instance: "noc-test",
      storage: join(dir, "noc.db"),
      silentAfterS: 1.5,
      gapGraceS: 0.3,
      commandTimeoutS: 5,
      rollupS: 3600,
      adminToken: "collector-test-token",
    });
    api = async (path) =>
      (await (
        await fetch(new URL(path, noc.url), { headers: { authorization: "Bearer collector-test-token" } })
      ).json()) as Record<string, unknown>;
    sim = new StationSimulator({
      url: broker.url,
      root: ROOT,
      count: 6,
      prefix: "PS",
      firstIndex: 1,
      districts: 3,
      intervalMs: 0,
      pool: 1,
      connectPerSecond: 100,
      keepaliveS: 10,
    });
    await sim.start();
    raw = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: "noc-test-raw" });
    await eventually(
      () =>
        noc.fleet.stations.size === 6 &&
        // Up comes with the birth; power is the last retained state each birth publishes.
        [...noc.fleet.stations.values()].every((s) => s.row.status === "up" && s.row.info.power),
    );
  });

  afterAll(async () => {
    await raw?.endAsync();
    await sim?.stop(false);
    await noc?.stop();
    await broker.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers 413 to a request body over its 16 KiB limit, and serves on", async () => {
    // Signed in: an unauthenticated request is refused (401) before its body is read at all.
    const authorization = "Bearer collector-test-token";
    const big = await fetch(new URL("/api/v1/stations", noc.url), {
      method: "POST",
      headers: { authorization },
      body: "x".repeat(20_000),
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({
      error: "request body too large",
      code: "body-too-large",
      params: {},
    });
    expect((await fetch(new URL("/api/v1/stations", noc.url), { headers: { authorization } })).status).toBe(
      200,
    );
  });

  it("knows every station from its birth: district, links, devices, power", async () => {
    const d = await api("/api/v1/stations/PS00001");
    expect(d).toMatchObject({ id: "PS00001", status: "up", district: "Nagpur", activeLink: "mpls" });
    expect(d.power).toMatchObject({ state: "online", source: "mains" });
    expect((d.links as unknown[]).length).toBe(2);
    expect((d.devices as unknown[]).length).toBe(2);
    const s = await api("/api/v1/summary");
    expect(s).toMatchObject({ total: 6, up: 6, down: 0 });
    expect(
      (s.districts as { district: string; total: number }[]).map((x) => `${x.district}:${x.total}`),
    ).toEqual(["Nagpur:2", "Nashik:2", "Pune:2"]);
  });

  it("deduplicates by seq: a redelivered message is counted once", async () => {
    const st = sim.station("PS00002");
    await st.metrics();
    await st.event("printer.paper-out", { device: "printer1" });
    const payload = JSON.stringify({
      station: "PS00002",
      seq: st.seq,
      time: new Date().toISOString(),
      clockSynced: true,
      type: "printer.paper-out",
      data: { device: "printer1" },
    });
    const dupsBefore = noc.stats.duplicates;
    await raw.publishAsync(st.topics.event, payload, { qos: 1 });
    await raw.publishAsync(st.topics.event, payload, { qos: 1 });
    await eventually(() => noc.stats.duplicates === dupsBefore + 2);
    await noc.flush(true);
    const events = await noc.storage.recentEvents("PS00002", 10);
    expect(events.filter((e) => e.seq === st.seq).length).toBe(1);
    expect(noc.fleet.stations.get("PS00002")?.row.lastSeq).toBe(st.seq);
  });

  it("stores an event whose data breaks its schema, counts it by type and keeps the seq whole", async () => {
    const st = sim.station("PS00002");
    const seq = st.seq + 1;
    st.seq = seq;
    const before = noc.stats.eventDataMismatches["printer.paper-out"] ?? 0;
    const payload = {
      station: "PS00002",
      seq,
      time: new Date().toISOString(),
      clockSynced: true,
      type: "printer.paper-out",
      data: { device: 7 },
    };
    await raw.publishAsync(st.topics.event, JSON.stringify(payload), { qos: 1 });
    await eventually(() => noc.stats.eventDataMismatches["printer.paper-out"] === before + 1);
    expect(noc.fleet.stations.get("PS00002")?.row.lastSeq).toBe(seq);
    expect((noc.stats.toJSON().eventDataMismatches as Record<string, number>)["printer.paper-out"]).toBe(
      before + 1,
    );
  });

  it("detects a seq gap, asks for a resend and closes the gap when it is filled", async () => {
    const st = sim.station("PS00003");
    await st.metrics();
    const closedBefore = noc.stats.gapsClosed;
    const from = st.seq + 1;
    st.withhold = 3;
    for (let i = 0; i < 4; i++) await st.metrics();
    const to = from + 2;
    const gaps = await eventually(async () => {
      await noc.flush(true);
      const g = await noc.storage.gaps("PS00003", 5);
      return g.find((x) => x.fromSeq === from && x.status === "closed") && g;
    });
    const gap = gaps.find((x) => x.fromSeq === from);
    expect(gap).toMatchObject({ toSeq: to, status: "closed", lost: 0, remaining: [] });
    expect(gap?.requests).toBeGreaterThanOrEqual(1);
    expect(noc.fleet.stations.get("PS00003")?.seq.gaps).toEqual([]);
    expect(noc.stats.resendRequests).toBeGreaterThanOrEqual(1);
    // The station's reply comes after the resent messages closed the gap; it must not count it again.
    await eventually(() => noc.commands.inFlight() === 0);
    expect(noc.stats.gapsClosed - closedBefore).toBe(1);
  });

  it("marks a gap permanent loss when the station no longer has the data", async () => {
    const st = sim.station("PS00004");
    await st.metrics();
    const from = st.seq + 1;
    st.withhold = 4;
    for (let i = 0; i < 5; i++) await st.metrics();
    st.forget(from, from + 1); // two of the four have left the station's history
    const gap = await eventually(async () => {
      await noc.flush(true);
      return (await noc.storage.gaps("PS00004", 5)).find((x) => x.fromSeq === from && x.status !== "open");
    });
    expect(gap).toMatchObject({
      fromSeq: from,
      toSeq: from + 3,
      status: "permanent",
      lost: 2,
      remaining: [],
    });
  });

  it("a Last Will marks the station dark with a probable cause, and it shows in the dark list", async () => {
    const st = sim.station("PS00005");
    await st.setPower(true);
    await eventually(() => noc.fleet.stations.get("PS00005")?.row.info.power?.source === "battery");
    sim.kill("PS00005");
    const row = await eventually(() => {
      const r = noc.fleet.stations.get("PS00005")?.row;
      return r?.status === "down" && r;
    });
    expect(row).toMatchObject({ cause: "power" });
    expect(row.info.offlineCause).toBe("connection-lost");
    const dark = (await api("/api/v1/dark")) as { items: { id: string; cause: string }[] };
    expect(dark.items.find((i) => i.id === "PS00005")).toMatchObject({ cause: "power" });
  });

  it("outage records from the station feed the day's availability", async () => {
    const start = Date.now();
    await sim.outage("PS00006", "network", 1500);
    const ms = Date.now() - start;
    await eventually(async () => {
      await noc.flush(true);
      return (await noc.storage.outages("PS00006", { from: start - 1000, to: Date.now() })).length === 1;
    });
    const rows = await noc.rollup.computeDay(dayKey(Date.now(), "Asia/Kolkata"));
    const r = rows.find((x) => x.station === "PS00006");
    expect(r).toBeDefined();
    // The record (about 1.5 s, link mpls) overrides what the NOC saw; nothing is left unattributed.
    expect(r!.down.network).toBeGreaterThanOrEqual(1.4);
    expect(r!.down.network).toBeLessThanOrEqual(ms / 1000 + 0.5);
    expect(r!.networkLinks.mpls).toBe(r!.down.network);
    expect(r!.down.unattributed).toBeLessThan(0.5);
    expect(r!.down.power + r!.down.agent).toBe(0);
    expect(r!.upS + r!.unknownS + r!.down.network + r!.down.unattributed).toBeCloseTo(r!.windowS, 3);
    expect(noc.fleet.stations.get("PS00006")?.row.status).toBe("up");
  });

  it("counts malformed and foreign messages with a reason and keeps collecting", async () => {
    const before = { ...noc.stats.invalidByReason };
    const n = (k: string) => (noc.stats.invalidByReason[k] ?? 0) - (before[k] ?? 0);
    await raw.publishAsync(`${ROOT}/PS00001/metrics`, "{not json", { qos: 1 });
    await raw.publishAsync(`${ROOT}/PS00001/metrics`, JSON.stringify({ station: "PS00001", seq: -1 }), {
      qos: 1,
    });
    await raw.publishAsync(
      `${ROOT}/PS00001/event`,
      JSON.stringify({
        station: "PS00009",
        seq: 1,
        time: new Date().toISOString(),
        clockSynced: true,
        type: "x",
        data: {},
      }),
      { qos: 1 },
    );
    await raw.publishAsync(`${ROOT}/PS00001/nonsense`, "{}", { qos: 1 });
    await raw.publishAsync(`${ROOT}/PS00001/event`, Buffer.from([0xff, 0xfe, 0x00]), { qos: 1 });
    await eventually(
      () => n("json") === 2 && n("schema:metrics") === 1 && n("station-mismatch") === 1 && n("topic") === 1,
    );
    const st = sim.station("PS00001");
    await st.metrics();
    await eventually(() => noc.fleet.stations.get("PS00001")?.row.lastSeq === st.seq);
    const c = await api("/api/v1/collector");
    expect((c.recentRejects as { reason: string }[]).map((r) => r.reason)).toContain("station-mismatch");
  });

  it("a station silent without a Last Will becomes unknown, and comes back", async () => {
    const st = sim.station("PS00001");
    st.mode = "silent";
    const row = await eventually(() => {
      const r = noc.fleet.stations.get("PS00001")?.row;
      return r?.status === "unknown" && r;
    });
    expect(row.cause).toBe("silent");
    st.mode = "live";
    await st.metrics();
    await eventually(() => noc.fleet.stations.get("PS00001")?.row.status === "up");
  });
});
