// @needs mosquitto
/**
 * Fleet operations end to end over real HTTP: a real station-noc process signing its commands, a
 * private Mosquitto, and real agents (restarted by a supervisor, as systemd's Restart=always would).
 * A config release reaches the station that is online and, later, the one that was dark when it was
 * made; a rollout halts when its pilot station reports update.rolled-back.
 *
 * The upgrade runner the agents start is a lab stand-in that leaves a rolled-back outcome where the
 * real one (scripts/fleet/station-agent-upgrade.sh, tested with dpkg and apt in
 * test/integration/fleet-update.test.ts) leaves it: what is tested here is the NOC's side.
 */
import { spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { chmodSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AgentProcess, ROOT as REPO, tempDir, writeConfig } from "../support/agent-process.js";
import { eventually, PrivateMosquitto } from "../support/mosquitto.js";
import { NocProcess } from "../support/noc-process.js";

const ROOT = `fleetops${process.pid}`;

/** Restarts the agent whenever it exits by itself, the way Restart=always does. */
class Supervised {
  agent: AgentProcess;
  starts = 0;
  private stopped = false;
  constructor(configPath: string) {
    this.agent = new AgentProcess(configPath, { AGENT_RESTART: "exit" });
  }
  start(): this {
    this.starts++;
    this.agent.start();
    void this.agent.exited().then(() => {
      if (!this.stopped) setTimeout(() => this.start(), 200);
    });
    return this;
  }
  async stop(): Promise<void> {
    this.stopped = true;
    await this.agent.kill("SIGTERM");
  }
}

interface ConfigView {
  releases: { version: string; stations: Record<string, number> }[];
  deliveries: Record<string, { version: string; state: string }>;
}
interface RolloutView {
  id: string;
  status: string;
  haltReason: string | null;
  rings: { name: string; stations: number; rolledBack: number }[];
}

describe("fleet operations from the NOC", () => {
  const broker = new PrivateMosquitto();
  const dir = tempDir("noc-fleet-");
  const agents: Supervised[] = [];
  let noc: NocProcess;

  const post = async (path: string, body: unknown, token = noc.token) => {
    const r = await fetch(`http://127.0.0.1:${noc.httpPort}/api/v1/${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };

  function agent(id: string): Supervised {
    const home = join(dir, id);
    const runner = join(dir, "runner.sh");
    const path = writeConfig(tempDir(`noc-fleet-${id}-`), {
      station: { id },
      mqtt: { url: broker.url, topicRoot: ROOT, keepalive: 20 },
      storage: { dir: join(home, "state") },
      api: { enabled: false },
      commands: { nocPublicKey: join(dir, "noc.pub.pem") },
      fleet: { confirmWithinS: 20, upgradeRunner: runner },
      host: { enabled: false },
      log: { level: "warn" },
    });
    const s = new Supervised(path);
    agents.push(s);
    return s;
  }

  beforeAll(async () => {
    await broker.start();
    const keys = generateKeyPairSync("ed25519");
    writeFileSync(join(dir, "noc.pem"), keys.privateKey.export({ type: "pkcs8", format: "pem" }), {
      mode: 0o600,
    });
    writeFileSync(join(dir, "noc.pub.pem"), keys.publicKey.export({ type: "spki", format: "pem" }));
    // Lab stand-in for the upgrade runner: the new version "did not become healthy" and was undone.
    writeFileSync(
      join(dir, "runner.sh"),
      [
        "#!/bin/sh",
        'while [ $# -gt 0 ]; do case "$1" in --id) ID=$2;; --to) TO=$2;; --state) ST=$2;; esac; shift 2; done',
        'mkdir -p "$ST/update"',
        'printf \'{"id":"%s","package":"station-agent","from":"0.1.0","to":"%s","outcome":"rolled-back","reason":"new version not healthy within 30 s","at":0}\' "$ID" "$TO" >"$ST/update/$ID.json.tmp"',
        'mv "$ST/update/$ID.json.tmp" "$ST/update/$ID.json"',
        'touch "$ST/../runner-ran"',
      ].join("\n"),
    );
    chmodSync(join(dir, "runner.sh"), 0o755);
    writeFileSync(
      join(dir, "registry.csv"),
      "id,name,district\nPS-ON,Online PS,Ambala\nPS-LATE,Late PS,Ambala\n",
    );
    noc = new NocProcess([
      ...["--mqtt-url", broker.url, "--root", ROOT, "--storage", join(dir, "noc.db")],
      ...["--instance", `noc-fleet-${process.pid}`, "--private-key", join(dir, "noc.pem")],
      ...["--registry", join(dir, "registry.csv"), "--fleet-interval", "1", "--log-level", "warn"],
    ]);
    await noc.start();
    agent("PS-ON").start();
    await eventually(
      async () => (await noc.api<{ status: string }>("stations/PS-ON"))?.status === "up",
      90_000,
      250,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\nNOC: ${noc.output}\nagent: ${agents[0]!.agent.output}`);
    });
  }, 120_000);

  afterAll(async () => {
    for (const a of agents) await a.stop();
    await noc?.kill();
    await broker.dispose();
  });

  it("refuses a bad release with the field named, and a viewer's release", async () => {
    const bad = await post("fleet/config", { version: "c1", scope: { kind: "county" }, settings: {} });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/scope\.kind/);
    const pinned = await post("fleet/config", {
      version: "c1",
      scope: { kind: "all" },
      settings: { station: { id: "PS-X" } },
    });
    expect(pinned).toMatchObject({ status: 400, body: { error: expect.stringMatching(/station\.id/) } });
    const notJson = await post("fleet/config", "{");
    expect(notJson.status).toBe(400);
    const made = spawnSync(
      process.execPath,
      ["--import", "tsx", join(REPO, "noc/cli.ts"), "token", "add", "wall", "--role", "viewer"],
      {
        cwd: REPO,
        encoding: "utf8",
        timeout: 60_000,
        env: { ...process.env, STATION_NOC_STORAGE: join(dir, "noc.db") },
      },
    );
    expect(made.status, made.stderr).toBe(0);
    const viewer = await post(
      "fleet/config",
      { version: "c1", scope: { kind: "all" }, settings: {} },
      made.stdout.trim(),
    );
    expect(viewer).toMatchObject({ status: 403, body: { error: expect.stringMatching(/admin role/) } });
    const overview = await noc.api<ConfigView>("fleet/config");
    expect(overview?.releases).toEqual([]);
  });

  it("delivers a release to the online station, and to the dark one once it comes online", async () => {
    const settings = { metrics: { intervalMs: 7000 } };
    const r = await post("fleet/config", {
      version: "c1",
      scope: { kind: "district", district: "Ambala" },
      settings,
    });
    expect(r.status).toBe(200);
    const running = async (station: string) =>
      (await noc.api<{ info: { configFragment?: { version: string } | null } }>(`stations/${station}`))?.info
        .configFragment?.version === "c1";
    await eventually(() => running("PS-ON"), 120_000, 500).catch(async (e: Error) => {
      const seen = JSON.stringify(await noc.api("fleet/config"));
      throw new Error(`${e.message}\n${seen}\nNOC: ${noc.output}\nagent: ${agents[0]!.agent.output}`);
    });
    let view = await noc.api<ConfigView>("fleet/config");
    expect(view?.releases[0]?.stations).toMatchObject({ running: 1, offline: 1 });
    // PS-LATE was dark (registered, never heard) when c1 was released.
    agent("PS-LATE").start();
    await eventually(() => running("PS-LATE"), 120_000, 500);
    view = await noc.api<ConfigView>("fleet/config");
    expect(view?.releases[0]?.stations).toEqual({ running: 2 });
    await eventually(
      async () => (await noc.api<ConfigView>("fleet/config"))?.deliveries["PS-LATE"]?.state === "applied",
      30_000,
      500,
    );
    const versions = await noc.api<{ fragment: Record<string, number> }>("fleet/versions");
    expect(versions?.fragment).toEqual({ c1: 2 });
  }, 300_000);

  it("halts a rollout when its pilot station rolls back, and never sends the next ring", async () => {
    const start = await post("fleet/rollouts", {
      version: "9.9.9-1",
      rings: [
        { name: "pilot", stations: ["PS-ON"] },
        { name: "rest", all: true },
      ],
      soakMin: 0,
      maxFailurePct: 0,
      deadlineS: 30,
    });
    expect(start.status).toBe(200);
    const id = (start.body.rollout as RolloutView).id;
    const second = await post("fleet/rollouts", {
      version: "9.9.9-2",
      rings: [{ name: "all", all: true }],
      soakMin: 0,
      maxFailurePct: 0,
    });
    expect(second.status).toBe(409);
    let rollout: RolloutView | undefined;
    await eventually(
      async () => {
        rollout = (await noc.api<{ rollouts: RolloutView[] }>("fleet/rollouts"))?.rollouts.find(
          (x) => x.id === id,
        );
        return rollout?.status === "halted";
      },
      90_000,
      500,
    );
    expect(rollout?.haltReason).toMatch(/PS-ON rolled back: new version not healthy/);
    expect(rollout?.rings).toMatchObject([
      { name: "pilot", stations: 1, rolledBack: 1 },
      { name: "rest", stations: 1, rolledBack: 0 },
    ]);
    expect(existsSync(join(dir, "PS-ON", "runner-ran"))).toBe(true);
    expect(existsSync(join(dir, "PS-LATE", "runner-ran"))).toBe(false);
    const audit = await noc.api<{ entries: { action: string }[] }>("audit");
    const actions = (audit?.entries ?? []).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(["fleet.config.release", "fleet.rollout.start"]));
  }, 180_000);

  it("the CLI starts, lists and halts a rollout with an API token", async () => {
    const tokenFile = join(dir, "cli-token");
    writeFileSync(tokenFile, noc.token, { mode: 0o600 });
    const cli = (...args: string[]) => {
      const r = spawnSync(
        process.execPath,
        [
          "--import",
          "tsx",
          join(REPO, "noc/cli.ts"),
          "fleet",
          ...args,
          "--url",
          `http://127.0.0.1:${noc.httpPort}`,
          "--token-file",
          tokenFile,
        ],
        { cwd: REPO, encoding: "utf8", timeout: 60_000 },
      );
      return { code: r.status, out: r.stdout, err: r.stderr };
    };
    const bad = cli("rollout", "start", "--version", "not a version", "--ring", "all:all");
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/400: version: a Debian version/);
    // A pilot ring whose station is offline waits for it: nothing is sent before the halt.
    await agents[1]!.stop();
    await eventually(
      async () => (await noc.api<{ status: string }>("stations/PS-LATE"))?.status !== "up",
      60_000,
      250,
    );
    const started = cli(
      "rollout",
      "start",
      "--version",
      "9.9.10-1",
      "--ring",
      "pilot:stations=PS-LATE",
      "--ring",
      "rest:all",
      "--soak-min",
      "1",
    );
    expect(started.code, started.err).toBe(0);
    const id = (JSON.parse(started.out) as { rollout: RolloutView }).rollout.id;
    const halted = cli("rollout", "halt", id);
    expect(halted.code, halted.err).toBe(0);
    expect(JSON.parse(halted.out)).toMatchObject({
      rollout: { status: "halted", haltReason: "halted by admin-token" },
    });
    const listed = JSON.parse(cli("rollout", "list").out) as { rollouts: RolloutView[] };
    expect(listed.rollouts.map((r) => r.status)).toEqual(["halted", "halted"]);
  }, 120_000);
});
