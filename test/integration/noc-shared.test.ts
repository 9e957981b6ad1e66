// @needs mosquitto
/**
 * Two collectors behind one shared subscription, one dashboard instance, one PostgreSQL: every event is
 * stored exactly once, the dashboard sees every station and a Last Will, and a broker that splits each
 * station's stream between collectors (Mosquitto's $share is round-robin) is detected instead of
 * causing a resend storm.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NocApp, NocOptions } from "../../noc/app.js";
import { PostgresStorage } from "../../noc/storage/index.js";
import { StationSimulator } from "../../scripts/simulate-stations.js";
import { eventually, PrivateMosquitto } from "../support/mosquitto.js";
import { startTestNoc } from "../support/noc.js";

const ROOT = "cctns/shared";
const PG_URL = process.env.NOC_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";
const schema = `noc_shared_${process.pid}_${Date.now().toString(36)}`;

describe("shared subscription: several collectors, one dashboard", () => {
  const broker = new PrivateMosquitto();
  const apps: NocApp[] = [];
  let a: NocApp;
  let b: NocApp;
  let dash: NocApp;
  let sim: StationSimulator;

  const TOKEN = "noc-shared-test-token";
  const AUTH = { headers: { authorization: `Bearer ${TOKEN}` } };
  const make = async (over: Partial<NocOptions>) => {
    const app = await startTestNoc({
      mqttUrl: broker.url,
      root: ROOT,
      storage: `${PG_URL}?schema=${schema}`,
      livenessFlushMs: 300,
      silentAfterS: 60,
      refreshS: 1,
      adminToken: TOKEN,
      ...over,
    });
    apps.push(app);
    return app;
  };

  beforeAll(async () => {
    await broker.start();
    a = await make({ instance: "noc-a", shareGroup: "nocs", role: "collector" });
    b = await make({ instance: "noc-b", shareGroup: "nocs", role: "collector" });
    dash = await make({ instance: "noc-dash", role: "dashboard" });
    sim = new StationSimulator({
      url: broker.url,
      root: ROOT,
      count: 4,
      prefix: "SH",
      firstIndex: 1,
      districts: 2,
      intervalMs: 0,
      pool: 1,
      connectPerSecond: 50,
      keepaliveS: 10,
    });
    await sim.start();
  });

  afterAll(async () => {
    await sim?.stop(false);
    for (const app of apps.reverse()) await app.stop();
    const pg = new PostgresStorage({ connectionString: PG_URL, schema });
    await pg.init();
    await pg.dropSchema();
    await pg.close();
    await broker.dispose();
  });

  it("stores every event once, whichever collector got it, and the dashboard sees every station", async () => {
    for (let round = 0; round < 10; round++)
      for (const st of sim.stations) await st.event("printer.paper-near-end", { device: `printer-${round}` });
    const total = sim.stations.length * 10;
    await eventually(async () => {
      await Promise.all(apps.map((x) => x.flush(true)));
      let n = 0;
      for (const st of sim.stations) n += (await a.storage.recentEvents(st.id, 100)).length;
      return n === total;
    }, 20_000);
    // The broker split the messages between the two collectors.
    expect(a.stats.accepted).toBeGreaterThan(0);
    expect(b.stats.accepted).toBeGreaterThan(0);
    await eventually(
      () => sim.stations.every((st) => dash.fleet.stations.get(st.id)?.row.status === "up"),
      10_000,
    );
    const summary = (await (await fetch(new URL("/api/v1/summary", dash.url), AUTH)).json()) as {
      total: number;
      up: number;
    };
    expect(summary).toMatchObject({ total: 4, up: 4 });
  });

  it("notices that the broker splits a station's stream and stops gap tracking for it", async () => {
    // Mosquitto deals shared messages round-robin: one station publishing alone alternates collectors.
    const st = sim.station("SH00001");
    for (let i = 0; i < 20; i++) await st.metrics();
    // Detection takes a grace time (liveness rows of the other collector, or a resend that does not
    // come back here): allow for a loaded machine.
    // Keep the split stream flowing (one message a second) while detection waits, as a live station would.
    let polls = 0;
    const detector = await eventually(async () => {
      if (++polls % 20 === 0) await st.metrics();
      return [a, b].find((x) => x.fleet.stations.get("SH00001")?.seq.loose);
    }, 45_000);
    expect(detector.stats.splitStreams).toBeGreaterThan(0);
    expect(a.stats.accepted + b.stats.accepted).toBeGreaterThan(0);
    const tracker = detector.fleet.stations.get("SH00001")?.seq;
    expect(tracker?.loose).toBe(true);
    expect(tracker?.gaps).toEqual([]);
    // From now on accepted as it comes, with no gap and no resend storm.
    const before = detector.stats.accepted;
    for (let i = 0; i < 10; i++) await st.metrics();
    await eventually(() => detector.stats.accepted >= before + 4);
    expect(tracker?.gaps).toEqual([]);
    expect(a.stats.resendRequests + b.stats.resendRequests).toBeLessThanOrEqual(6);
  });

  it("shows a station dark on the dashboard when its Last Will reaches either collector", async () => {
    sim.kill("SH00002");
    const row = await eventually(() => {
      const r = dash.fleet.stations.get("SH00002")?.row;
      return r?.status === "down" && r;
    }, 15_000);
    expect(row.info.offlineCause).toBe("connection-lost");
    const dark = (await (await fetch(new URL("/api/v1/dark", dash.url), AUTH)).json()) as {
      items: { id: string }[];
    };
    expect(dark.items.map((i) => i.id)).toEqual(["SH00002"]);
  });
});
