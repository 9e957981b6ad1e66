/**
 * Alerts at 20,000 stations (issue 16): a NOC holding 20,000 stored stations plus 60 live simulated ones
 * on a private Mosquitto. Measures Last Will -> webhook delivery p50/p99 (baseline: the same Will seen
 * by a plain MQTT subscriber), the CPU of one alert evaluation over the fleet (baseline: one bare pass
 * over the same stations), /metrics scrape time and size (baseline: /api/v1/summary over the same
 * fleet), and notifications sent for a 40-station PoP cut (target 1) and for a flapping station.
 *
 *   npx tsx scripts/bench/noc-alerts.bench.ts      (NOC_ALERT_BENCH_STATIONS=20000)
 */
import mqtt from "mqtt";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { defaultOptions, NocApp } from "../../noc/app.js";
import { parseAlerts } from "../../noc/alerts/rules.js";
import type { RegistryEntry } from "../../noc/fleet.js";
import type { StationRow } from "../../noc/model.js";
import { emptyBatch, SqliteStorage } from "../../noc/storage/index.js";
import { StationSimulator } from "../simulate-stations.js";
import { freePort, PrivateMosquitto } from "../../test/support/mosquitto.js";
import type { BenchResult } from "./types.js";

const N = Number(process.env.NOC_ALERT_BENCH_STATIONS ?? 20_000);
const ROOT = "bench/alerts";
const DISTRICTS = ["Pune", "Nagpur", "Nashik", "Thane", "Satara", "Sangli", "Solapur", "Latur"];
const quiet = {
  warn: () => undefined,
  info: () => undefined,
  error: () => undefined,
  debug: () => undefined,
} as never;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)] ?? NaN;

async function waitFor(what: string, check: () => boolean, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

export async function run(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "noc-alert-bench-"));
  const broker = new PrivateMosquitto();
  await broker.start();
  const hooks: { at: number; station?: string; stations?: string[]; reason: string; rule: string }[] = [];
  const hookPort = await freePort();
  const hookServer = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      hooks.push({ at: Date.now(), ...(JSON.parse(body) as { reason: string; rule: string }) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => hookServer.listen(hookPort, "127.0.0.1", r));

  // 20,000 stored stations (up, in 8 districts, 40 to a PoP) and the registry naming their PoPs.
  const registry = new Map<string, RegistryEntry>();
  const rows: StationRow[] = [];
  const now = Date.now();
  for (let i = 0; i < N; i++) {
    const district = DISTRICTS[i % DISTRICTS.length] as string;
    const id = `ST${String(i).padStart(5, "0")}`;
    registry.set(id, {
      name: `${district} PS ${i}`,
      district,
      pop: `${district}-pop-${Math.floor(i / 320)}`,
    });
    rows.push({
      id,
      name: `${district} PS ${i}`,
      district,
      registered: true,
      firstSeen: now - 86_400_000,
      lastSeen: now,
      status: "up",
      statusSince: now - 86_400_000,
      lastSeq: 1,
      info: { links: {}, devices: {} },
    });
  }
  // 60 live stations: 40 behind one PoP (the cut), 20 single (Will latency, flapping).
  const sim = new StationSimulator({
    url: broker.url,
    root: ROOT,
    count: 60,
    prefix: "LIVE",
    firstIndex: 1,
    districts: 1,
    intervalMs: 0,
    pool: 1,
    connectPerSecond: 200,
    keepaliveS: 30,
  });
  for (const st of sim.stations) {
    const n = Number(st.id.slice(4));
    registry.set(st.id, {
      name: st.id,
      district: n <= 40 ? "Pune" : n === 59 ? "Flap-fast" : n === 60 ? "Flap-2m" : `Single-${n}`,
      ...(n <= 40 ? { pop: "pune-swan-cut" } : {}),
    });
  }
  const SINGLES = Array.from({ length: 18 }, (_, i) => `Single-${41 + i}`).join(", ");
  const seed = new SqliteStorage(join(dir, "noc.db"));
  await seed.init();
  await seed.write({ ...emptyBatch(), stations: rows });
  await seed.close();
  writeFileSync(join(dir, "token"), "bench-token");

  const noc = new NocApp(
    defaultOptions({
      mqttUrl: broker.url,
      root: ROOT,
      instance: "noc-alert-bench",
      storage: join(dir, "noc.db"),
      httpPort: 0,
      silentAfterS: 86_400,
      rollupS: 3600,
      adminToken: "bench-token",
      alertTickMs: 1000,
      notifyTickMs: 100,
      registry,
      alerts: parseAlerts(
        `
rules:
  - { name: dark-single, kind: station-dark, for: 0s, correlate: false, districts: [Flap-fast, ${SINGLES}] }
  - { name: dark, kind: station-dark, severity: critical, for: 0s, districts: [Pune] }
  - { name: dark-2m, kind: station-dark, severity: critical, for: 2m, districts: [Flap-2m] }
  - { name: silent, kind: station-silent, for: 10m }
  - { name: backup, kind: on-backup, for: 2h }
  - { name: device, kind: device-faulted, for: 10m }
  - { name: battery, kind: on-battery, for: 15m }
correlation: { minStations: 5, within: 5m, hold: 10s }
flapping: { changes: 5, within: 10m }
channels:
  hook: { type: webhook, url: "http://127.0.0.1:${hookPort}/", ratePerMinute: 10000 }
contacts:
  - { name: noc, targets: [{ channel: hook }] }
`,
        "bench",
      ),
    }),
    { log: quiet },
  );
  await noc.start();
  await noc.ready;
  await sim.start();
  await waitFor("live stations up", () =>
    sim.stations.every((s) => noc.fleet.stations.get(s.id)?.row.status === "up"),
  );
  const results: BenchResult[] = [];

  // Alert evaluation over the whole fleet: its CPU per pass, against one bare pass over the stations.
  const passes = 20;
  let t0 = process.cpuUsage();
  for (let i = 0; i < passes; i++) await noc.alerts.tick();
  const evalMs = (process.cpuUsage(t0).user + process.cpuUsage(t0).system) / 1000 / passes;
  t0 = process.cpuUsage();
  let dark = 0;
  for (let i = 0; i < passes; i++)
    for (const { row } of noc.fleet.stations.values()) if (row.status !== "up") dark++;
  const bareMs = (process.cpuUsage(t0).user + process.cpuUsage(t0).system) / 1000 / passes;
  void dark;
  results.push({
    name: `alert evaluation CPU per pass, ${noc.fleet.stations.size} stations, 5 rules`,
    value: evalMs,
    unit: "ms",
    baseline: { name: "bare pass over the fleet", value: bareMs },
    ratio: evalMs / Math.max(bareMs, 0.001),
    target: "< 250 ms (5 % of one core at a 5 s interval)",
    pass: evalMs < 250,
  });

  // /metrics scrape at 20,000 stations.
  const auth = { authorization: "Bearer bench-token" };
  const timed = async (path: string) => {
    const s = performance.now();
    const text = await (await fetch(new URL(path, noc.url), { headers: auth })).text();
    return {
      ms: performance.now() - s,
      bytes: Buffer.byteLength(text),
      lines: text.split("\n").filter((l) => l && !l.startsWith("#")).length,
    };
  };
  await timed("/metrics");
  const scrapes = [];
  for (let i = 0; i < 5; i++) scrapes.push(await timed("/metrics"));
  const summaries = [];
  for (let i = 0; i < 5; i++) summaries.push(await timed("/api/v1/summary"));
  const scrapeMs = pct(
    scrapes.map((s) => s.ms),
    50,
  );
  results.push({
    name: "/metrics scrape time (median of 5)",
    value: scrapeMs,
    unit: "ms",
    baseline: {
      name: "/api/v1/summary",
      value: pct(
        summaries.map((s) => s.ms),
        50,
      ),
    },
    ratio:
      scrapeMs /
      pct(
        summaries.map((s) => s.ms),
        50,
      ),
    target: "< 2000 ms (scrape interval 15 s)",
    pass: scrapeMs < 2000,
  });
  results.push({ name: "/metrics size", value: (scrapes[0]?.bytes ?? 0) / 1e6, unit: "MB" });
  results.push({
    name: "/metrics series",
    value: scrapes[0]?.lines ?? 0,
    unit: "series",
    target: "<= 10 per station",
    pass: (scrapes[0]?.lines ?? 0) <= 10 * noc.fleet.stations.size,
  });

  // Last Will -> webhook: 15 single stations killed one at a time; baseline a subscriber seeing the Will.
  const watcher = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: "bench-watch" });
  const willSeen = new Map<string, number>();
  watcher.on("message", (topic, payload) => {
    if (payload.length && !(JSON.parse(payload.toString()) as { online: boolean }).online)
      willSeen.set(topic.split("/")[2] as string, Date.now());
  });
  await watcher.subscribeAsync(`${ROOT}/+/state`, { qos: 1 });
  const lat: number[] = [];
  const base: number[] = [];
  for (let n = 41; n <= 55; n++) {
    const id = `LIVE${String(n).padStart(5, "0")}`;
    const killed = Date.now();
    sim.kill(id);
    const fired = () => hooks.find((h) => h.station === id && h.reason === "fire" && h.at >= killed);
    await waitFor(`webhook for ${id}`, () => fired() !== undefined);
    lat.push((fired()?.at ?? NaN) - killed);
    base.push((willSeen.get(id) ?? NaN) - killed);
  }
  results.push({
    name: "Last Will -> webhook p50 (rule for: 0s, not correlated)",
    value: pct(lat, 50),
    unit: "ms",
    baseline: { name: "Will seen by a subscriber", value: pct(base, 50) },
    ratio: pct(lat, 50) / Math.max(1, pct(base, 50)),
  });
  results.push({
    name: "Last Will -> webhook p99",
    value: pct(lat, 99),
    unit: "ms",
    baseline: { name: "Will seen by a subscriber", value: pct(base, 99) },
    target: "< 1 s",
    pass: pct(lat, 99) < 1000,
  });

  // A 40-station PoP cut: every Will within a second; how many notifications?
  const before = hooks.length;
  for (let n = 1; n <= 40; n++) sim.kill(`LIVE${String(n).padStart(5, "0")}`);
  await sleep(16_000); // the correlation hold (10 s here) and an evaluation
  const cut = hooks.slice(before).filter((h) => h.reason !== "resolve");
  results.push({
    name: "notifications for a 40-station PoP cut",
    value: cut.length,
    unit: "",
    target: "1",
    pass: cut.length === 1,
  });

  // Flapping stations: down and up 8 times in under a minute, under a `for: 2m` rule and a `for: 0s` one.
  const beforeFlap = hooks.length;
  for (let i = 0; i < 8; i++) {
    sim.kill("LIVE00059");
    sim.kill("LIVE00060");
    await sleep(1500);
    await Promise.all([sim.revive("LIVE00059"), sim.revive("LIVE00060")]);
    await sleep(1500);
  }
  await sleep(3000);
  const told = (id: string) =>
    hooks.slice(beforeFlap).filter((h) => h.station === id && h.reason !== "resolve").length;
  results.push({
    name: "notifications, station flapping 8 times, rule for: 2m",
    value: told("LIVE00060"),
    unit: "",
    target: "1 (the flapping alert)",
    pass: told("LIVE00060") === 1,
  });
  results.push({
    name: "notifications, station flapping 8 times, rule for: 0s",
    value: told("LIVE00059"),
    unit: "",
    target: "<= 5 (4 dark before damping + 1 flapping)",
    pass: told("LIVE00059") <= 5,
  });

  await watcher.endAsync();
  await sim.stop(false);
  await noc.stop();
  hookServer.close();
  await broker.dispose();
  rmSync(dir, { recursive: true, force: true });
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { printResults } = await import("./types.js");
  printResults("noc-alerts", await run());
  process.exit(0);
}
