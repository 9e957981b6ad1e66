/**
 * config-apply end to end: the real agent under a supervisor that restarts it (as systemd's
 * Restart=always would), the machine's real Mosquitto on 127.0.0.1:1883, and commands signed with a
 * NOC key exactly as station-noc signs them.
 */
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalCommand, type CommandReply } from "../../contract/index.js";
import { fragmentSha256 } from "../../agent/fleet/config-apply.js";
import { AgentProcess, tempDir, writeConfig } from "../support/agent-process.js";
import { Collector } from "../support/collector.js";
import { freePort } from "../support/mosquitto.js";

const BROKER = "mqtt://127.0.0.1:1883";
const ROOT = `fleet-test-${process.pid}`;
const STATION = "PS-CFG";

/** Restarts the agent whenever it exits by itself, the way Restart=always does. */
class Supervisor {
  agent: AgentProcess;
  starts = 0;
  private stopped = false;
  constructor(configPath: string) {
    this.agent = new AgentProcess(configPath, { AGENT_RESTART: "exit" });
  }
  start(): void {
    this.starts++;
    this.agent.start();
    void this.agent.exited().then(() => {
      if (!this.stopped) setTimeout(() => this.start(), 200);
    });
  }
  async stop(): Promise<void> {
    this.stopped = true;
    await this.agent.kill("SIGTERM");
  }
}

let dir: string;
let keys: { privateKey: KeyObject; publicKey: KeyObject };
let sup: Supervisor;
let noc: MqttClient;
let seen: Collector;
const replies = new Map<string, CommandReply>();

function command(name: string, args: Record<string, unknown>, key: KeyObject | null = keys.privateKey) {
  const body: Record<string, unknown> = { id: randomUUID(), issuedAt: new Date().toISOString(), args };
  if (key)
    body.sig = sign(null, Buffer.from(canonicalCommand(STATION, name, body as never)), key).toString(
      "base64",
    );
  return body as { id: string };
}

async function send(name: string, body: { id: string }): Promise<CommandReply> {
  replies.delete(body.id);
  await noc.publishAsync(`${ROOT}/${STATION}/cmd/${name}`, JSON.stringify(body), { qos: 1 });
  const until = Date.now() + 60_000;
  while (!replies.has(body.id)) {
    if (Date.now() > until) throw new Error(`no reply to ${name} ${body.id}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return replies.get(body.id)!;
}

const events = (type: string) => seen.on("/event").filter((m) => m.payload.type === type);
const births = () => seen.on("/state").filter((m) => m.payload.online === true);

beforeAll(async () => {
  dir = tempDir("fleet-cfg-");
  keys = generateKeyPairSync("ed25519");
  const pub = join(dir, "noc.pub");
  writeFileSync(pub, keys.publicKey.export({ type: "spki", format: "pem" }));
  // The local file does not set mqtt.url, so a fragment may; it pins the keepalive, which stays local.
  const path = writeConfig(dir, {
    station: { id: STATION },
    mqtt: { topicRoot: ROOT, keepalive: 20 },
    storage: { dir: join(dir, "state") },
    api: { enabled: false },
    commands: { nocPublicKey: pub },
    fleet: { confirmWithinS: 8 },
    host: { enabled: false },
    log: { level: "info" },
  });
  seen = await Collector.connect(BROKER, `${ROOT}/${STATION}/#`);
  noc = await mqtt.connectAsync(BROKER, { protocolVersion: 4 });
  await noc.subscribeAsync(`${ROOT}/${STATION}/reply/#`, { qos: 1 });
  noc.on("message", (_t, payload) => {
    const r = JSON.parse(payload.toString()) as CommandReply;
    replies.set(r.id, r);
  });
  sup = new Supervisor(path);
  sup.start();
  await seen
    .waitFor(() => births().length > 0, 60_000, "first birth")
    .catch((e: Error) => {
      throw new Error(`${e.message}\n${sup.agent.output}`);
    });
}, 90_000);

afterAll(async () => {
  await sup?.stop();
  await noc?.endAsync();
  // Retained state of this test's topic root is left to expire with the test broker's data: clear it.
  const clear = await mqtt.connectAsync(BROKER);
  for (const m of seen.messages.filter((x) => x.retain))
    await clear.publishAsync(m.topic, "", { retain: true });
  await clear.endAsync();
  await seen?.end();
});

describe("config-apply from the NOC", () => {
  it("refuses an unsigned command, a wrong hash and a pinned key, and changes nothing", async () => {
    const settings = { metrics: { intervalMs: 5000 } };
    const unsigned = await send(
      "config-apply",
      command("config-apply", { version: "v0", settings, sha256: fragmentSha256(settings) }, null),
    );
    expect(unsigned).toMatchObject({ ok: false, error: "signature required" });
    const wrongHash = await send(
      "config-apply",
      command("config-apply", { version: "v0", settings, sha256: "0".repeat(64) }),
    );
    expect(wrongHash).toMatchObject({ ok: false, error: expect.stringMatching(/sha256 does not match/) });
    const pinned = { station: { id: "PS-OTHER" } };
    const p = await send(
      "config-apply",
      command("config-apply", { version: "v0", settings: pinned, sha256: fragmentSha256(pinned) }),
    );
    expect(p).toMatchObject({ ok: false, error: expect.stringMatching(/station\.id can only be set/) });
    expect(existsSync(join(dir, "state/config.d/noc.yaml"))).toBe(false);
    expect(sup.starts).toBe(1);
  }, 120_000);

  it("applies a good fragment: restart, birth with its version, config.applied; local keys kept", async () => {
    const settings = { metrics: { intervalMs: 7000 }, mqtt: { keepalive: 60 } };
    const body = command("config-apply", {
      version: "2026-12-04.1",
      settings,
      sha256: fragmentSha256(settings),
    });
    const r = await send("config-apply", body);
    expect(r).toMatchObject({
      ok: true,
      result: { staged: "2026-12-04.1", keptLocal: ["mqtt.keepalive"], restarting: true },
    });
    await seen.waitFor(() => events("config.applied").length > 0, 90_000, "config.applied");
    expect(events("config.applied")[0]!.payload.data).toMatchObject({ id: body.id, version: "2026-12-04.1" });
    expect(births().at(-1)!.payload.configFragment).toEqual({
      version: "2026-12-04.1",
      sha256: fragmentSha256(settings),
    });
    expect(sup.starts).toBe(2);
    // The same signed command again is a replay: refused, no restart.
    const again = await send("config-apply", body);
    expect(again).toMatchObject({ ok: false, error: expect.stringMatching(/seen|replay/i) });
    expect(sup.starts).toBe(2);
  }, 180_000);

  it("rolls back a fragment that loses the broker, and says why once it is back", async () => {
    const before = events("config.rolled-back").length;
    const settings = { mqtt: { url: `mqtt://127.0.0.1:${await freePort()}` } };
    const r = await send(
      "config-apply",
      command("config-apply", { version: "2026-12-04.2", settings, sha256: fragmentSha256(settings) }),
    );
    expect(r.ok).toBe(true);
    await seen.waitFor(() => events("config.rolled-back").length > before, 120_000, "config.rolled-back");
    expect(events("config.rolled-back").at(-1)!.payload.data).toMatchObject({
      version: "2026-12-04.2",
      reason: expect.stringMatching(/no MQTT session within 8 s/),
    });
    // Back on the previous fragment (v1), not on none.
    await seen.waitFor(() => births().at(-1)!.payload.configFragment !== undefined, 30_000, "birth");
    expect(births().at(-1)!.payload.configFragment).toMatchObject({ version: "2026-12-04.1" });
  }, 240_000);
});
