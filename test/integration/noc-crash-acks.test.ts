// @needs mosquitto
/**
 * kill -9 of a real station-noc process while stations keep publishing: the restarted NOC finds its
 * stored high-water marks level with what it acknowledged to the broker, so the broker's redelivery
 * continues every station's stream without a gap. No gap opens, no station is asked to resend, and
 * every event the stations sent is stored once.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqliteStorage } from "../../noc/storage/index.js";
import { StationSimulator } from "../../scripts/simulate-stations.js";
import { eventually, PrivateMosquitto } from "../support/mosquitto.js";
import { NocProcess, type CollectorStatus } from "../support/noc-process.js";

const ROOT = "cctns/crash";
const STATIONS = 20;

describe("NOC killed with -9 while stations publish", () => {
  const broker = new PrivateMosquitto();
  const dir = mkdtempSync(join(tmpdir(), "noc-crash-"));
  const db = join(dir, "noc.db");
  let noc: NocProcess;
  let sim: StationSimulator;

  beforeAll(async () => {
    await broker.start();
    noc = new NocProcess([
      ...["--mqtt-url", broker.url, "--root", ROOT, "--storage", db, "--instance", "noc-crash"],
      ...["--silent-after", "600", "--log-level", "warn"],
    ]);
    await noc.start();
    await eventually(async () => (await noc.api<CollectorStatus>("collector"))?.mqttConnected, 60_000, 200);
    sim = new StationSimulator({
      url: broker.url,
      root: ROOT,
      count: STATIONS,
      prefix: "CR",
      firstIndex: 1,
      districts: 3,
      intervalMs: 100,
      pool: 1,
      connectPerSecond: 100,
      keepaliveS: 30,
      eventEvery: 3,
    });
    await sim.start();
  }, 90_000);

  afterAll(async () => {
    await sim?.stop(false);
    await noc?.kill();
    await broker.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("resumes every station's stream without a gap, a resend request or a lost event", async () => {
    await eventually(async () => {
      const c = await noc.api<CollectorStatus>("collector");
      return c && c.stations >= STATIONS && c.accepted > 40 * STATIONS;
    }, 60_000);
    await noc.kill("SIGKILL");
    // Stations keep publishing into the NOC's session at the broker meanwhile.
    await sleep(1500);
    await noc.start();
    const first = await eventually(
      async () => {
        const c = await noc.api<CollectorStatus>("collector");
        return c?.mqttConnected && c;
      },
      60_000,
      200,
    );
    // Traffic after the restart: each station sends a few dozen more messages.
    await eventually(async () => {
      const c = await noc.api<CollectorStatus>("collector");
      return c && c.accepted > first.accepted + 30 * STATIONS;
    }, 60_000);
    const after = (await noc.api<CollectorStatus>("collector")) as CollectorStatus;
    expect(after.gaps).toMatchObject({ opened: 0, resendRequests: 0 });

    await sim.stop(false);
    const published = new Map(sim.stations.map((s) => [s.id, s.seq]));
    await eventually(async () => {
      for (const [id, seq] of published) {
        const d = await noc.api<{ lastSeq?: number }>(`stations/${id}`);
        if (d?.lastSeq !== seq) return false;
      }
      return true;
    }, 30_000);
    await noc.kill("SIGTERM"); // a clean stop writes everything out
    expect((await noc.api<CollectorStatus>("collector")) === undefined).toBe(true);

    const stored = new SqliteStorage(db);
    await stored.init();
    try {
      for (const st of sim.stations) {
        const sent = st.readHistory(1, st.seq).messages.filter((m) => m.topic === st.topics.event);
        const events = await stored.recentEvents(st.id, 100_000);
        expect(events.map((e) => e.seq).sort((a, b) => a - b)).toEqual(sent.map((m) => m.seq));
        expect(await stored.gaps(st.id, 10)).toEqual([]);
      }
    } finally {
      await stored.close();
    }
  }, 240_000);
});
