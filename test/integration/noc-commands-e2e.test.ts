// @needs mosquitto
/**
 * Commands end to end: station-noc -> real Mosquitto -> the real agent (StationAgent with its MQTT
 * session, reporter and outbox history) -> reply on the MQTT 5 response topic -> station-noc.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StationAgent } from "../../agent/app.js";
import { runDoctor } from "../../agent/doctor/doctor.js";
import { createLogger } from "../../agent/log.js";
import { ConfigSchema } from "../../config/schema.js";
import { EventPayload, MetricsPayload, ResendResult } from "../../contract/index.js";
import type { NocApp } from "../../noc/app.js";
import { StationCommands } from "../../noc/station-commands.js";
import { eventually, PrivateMosquitto } from "../support/mosquitto.js";
import { startTestNoc } from "../support/noc.js";

const ROOT = "cctns/e2e";
const ID = "PS-E2E";
const quiet = createLogger("silent");

describe("commands between station-noc and the real agent", () => {
  const broker = new PrivateMosquitto();
  const dir = mkdtempSync(join(tmpdir(), "noc-e2e-"));
  const nocKeys = generateKeyPairSync("ed25519");
  let agent: StationAgent;
  let noc: NocApp;
  let raw: MqttClient;
  const seen: { topic: string; body: Record<string, unknown> }[] = [];

  const startNoc = async (instance: string) => {
    return startTestNoc({
      mqttUrl: broker.url,
      root: ROOT,
      instance,
      storage: join(dir, "noc.db"),
      privateKey: nocKeys.privateKey,
      livenessFlushMs: 100,
      commandTimeoutS: 10,
    });
  };

  beforeAll(async () => {
    await broker.start();
    const pub = join(dir, "noc.pub.pem");
    writeFileSync(pub, nocKeys.publicKey.export({ type: "spki", format: "pem" }));
    const config = ConfigSchema.parse({
      station: { id: ID, name: "E2E PS", district: "Pune" },
      mqtt: { url: broker.url, topicRoot: ROOT, keepalive: 5, reconnect: { minMs: 200, maxMs: 1000 } },
      storage: { dir: join(dir, "agent") },
      metrics: { intervalMs: 1000 },
      ledger: { heartbeatMs: 500 },
      api: { enabled: false },
      clock: { assumeSynced: true },
      commands: { nocPublicKey: pub, maxAgeS: 60, ratePerMinute: 120 },
      log: { level: "silent" },
    });
    // The agent wires the command handler itself (agent/app.ts); only the doctor's ICMP probe to the
    // data centre is replaced (no route to it here).
    agent = new StationAgent({
      config,
      configHash: "e2e",
      version: "0.0.0-e2e",
      log: quiet,
      diagnose: () =>
        runDoctor({ config, deps: { ping: async () => ({ ok: true, detail: "not probed in this test" }) } }),
    });
    await agent.start();
    raw = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: "noc-e2e-raw" });
    raw.on("message", (topic, payload) => {
      try {
        seen.push({ topic, body: JSON.parse(payload.toString()) as Record<string, unknown> });
      } catch {
        // not JSON: irrelevant here
      }
    });
    await raw.subscribeAsync(`${ROOT}/${ID}/#`, { qos: 1 });
    noc = await startNoc("noc-e2e-a");
    await eventually(
      () =>
        noc.fleet.stations.get(ID)?.row.status === "up" &&
        (noc.fleet.stations.get(ID)?.row.lastSeq ?? 0) >= 3,
      20_000,
    );
  });

  afterAll(async () => {
    await raw?.endAsync();
    await noc?.stop();
    await agent?.stop();
    await broker.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("rebirth republishes the birth and retained state", async () => {
    const births = () =>
      seen.filter((m) => m.topic === `${ROOT}/${ID}/state` && m.body.online === true).length;
    const before = births();
    const reply = await noc.commands.send(ID, "rebirth");
    expect(reply).toMatchObject({ ok: true });
    await eventually(() => births() > before);
  });

  it("diagnose returns the agent's results", async () => {
    const reply = await noc.commands.send(ID, "diagnose");
    expect(reply.ok).toBe(true);
    const report = reply.result as { checks: { id: string; status: string }[]; configPath: string };
    expect(report.checks.length).toBeGreaterThan(3);
    expect(report.checks.every((c) => ["ok", "warn", "fail", "skip"].includes(c.status))).toBe(true);
  });

  it("resend republishes a seq range from the agent's history, marked historical", async () => {
    const reply = await noc.commands.send(ID, "resend", { fromSeq: 1, toSeq: 3 });
    expect(reply.ok).toBe(true);
    expect(ResendResult.parse(reply.result)).toEqual({ republished: 3, gone: [] });
    const again = await eventually(() => {
      const hist = seen.filter((m) => m.body.historical === true && [1, 2, 3].includes(m.body.seq as number));
      return hist.length >= 3 && hist;
    });
    for (const m of again) (m.topic.endsWith("/event") ? EventPayload : MetricsPayload).parse(m.body);
  });

  it("a NOC that missed messages asks the agent and closes the gap", async () => {
    await noc.stop();
    const lastSeen = noc.fleet.stations.get(ID)?.row.lastSeq ?? 0;
    // A collector with a new session misses what is published while no NOC listens.
    await eventually(() => agent.core.outbox.lastSeq >= lastSeen + 3, 10_000);
    noc = await startNoc("noc-e2e-b");
    const gap = await eventually(async () => {
      await noc.flush(true);
      return (await noc.storage.gaps(ID, 10)).find(
        (g) => g.fromSeq === lastSeen + 1 && g.status === "closed",
      );
    }, 20_000);
    expect(gap.toSeq).toBeGreaterThanOrEqual(lastSeen + 3);
    expect(gap.lost).toBe(0);
    expect(gap.requests).toBeGreaterThanOrEqual(1);
  });

  it("refuses an unknown command with an error reply", async () => {
    const body = noc.commands.request(ID, "reboot");
    const reply = await noc.commands.sendRaw(ID, "reboot", Buffer.from(JSON.stringify(body)), body.id);
    expect(reply).toMatchObject({ ok: false, id: body.id });
    expect(reply.error).toMatch(/unknown command "reboot"/);
  });

  it("refuses a malformed command and changes nothing", async () => {
    const body = noc.commands.request(ID, "resend", { fromSeq: 10, toSeq: 2 });
    const reply = await noc.commands.sendRaw(ID, "resend", Buffer.from(JSON.stringify(body)), body.id);
    expect(reply.ok).toBe(false);
    expect(reply.error).toMatch(/toSeq must be >= fromSeq/);
  });

  it("refuses a bad signature and an unsigned command", async () => {
    const impostor = new StationCommands(noc.bus, {
      root: ROOT,
      instance: "x",
      privateKey: generateKeyPairSync("ed25519").privateKey,
      timeoutMs: 1000,
      now: Date.now,
    });
    const forged = impostor.request(ID, "rebirth");
    const r1 = await noc.commands.sendRaw(ID, "rebirth", Buffer.from(JSON.stringify(forged)), forged.id);
    expect(r1).toMatchObject({ ok: false, error: "bad signature" });
    const unsigned = { id: `unsigned-${Date.now()}`, issuedAt: new Date().toISOString() };
    const r2 = await noc.commands.sendRaw(ID, "rebirth", Buffer.from(JSON.stringify(unsigned)), unsigned.id);
    expect(r2).toMatchObject({ ok: false, error: "signature required" });
  });

  it("refuses a replay: same id, same correlation data, or too old", async () => {
    const body = noc.commands.request(ID, "diagnose");
    const payload = Buffer.from(JSON.stringify(body));
    expect((await noc.commands.sendRaw(ID, "diagnose", payload, body.id)).ok).toBe(true);
    const replay = await noc.commands.sendRaw(ID, "diagnose", payload, `${body.id}-again`);
    expect(replay).toMatchObject({ ok: false, error: "replayed command refused" });
    const fresh = noc.commands.request(ID, "diagnose");
    const sameCd = await noc.commands.sendRaw(ID, "diagnose", Buffer.from(JSON.stringify(fresh)), body.id);
    expect(sameCd).toMatchObject({ ok: false, error: "replayed command refused" });
    const old = noc.commands.request(
      ID,
      "diagnose",
      undefined,
      undefined,
      new Date(Date.now() - 3600_000).toISOString(),
    );
    const stale = await noc.commands.sendRaw(ID, "diagnose", Buffer.from(JSON.stringify(old)), old.id);
    expect(stale.ok).toBe(false);
    expect(stale.error).toMatch(/too old/);
  });
});
