import { chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { ConfigSchema } from "../../config/schema.js";
import { ConfigError, parseConfigText, loadConfig } from "../../config/load.js";
import { runCli, tempDir } from "../support/agent-process.js";
import { redactUrl } from "../../agent/redact.js";

const VALID = {
  station: { id: "PS-1", name: "Test", district: "D" },
  mqtt: {
    url: "mqtt://127.0.0.1:1883",
    keepalive: 30,
    topicRoot: "cctns/t",
    reconnect: { minMs: 1000, maxMs: 60000 },
  },
  clock: {},
  storage: { dir: "/tmp/x", maxBytes: 1048576 },
  metrics: { intervalMs: 60000 },
  log: { level: "info" },
  ledger: { heartbeatMs: 5000, timezone: "Asia/Kolkata" },
  api: { socket: "/run/station-agent/api.sock", tcpPort: 880 },
  commands: { maxAgeS: 300 },
  links: [{ name: "swan", interface: "eth0", role: "primary" }],
  devices: [{ id: "fp1", kind: "fingerprint", driver: "r30x", port: "/dev/ttyUSB0", baud: 57600 }],
};

type Mutation = { path: (string | number)[]; value: unknown; expectPath: string };

/** Bad values per setting; each yields an invalid config whose error must name that setting's path. */
const BAD_VALUES: Record<string, { path: (string | number)[]; values: unknown[] }> = {
  id: {
    path: ["station", "id"],
    values: ["", "a/b", "a+b", "#", " lead", 42, null, "x".repeat(65), ["a"], "-start"],
  },
  name: { path: ["station", "name"], values: [1, true, ["n"], { a: 1 }, "x".repeat(201)] },
  district: { path: ["station", "district"], values: [1, false, [], {}, "d".repeat(101)] },
  url: {
    path: ["mqtt", "url"],
    values: [
      "http://x",
      "mqtt:/x",
      "",
      1883,
      "tcp://h:1",
      "mqtt://",
      "mqtt://h:1/path",
      "ws://h",
      null,
      "embedded2",
    ],
  },
  keepalive: { path: ["mqtt", "keepalive"], values: [0, -1, 4, 3601, "30", 1.5, null, true, [], {}] },
  topicRoot: {
    path: ["mqtt", "topicRoot"],
    values: ["", "/a", "a/", "a/+/b", "a/#", 5, null, "x".repeat(129)],
  },
  protocolVersion: { path: ["mqtt", "protocolVersion"], values: [3, 6, "5", null, 0] },
  username: { path: ["mqtt", "username"], values: [1, [], {}, true, "u".repeat(257)] },
  dir: { path: ["storage", "dir"], values: ["", 1, null, [], {}] },
  maxBytes: { path: ["storage", "maxBytes"], values: [0, -5, 1000, "1M", 1.5, null, true, []] },
  intervalMs: { path: ["metrics", "intervalMs"], values: [0, 999, 3_600_001, "1000", -1, 1.5, null, {}] },
  level: { path: ["log", "level"], values: ["verbose", "INFO", 1, null, "", []] },
  timezone: { path: ["ledger", "timezone"], values: ["Mars/Olympus", "", 5, "IST+5"] },
  heartbeat: { path: ["ledger", "heartbeatMs"], values: [0, 100, 60_001, "5s", null] },
  apiTcpPort: { path: ["api", "tcpPort"], values: [0, 1024, 8787, "880", 1.5, null] },
  apiSocket: { path: ["api", "socket"], values: ["", 1, "/run/" + "x".repeat(120)] },
  linkName: { path: ["links", 0, "name"], values: ["", "a b", "a/b", 5, null, "x".repeat(40)] },
  linkIface: { path: ["links", 0, "interface"], values: ["", "x".repeat(16), 5, null] },
  linkRole: { path: ["links", 0, "role"], values: ["main", "", 1, null, "PRIMARY"] },
  deviceId: { path: ["devices", 0, "id"], values: ["", "a b", 1, null, "x".repeat(40)] },
  deviceBaud: { path: ["devices", 0, "baud"], values: [0, -9600, "57600", 1.5, null] },
  deviceDriver: { path: ["devices", 0, "driver"], values: ["r31x", "", 7, null] },
  maxAge: { path: ["commands", "maxAgeS"], values: [0, 9, 86_401, "300", null, 2.5] },
  ratePerMinute: { path: ["commands", "ratePerMinute"], values: [0, 601, "30", -1, null] },
  historyDays: { path: ["storage", "historyDays"], values: [-1, 91, "7", 1.5, null] },
  reconnectMin: { path: ["mqtt", "reconnect", "minMs"], values: [0, 99, 60_001, "1000", null] },
  inflight: { path: ["mqtt", "inflight"], values: [0, 1001, "100", -3, null] },
  embeddedPort: { path: ["mqtt", "embeddedPort"], values: [-1, 70000, "1884", 0.5] },
  password: { path: ["mqtt", "password"], values: [1, [], {}, true] },
  clientId: { path: ["mqtt", "clientId"], values: [1, [], "c".repeat(129)] },
  assumeSynced: { path: ["clock", "assumeSynced"], values: ["yes", 1, []] },
  apiEnabled: { path: ["api", "enabled"], values: ["true", 1, null] },
  historyMaxBytes: { path: ["storage", "historyMaxBytes"], values: [-1, "1G", 1.5, null] },
  tokenFile: { path: ["api", "tokenFile"], values: [1, [], {}, true] },
  nocPublicKey: { path: ["commands", "nocPublicKey"], values: [1, [], {}, false] },
  deviceKind: { path: ["devices", 0, "kind"], values: ["scanner", "", 3, null] },
  linksShape: { path: ["links"], values: ["eth0", 1, { name: "x" }] },
  devicesShape: { path: ["devices"], values: ["fp1", 2, { id: "x" }] },
  unknownTop: { path: ["bogus"], values: [1, "x", {}, [], null] },
  unknownMqtt: { path: ["mqtt", "hostname"], values: ["h", 1, true] },
  unknownStation: { path: ["station", "code"], values: ["c", 2, false] },
};

function mutations(): Mutation[] {
  const out: Mutation[] = [];
  for (const { path, values } of Object.values(BAD_VALUES)) {
    for (const value of values) out.push({ path, value, expectPath: path.join(".") });
  }
  return out;
}

function apply(m: Mutation): Record<string, unknown> {
  const cfg = structuredClone(VALID) as Record<string, unknown>;
  let node = cfg as Record<string | number, unknown>;
  for (const k of m.path.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  node[m.path.at(-1)!] = m.value;
  return cfg;
}

describe("config validation", () => {
  const all = mutations();

  it("has at least 200 generated invalid configs", () => {
    expect(all.length).toBeGreaterThanOrEqual(200);
  });

  it("accepts the valid base config and the shipped examples", () => {
    expect(parseConfigText(stringify(VALID), "base").config.station.id).toBe("PS-1");
    // The example names TLS files that exist only on a real station: check it against the schema alone.
    const example = ConfigSchema.parse(
      parse(readFileSync(join(import.meta.dirname, "../../config/example.yaml"), "utf8")),
    );
    expect(example.station.id).toBe("MH-PUN-0042");
    expect(loadConfig(join(import.meta.dirname, "../../config/demo.yaml"), {}).config.mqtt.url).toBe(
      "embedded",
    );
  });

  it.each(all.map((m, i) => [i, m] as const))("invalid config #%i names its path", (_i, m) => {
    let error: unknown;
    try {
      parseConfigText(stringify(apply(m)), "gen");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems.some((p) => p.startsWith(`${m.expectPath}:`) || p.startsWith(`${m.expectPath}.`))).toBe(
      true,
    );
  });

  it("reports every error at once", () => {
    const cfg = apply({ path: ["station", "id"], value: "a/b", expectPath: "" });
    (cfg.mqtt as Record<string, unknown>).keepalive = 1;
    (cfg.log as Record<string, unknown>).level = "loud";
    try {
      parseConfigText(stringify(cfg), "multi");
      expect.unreachable();
    } catch (e) {
      const p = (e as ConfigError).problems;
      expect(p.some((x) => x.startsWith("station.id:"))).toBe(true);
      expect(p.some((x) => x.startsWith("mqtt.keepalive:"))).toBe(true);
      expect(p.some((x) => x.startsWith("log.level:"))).toBe(true);
    }
  });

  it("applies STATION_AGENT_ environment overrides with __ between levels, and rejects unknown ones", () => {
    const r = parseConfigText(stringify(VALID), "env", {
      STATION_AGENT_MQTT__URL: "mqtt://127.0.0.1:1884",
      STATION_AGENT_METRICS__INTERVAL_MS: "5000",
      STATION_AGENT_LINKS__0__ROLE: "backup",
    });
    expect(r.config.mqtt.url).toBe("mqtt://127.0.0.1:1884");
    expect(r.config.metrics.intervalMs).toBe(5000);
    expect(r.config.links[0]!.role).toBe("backup");
    expect(() => parseConfigText(stringify(VALID), "env", { STATION_AGENT_MQTT__NOPE: "1" })).toThrow(
      /STATION_AGENT_MQTT__NOPE/,
    );
  });

  it("refuses a private key readable by others, and never prints the password", () => {
    const dir = tempDir();
    const key = join(dir, "station.key");
    writeFileSync(key, "-----BEGIN PRIVATE KEY-----\n");
    chmodSync(key, 0o644);
    const cfg = { ...VALID, mqtt: { ...VALID.mqtt, password: "s3cret-pw", tls: { cert: key, key } } };
    try {
      parseConfigText(stringify(cfg), "tls");
      expect.unreachable();
    } catch (e) {
      const text = (e as ConfigError).problems.join("\n");
      expect(text).toMatch(/mqtt\.tls\.key: .*readable by every user/);
      expect(text).not.toContain("s3cret-pw");
    }
    chmodSync(key, 0o640);
    expect(parseConfigText(stringify(cfg), "tls").config.mqtt.tls?.key).toBe(key);
  });

  it("refuses secrets a foreign group can read: password file, TLS key, API token (issue 14)", () => {
    const dir = tempDir();
    const pw = join(dir, "mqtt-password");
    writeFileSync(pw, "pw\n");
    const state = join(dir, "state");
    mkdirSync(state);
    const token = join(state, "api-token");
    writeFileSync(token, "tok\n");
    const cfg = { ...VALID, storage: { dir: state }, mqtt: { ...VALID.mqtt, passwordFile: pw } };
    // A group nobody trusts (not root's, not the agent's, not ours): "users" on Debian is 100.
    const foreign = 100;
    for (const f of [pw, token]) {
      chownSync(f, 0, foreign);
      chmodSync(f, 0o640);
    }
    const problems = () => {
      try {
        parseConfigText(stringify(cfg), "secrets");
        return [];
      } catch (e) {
        return (e as ConfigError).problems;
      }
    };
    expect(problems()).toEqual([
      expect.stringMatching(/^mqtt\.passwordFile: .* readable by group 100 \(mode 0640\)/),
      expect.stringMatching(/^api\.tokenFile: .* readable by group 100 \(mode 0640\)/),
    ]);
    for (const f of [pw, token]) chmodSync(f, 0o600);
    expect(problems()).toEqual([]);
    for (const f of [pw, token]) {
      chownSync(f, 0, 0);
      chmodSync(f, 0o640); // root:root 0640 (and root:station-agent 0640, as packaged) is fine
    }
    expect(problems()).toEqual([]);
  });

  it("refuses user:password@ in mqtt.url and points to username/passwordFile", () => {
    for (const url of ["mqtt://agent:hunter2@broker.example:1883", "mqtts://u@broker.example"]) {
      try {
        parseConfigText(stringify({ ...VALID, mqtt: { ...VALID.mqtt, url } }), "url");
        expect.unreachable();
      } catch (e) {
        const text = (e as ConfigError).problems.join("\n");
        expect(text).toMatch(
          /^mqtt\.url: must not contain user:password@; set mqtt\.username and mqtt\.passwordFile/,
        );
        expect(text).not.toContain("hunter2");
      }
    }
    expect(redactUrl("mqtt://agent:hunter2@broker:1883")).toBe("mqtt://***@broker:1883");
    expect(redactUrl("mqtts://broker:8883")).toBe("mqtts://broker:8883");
  });

  it("exits 78 (not 1) on a YAML alias bomb, without expanding it", async () => {
    const dir = tempDir();
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      levels.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(", ")}]`);
    }
    const file = join(dir, "bomb.yaml");
    writeFileSync(file, `${levels.join("\n")}\nstation: {id: X}\n`);
    const r = await runCli(["config", "check", "--config", file]);
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/YAML: Excessive alias count/);
  });

  it("the CLI exits 78 with path: message lines and no stack trace", async () => {
    const dir = tempDir();
    const sample = all.filter((_, i) => i % 25 === 0);
    for (const m of sample) {
      const file = join(dir, "bad.yaml");
      writeFileSync(file, stringify(apply(m)));
      const r = await runCli(["config", "check", "--config", file]);
      expect(r.code).toBe(78);
      expect(r.stderr).toContain(`${m.expectPath}`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const ok = join(dir, "ok.yaml");
    writeFileSync(ok, stringify(VALID));
    expect((await runCli(["config", "check", "--config", ok])).code).toBe(0);
    const schema = await runCli(["config", "schema"]);
    expect(JSON.parse(schema.stdout)).toHaveProperty("properties.station");
  });
});
