// @needs mosquitto
/**
 * Issue 14, NOC 3: payload sizes. On a real Mosquitto with the shipped max_packet_size and a real NOC:
 * a 150 MB station name never reaches the NOC, the NOC itself refuses an oversize payload without
 * parsing it, and 20,000 retained link topics from one station are capped.
 */
import mqtt, { type MqttClient } from "mqtt";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_LINKS, stationTopics } from "../../contract/index.js";
import { defaultOptions, NocApp } from "../../noc/app.js";
import { MAX_PAYLOAD_BYTES } from "../../noc/validate.js";
import * as P from "../../scripts/sim/payloads.js";
import { eventually, PrivateMosquitto } from "../support/mosquitto.js";

const ROOT = "cctns/bounds";
const silent = { warn: () => undefined, info: () => undefined, error: () => undefined } as never;
const SHIPPED = new URL("../../noc/mosquitto/mosquitto.conf", import.meta.url).pathname;

const identity = (id: string, name: string): P.SimIdentity => ({
  id,
  name,
  district: "Pune",
  bootId: "b1",
  bootTime: new Date().toISOString(),
  startedAt: new Date().toISOString(),
});

describe("payload bounds", () => {
  const packetLimit = readFileSync(SHIPPED, "utf8")
    .split("\n")
    .find((l) => l.startsWith("max_packet_size"));
  const broker = new PrivateMosquitto(packetLimit ? [packetLimit] : []);
  const dir = mkdtempSync(join(tmpdir(), "noc-bounds-"));
  let noc: NocApp;
  let station: MqttClient;

  beforeAll(async () => {
    await broker.start();
    noc = new NocApp(
      defaultOptions({
        mqttUrl: broker.url,
        root: ROOT,
        instance: "noc-bounds",
        storage: join(dir, "noc.db"),
        httpPort: 0,
        flushMs: 50,
        rollupS: 3600,
      }),
      { log: silent },
    );
    await noc.start();
    await noc.ready;
    station = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: "PS-B1" });
  });

  afterAll(async () => {
    await station?.endAsync(true);
    await noc?.stop();
    await broker.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("the shipped broker config limits the packet size", () => {
    expect(packetLimit).toMatch(/^max_packet_size \d+$/);
  });

  it("a 150 MB station name is refused by the broker and never reaches the NOC", async () => {
    const huge = mqtt.connect(broker.url, { protocolVersion: 5, clientId: "PS-HUGE", reconnectPeriod: 0 });
    await new Promise<void>(
      (resolve, reject) => (huge.once("connect", () => resolve()), huge.once("error", reject)),
    );
    const closed = new Promise<void>((resolve) => huge.once("close", () => resolve()));
    const birth = P.birth(identity("PS-HUGE", "x".repeat(150 * 1024 * 1024)), [], [], Date.now());
    huge.publish(stationTopics(ROOT, "PS-HUGE").state, JSON.stringify(birth), { qos: 1, retain: true });
    await closed; // the broker drops a client that announces a too-large packet
    huge.end(true);
    // A small birth from the same station afterwards arrives; the huge one never did.
    await station.publishAsync(
      stationTopics(ROOT, "PS-HUGE").state,
      JSON.stringify(P.birth(identity("PS-HUGE", "Huge PS"), [], [], Date.now())),
      { qos: 1, retain: true },
    );
    await eventually(() => noc.fleet.stations.get("PS-HUGE")?.row.name === "Huge PS");
  });

  it("the NOC refuses an oversize payload itself, before parsing it", () => {
    const before = noc.stats.invalidByReason["too-large"] ?? 0;
    const payload = Buffer.alloc(150 * 1024 * 1024, 0x20);
    noc.collector.onMessage({ topic: stationTopics(ROOT, "PS-X").state, payload, retained: false });
    expect(noc.stats.invalidByReason["too-large"]).toBe(before + 1);
    expect(noc.fleet.stations.has("PS-X")).toBe(false);
    expect(MAX_PAYLOAD_BYTES).toBeLessThan(1024 * 1024);
  });

  it("a contract string over its bound is a schema reject", () => {
    const birth = P.birth(identity("PS-Y", "y".repeat(201)), [], [], Date.now());
    noc.collector.onMessage({
      topic: stationTopics(ROOT, "PS-Y").state,
      payload: Buffer.from(JSON.stringify(birth)),
      retained: false,
    });
    expect(noc.stats.invalidByReason["schema:state"]).toBeGreaterThanOrEqual(1);
    expect(noc.fleet.stations.has("PS-Y")).toBe(false);
  });

  it("20,000 retained link topics from one station are capped at MAX_LINKS", async () => {
    const topics = stationTopics(ROOT, "PS-B1");
    const now = Date.now();
    const N = 20_000;
    for (let i = 0; i < N; i += 500) {
      await Promise.all(
        Array.from({ length: Math.min(500, N - i) }, (_, k) => {
          const link = {
            name: `l${i + k}`,
            role: "backup" as const,
            state: "up" as const,
            active: false,
            since: new Date(now).toISOString(),
          };
          return station.publishAsync(
            topics.link(link.name),
            JSON.stringify(P.linkState("PS-B1", link, now)),
            {
              qos: 1,
              retain: true,
            },
          );
        }),
      );
    }
    await eventually(() => (noc.stats.invalidByReason["too-many-links"] ?? 0) === N - MAX_LINKS, 60_000);
    expect(Object.keys(noc.fleet.stations.get("PS-B1")?.row.info.links ?? {})).toHaveLength(MAX_LINKS);
  }, 120_000);
});
