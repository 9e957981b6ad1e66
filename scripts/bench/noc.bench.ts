/**
 * station-noc ingest benchmark: 20,000 simulated stations, one durable message per 10 s each (2,000
 * msg/s), against a private Mosquitto. Measures end-to-end lag (payload time -> processed by the
 * collector, and -> committed to storage) p50/p99, the collector's CPU and RSS, and storage growth per
 * day; `mosquitto_sub` consuming the same stream in the same run is the ceiling.
 *
 *   npx tsx scripts/bench/noc.bench.ts
 *   NOC_BENCH_STATIONS=20000 NOC_BENCH_SECONDS=120 NOC_BENCH_STORAGE=sqlite,postgres NOC_BENCH_POOL=10
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { LagHistogram } from "../../noc/stats.js";
import { PostgresStorage } from "../../noc/storage/index.js";

import type { BenchResult } from "./types.js";
import { freePort } from "../../test/support/mosquitto.js";
import { setTimeout as sleep } from "node:timers/promises";

export type { BenchResult };

const REPO = fileURLToPath(new URL("../../", import.meta.url));
export const ROOT = "bench/state";
const PG_URL = process.env.NOC_BENCH_PG ?? "postgres://postgres@127.0.0.1:5432/test";
const TICK = 100; // USER_HZ on Linux

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICK;
}

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) * 1024 : 0;
}

export function start(cmd: string, args: string[], log: string[]): ChildProcess {
  const p = spawn(cmd, args, { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
  p.stderr?.on("data", (d: Buffer) => log.push(d.toString()));
  return p;
}

export async function stop(p: ChildProcess | undefined, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (!p || p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise((r) => p.once("exit", r));
  p.kill(signal);
  const t = setTimeout(() => p.kill("SIGKILL"), 8000);
  await exited;
  clearTimeout(t);
}

export async function until<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await Promise.resolve(check()).catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

interface Collector {
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  reconnects?: number;
  stations: number;
  accepted: number;
  duplicates: number;
  invalid: number;
  storageBytes: number;
  mqttConnected: boolean;
  gaps: { opened: number };
  lagMs: Record<
    "ingest" | "commit",
    { count: number; p50: number | null; p99: number | null; max: number | null }
  >;
}

async function runOne(
  storage: "sqlite" | "postgres",
  stations: number,
  seconds: number,
  pool: number,
): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "noc-bench-"));
  const logs: string[] = [];
  const children: ChildProcess[] = [];
  const schema = `noc_bench_${process.pid}`;
  const spec = storage === "sqlite" ? join(dir, "noc.db") : `${PG_URL}?schema=${schema}`;
  try {
    const port = await freePort();
    const httpPort = await freePort();
    writeFileSync(
      join(dir, "mosquitto.conf"),
      [
        `listener ${port} 127.0.0.1`,
        "allow_anonymous true",
        "max_queued_messages 1000000",
        ...(process.env.NOC_BENCH_BROKER_EXTRA ?? "").split(";").filter(Boolean),
        "",
      ].join("\n"),
    );
    const broker = start("mosquitto", ["-c", join(dir, "mosquitto.conf")], logs);
    children.push(broker);
    await sleep(500);
    writeFileSync(join(dir, "token"), "bench-token\n", { mode: 0o600 }); // the NOC refuses a readable token
    const url = `mqtt://127.0.0.1:${port}`;
    const noc = start(
      process.execPath,
      [
        "--import",
        "tsx",
        "noc/cli.ts",
        "serve",
        "--mqtt-url",
        url,
        "--root",
        ROOT,
        "--storage",
        spec,
        "--http-port",
        String(httpPort),
        "--silent-after",
        "600",
        "--rollup-interval",
        "3600",
        "--admin-token-file",
        join(dir, "token"),
        "--log-level",
        "warn",
        "--instance",
        "noc-bench",
      ],
      logs,
    );
    children.push(noc);
    const api = `http://127.0.0.1:${httpPort}/api/v1/collector`;
    const collector = async () => (await (await fetch(api)).json()) as Collector;
    await until("station-noc", async () => (await collector()).mqttConnected, 30_000);

    // The ceiling: mosquitto_sub on the same stream, lag = its receive time - payload time.
    const subLag = new LagHistogram();
    let subCount = 0;
    const sub = start(
      "mosquitto_sub",
      [
        "-h",
        "127.0.0.1",
        "-p",
        String(port),
        "-q",
        "1",
        "-t",
        `${ROOT}/+/metrics`,
        "-t",
        `${ROOT}/+/event`,
        "-F",
        "%U %p",
      ],
      logs,
    );
    children.push(sub);
    createInterface({ input: sub.stdout! }).on("line", (line) => {
      const sp = line.indexOf(" ");
      const m = /"time":"([^"]+)"/.exec(line);
      if (sp < 0 || !m || line.includes('"historical":true')) return;
      subCount++;
      // %U is "seconds.nanoseconds".
      subLag.record(Number(line.slice(0, sp)) * 1000 - Date.parse(m[1] as string));
    });

    children.push(...startSimulators(url, stations, pool, logs));
    await until(
      "every station seen",
      async () => (await collector()).stations >= stations || undefined,
      300_000,
    );
    // Every staggered clock runs, and the first write of every station row (a one-off) is behind us.
    await sleep(45_000);

    const reset = await fetch(`${api}/reset-lag`, {
      method: "POST",
      headers: { authorization: "Bearer bench-token" },
    });
    if (!reset.ok) throw new Error(`reset-lag: HTTP ${reset.status}`);
    const load0 = readFileSync("/proc/loadavg", "utf8").split(" ");
    subLag.reset();
    subCount = 0;
    const before = await collector();
    const pgBefore = storage === "postgres" ? await appendOnlyBytes(schema) : 0;
    const cpu0 = cpuSeconds(noc.pid!);
    const brokerCpu0 = cpuSeconds(broker.pid!);
    const t0 = Date.now();
    let rssMax = 0;
    while (Date.now() - t0 < seconds * 1000) {
      rssMax = Math.max(rssMax, rssBytes(noc.pid!));
      await sleep(2000);
    }
    const elapsed = (Date.now() - t0) / 1000;
    const cpu = (100 * (cpuSeconds(noc.pid!) - cpu0)) / elapsed;
    const brokerCpu = (100 * (cpuSeconds(broker.pid!) - brokerCpu0)) / elapsed;
    const after = await collector();
    if (process.env.NOC_BENCH_DEBUG)
      process.stderr.write(`before ${JSON.stringify(before)}\nafter ${JSON.stringify(after)}\n`);
    const sub99 = subLag.percentile(99) ?? NaN;
    const sub50 = subLag.percentile(50) ?? NaN;
    const rate = (after.accepted - before.accepted) / elapsed;
    const subRate = subCount / elapsed;
    // PostgreSQL: updated station rows leave dead tuples until autovacuum, so its growth is measured on
    // the tables that only grow (events, histories, outages, gaps, daily); SQLite reuses freed pages.
    const grown =
      storage === "postgres"
        ? (await appendOnlyBytes(schema)) - pgBefore
        : after.storageBytes - before.storageBytes;
    const growthPerDay = (grown * 86_400) / elapsed;
    const ingest = after.lagMs.ingest;
    const commit = after.lagMs.commit;
    const tag = `noc.${storage}.${stations}st`;
    return [
      {
        name: `${tag}.ingest_rate`,
        value: round(rate),
        unit: "msg/s",
        baseline: { name: "mosquitto_sub", value: round(subRate) },
        ratio: round(rate / subRate, 3),
      },
      {
        name: `${tag}.lag_p50`,
        value: ingest.p50 ?? NaN,
        unit: "ms",
        baseline: { name: "mosquitto_sub p50", value: sub50 },
      },
      {
        name: `${tag}.lag_p99`,
        value: ingest.p99 ?? NaN,
        unit: "ms",
        baseline: { name: "mosquitto_sub p99", value: sub99 },
        target: "< 1000 ms",
        pass: (ingest.p99 ?? Infinity) < 1000,
      },
      { name: `${tag}.commit_lag_p50`, value: commit.p50 ?? NaN, unit: "ms" },
      {
        name: `${tag}.commit_lag_p99`,
        value: commit.p99 ?? NaN,
        unit: "ms",
        target: "< 1000 ms",
        pass: (commit.p99 ?? Infinity) < 1000,
      },
      {
        name: `${tag}.lag_max`,
        value: ingest.max ?? NaN,
        unit: "ms",
        baseline: { name: "mosquitto_sub max", value: subLag.summary().max ?? NaN },
      },
      { name: `${tag}.event_loop_delay_p99`, value: round(after.eventLoopDelayMs.p99), unit: "ms" },
      { name: `${tag}.event_loop_delay_max`, value: round(after.eventLoopDelayMs.max), unit: "ms" },
      { name: `${tag}.reconnects`, value: after.reconnects ?? 0, unit: "count" },
      {
        name: `${tag}.collector_cpu`,
        value: round(cpu),
        unit: "% of one core",
        baseline: { name: "mosquitto broker", value: round(brokerCpu) },
      },
      {
        name: `${tag}.machine_load_1min`,
        value: Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]),
        unit: `(at start ${load0[0]}, 2 cores)`,
      },
      { name: `${tag}.collector_rss_max`, value: round(rssMax / 1048576), unit: "MiB" },
      { name: `${tag}.storage_growth`, value: round(growthPerDay / 1048576), unit: "MiB/day" },
      {
        name: `${tag}.duplicates_invalid_gaps`,
        value: after.duplicates + after.invalid + after.gaps.opened,
        unit: "count",
      },
    ];
  } catch (e) {
    process.stderr.write(logs.slice(-20).join(""));
    throw e;
  } finally {
    for (const c of children.slice(2).reverse()) await stop(c);
    await stop(children[1]);
    await stop(children[0]);
    if (storage === "postgres") {
      const pg = new PostgresStorage({ connectionString: PG_URL, schema });
      await pg
        .init()
        .then(() => pg.dropSchema())
        .catch(() => undefined);
      await pg.close().catch(() => undefined);
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The load: `stations` simulated stations, one durable message per 10 s each (every 10th an event),
 * 10,000 per process; the generators run niced so they yield the CPU to what is measured.
 */
export function startSimulators(url: string, stations: number, pool: number, logs: string[]): ChildProcess[] {
  const out: ChildProcess[] = [];
  const perProcess = 10_000;
  for (let first = 0; first < stations; first += perProcess) {
    const count = Math.min(perProcess, stations - first);
    const args = [
      ...["-n", "10", process.execPath, "--import", "tsx", "scripts/simulate-stations.ts"],
      ...["--url", url, "--root", ROOT, "--count", String(count), "--first-index", String(first + 1)],
      ...["--pool", String(pool), "--interval", "10", "--connect-rate", "2000", "--districts", "20"],
      ...["--event-every", "10"],
    ];
    out.push(start("nice", args, logs));
  }
  return out;
}

/** Size of the append-only tables of a PostgreSQL schema (indexes included). */
async function appendOnlyBytes(schema: string): Promise<number> {
  const pg = (await import("pg")).default;
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    const r = await client.query(
      `SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::bigint AS bytes FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname NOT IN ('stations', 'meta')`,
      [schema],
    );
    return Number((r.rows[0] as { bytes?: string } | undefined)?.bytes ?? 0);
  } finally {
    await client.end();
  }
}

const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;

export async function run(): Promise<BenchResult[]> {
  const stations = Number(process.env.NOC_BENCH_STATIONS ?? 20_000);
  const seconds = Number(process.env.NOC_BENCH_SECONDS ?? 120);
  const pool = Number(process.env.NOC_BENCH_POOL ?? 10);
  const storages = (process.env.NOC_BENCH_STORAGE ?? "sqlite,postgres").split(",") as (
    "sqlite" | "postgres"
  )[];
  const out: BenchResult[] = [];
  for (const s of storages) out.push(...(await runOne(s, stations, seconds, pool)));
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run()
    .then((results) => {
      for (const r of results) {
        const base = r.baseline ? `  (${r.baseline.name}: ${r.baseline.value})` : "";
        const target = r.target ? `  target ${r.target}: ${r.pass ? "pass" : "FAIL"}` : "";
        process.stdout.write(
          `${r.name.padEnd(44)} ${String(r.value).padStart(9)} ${r.unit}${base}${target}\n`,
        );
      }
      process.stdout.write(`${JSON.stringify(results)}\n`);
    })
    .catch((e: unknown) => {
      process.stderr.write(`noc bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
      process.exit(1);
    });
}
