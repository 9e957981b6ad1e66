// @needs mosquitto prometheus tzdata
/**
 * The NOC end to end with alerts: simulated stations on a real Mosquitto, a station killed (its Will),
 * the alert fired and posted to a webhook, acknowledged through the API (the record says who), and
 * Debian's real Prometheus scraping /metrics and seeing the station dark through a PromQL query.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { defaultOptions, NocApp } from "../../noc/app.js";
import { parseAlerts } from "../../noc/alerts/rules.js";
import { StationSimulator } from "../../scripts/simulate-stations.js";
import { eventually, freePort, PrivateMosquitto, waitForPort } from "../support/mosquitto.js";

const ROOT = "cctns/alertprom";
const silent = {
  warn: () => undefined,
  info: () => undefined,
  error: () => undefined,
  debug: () => undefined,
} as never;
const broker = new PrivateMosquitto();
const dir = mkdtempSync(join(tmpdir(), "noc-alertprom-"));
const hooks: Record<string, unknown>[] = [];
let hookServer: Server;
let noc: NocApp;
let sim: StationSimulator;
let prom: ChildProcess | undefined;
let promPort = 0;

beforeAll(async () => {
  await broker.start();
  const hookPort = await freePort();
  hookServer = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      hooks.push(JSON.parse(body) as Record<string, unknown>);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => hookServer.listen(hookPort, "127.0.0.1", r));
  noc = new NocApp(
    defaultOptions({
      mqttUrl: broker.url,
      root: ROOT,
      instance: "noc-alertprom",
      storage: join(dir, "noc.db"),
      httpPort: 0,
      flushMs: 50,
      livenessFlushMs: 200,
      sweepMs: 200,
      rollupS: 3600,
      adminToken: "tok",
      alertTickMs: 200,
      notifyTickMs: 100,
      alerts: parseAlerts(
        `
rules:
  - { name: dark, kind: station-dark, severity: critical, for: 1s, correlate: false }
channels:
  hook: { type: webhook, url: "http://127.0.0.1:${hookPort}/" }
contacts:
  - { name: noc, targets: [{ channel: hook }] }
escalation:
  - { after: 0s, contacts: [noc] }
`,
        "test",
      ),
    }),
    { log: silent },
  );
  await noc.start();
  await noc.ready;
  sim = new StationSimulator({
    url: broker.url,
    root: ROOT,
    count: 4,
    prefix: "PS",
    firstIndex: 1,
    districts: 2,
    intervalMs: 0,
    pool: 1,
    connectPerSecond: 100,
    keepaliveS: 2,
  });
  await sim.start();
  await eventually(() => [...noc.fleet.stations.values()].filter((s) => s.row.status === "up").length === 4);
}, 60_000);

afterAll(async () => {
  prom?.kill("SIGTERM");
  await sim?.stop(false);
  await noc?.stop();
  hookServer?.close();
  await broker.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const post = (path: string, body: unknown) =>
  fetch(new URL(path, noc.url), {
    method: "POST",
    headers: { authorization: "Bearer tok", "content-type": "application/json" },
    body: JSON.stringify(body),
  });

async function promql(q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(q)}`);
  const j = (await res.json()) as {
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  return j.data.result;
}

it("serves per-station series on /metrics", async () => {
  expect((await fetch(new URL("/metrics", noc.url))).status).toBe(401);
  const text = await (
    await fetch(new URL("/metrics", noc.url), { headers: { authorization: "Bearer tok" } })
  ).text();
  expect(text).toMatch(/^noc_station_up\{station="PS00001",district="[^"]+"\} 1$/m);
  expect(text).toMatch(/^noc_district_up_stations\{district="[^"]+"\} 2$/m);
  expect(text).toContain("# TYPE noc_alerts_firing gauge");
  expect(text).toMatch(/^noc_mqtt_connected 1$/m);
});

it("a killed station: alert fires, webhook told, acknowledged via the API, Prometheus sees it dark", async () => {
  const url = new URL(noc.url);
  promPort = await freePort();
  writeFileSync(
    join(dir, "prometheus.yml"),
    `global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: station-noc
    authorization: { credentials: tok }
    static_configs: [{ targets: ["${url.host}"] }]
`,
  );
  prom = spawn(
    "prometheus",
    [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "tsdb")}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
    ],
    { stdio: "ignore" },
  );
  await waitForPort(promPort, 30_000);
  await eventually(
    async () => (await promql('noc_station_up{station="PS00002"}'))[0]?.value[1] === "1",
    30_000,
    500,
  );

  sim.kill("PS00002");
  await eventually(
    async () => (await promql('noc_station_up{station="PS00002"} == 0')).length === 1,
    30_000,
    500,
  );
  expect((await promql("sum(noc_station_up)"))[0]?.value[1]).toBe("3");

  await eventually(() => hooks.find((h) => h.station === "PS00002" && h.reason === "fire"), 20_000);
  const list = (await (
    await fetch(new URL("/api/v1/alerts", noc.url), { headers: { authorization: "Bearer tok" } })
  ).json()) as {
    firing: { id: string; station: string }[];
  };
  const alert = list.firing.find((a) => a.station === "PS00002");
  expect(alert).toBeDefined();
  expect((await post(`/api/v1/alerts/${alert!.id}/acknowledge`, { by: "" })).status).toBe(400);
  const unauth = await fetch(new URL(`/api/v1/alerts/${alert!.id}/acknowledge`, noc.url), {
    method: "POST",
    body: JSON.stringify({ by: "ravi" }),
  });
  expect(unauth.status).toBe(401);
  expect(
    (await post(`/api/v1/alerts/${alert!.id}/acknowledge`, { by: "ravi", note: "calling the SHO" })).status,
  ).toBe(200);
  const history = (await (
    await fetch(new URL(`/api/v1/alerts/${alert!.id}/history`, noc.url), {
      headers: { authorization: "Bearer tok" },
    })
  ).json()) as {
    events: { action: string; actor: string }[];
  };
  expect(history.events.map((e) => [e.action, e.actor])).toEqual(
    expect.arrayContaining([
      ["fired", "station-noc"],
      ["sent", "station-noc"],
      ["acknowledged", "ravi (via admin-token)"],
    ]),
  );
  const audit = await noc.auth.auditLog({ limit: 20, offset: 0 });
  expect(audit.find((e) => e.action === "alert.acknowledge")).toMatchObject({
    actor: "admin-token",
    target: alert!.id,
    detail: "ravi (via admin-token): calling the SHO",
  });
  await eventually(
    async () => (await promql('noc_alerts_firing{state="acknowledged"}'))[0]?.value[1] === "1",
    20_000,
    500,
  );

  await sim.revive("PS00002");
  await eventually(() => hooks.find((h) => h.station === "PS00002" && h.reason === "resolve"), 20_000);
}, 120_000);
