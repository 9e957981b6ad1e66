// @needs mosquitto
/**
 * A station that went quiet without a Last Will (the broker lost it) still has its retained birth at the
 * broker. A NOC starting afterwards reads that birth on subscribing: it must not count the station up.
 * The stored status (or unknown for a station it never stored) stands until the station sends live.
 */
import mqtt, { type MqttClient } from "mqtt";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultOptions, NocApp } from "../../noc/app.js";
import { VirtualStation } from "../../scripts/sim/virtual-station.js";
import { eventually, PrivateMosquitto } from "../support/mosquitto.js";

const ROOT = "cctns/retained";

describe("retained birth after a NOC restart", () => {
  const broker = new PrivateMosquitto();
  const dir = mkdtempSync(join(tmpdir(), "noc-retained-"));
  const apps: NocApp[] = [];
  const st = new VirtualStation({ id: "RB00001", name: "Retained PS", district: "Pune", root: ROOT });
  let client: MqttClient | undefined;

  const startNoc = async (storage: string, instance: string) => {
    const app = new NocApp(
      defaultOptions({
        mqttUrl: broker.url,
        root: ROOT,
        instance,
        storage: join(dir, storage),
        httpPort: 0,
        silentAfterS: 600,
        flushMs: 50,
        sweepMs: 200,
        rollupS: 3600,
      }),
      { log: pino({ level: "silent" }) },
    );
    apps.push(app);
    await app.start();
    await app.ready;
    return app;
  };

  /** The station's own connection, without a Last Will: a clean disconnect leaves no offline state. */
  const connectStation = async () => {
    const c = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: `st-${st.id}` });
    client = c;
    st.transport = {
      publish: async (topic, payload, o) => {
        await c.publishAsync(topic, payload, { qos: o.qos, retain: o.retain ?? false });
      },
    };
  };

  beforeAll(() => broker.start());
  afterAll(async () => {
    for (const a of apps) await a.stop();
    await client?.endAsync();
    await broker.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps the stored status, or unknown, until the station itself speaks", async () => {
    const first = await startNoc("noc.db", "noc-rb");
    await connectStation();
    await st.birth();
    await st.metrics();
    await eventually(() => first.fleet.stations.get(st.id)?.row.status === "up");
    // The station goes quiet and its Will is lost: only the retained birth is left at the broker.
    await client?.endAsync();
    client = undefined;
    await first.stop();

    const restarted = await startNoc("noc.db", "noc-rb");
    const fresh = await startNoc("other.db", "noc-rb-fresh");
    for (const noc of [restarted, fresh]) {
      const live = await eventually(() => {
        const l = noc.fleet.stations.get(st.id);
        return l?.row.info.bootId !== undefined && l;
      });
      // What the station is comes from the birth; whether it is up does not.
      expect(live.row.info.agentVersion).toBeDefined();
      expect(live.row.status).toBe("unknown");
      expect(live.row.lastSeen === undefined || live.row.lastSeen < Date.now() - 100).toBe(true);
    }
    // Give the NOCs time to (wrongly) change their mind before the station speaks.
    await new Promise((r) => setTimeout(r, 500));
    expect(restarted.fleet.stations.get(st.id)?.row.status).toBe("unknown");
    expect(fresh.fleet.stations.get(st.id)?.row.status).toBe("unknown");

    await connectStation();
    await st.metrics();
    await eventually(() => restarted.fleet.stations.get(st.id)?.row.status === "up");
    await eventually(() => fresh.fleet.stations.get(st.id)?.row.status === "up");
  });
});
