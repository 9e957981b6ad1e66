/**
 * station-noc kill -9 at 20,000 stations: how many stations the restarted NOC asks to resend. Before the
 * NOC held its PUBACKs until commit, every active station was asked (the stored last seq lagged up to
 * 30 s behind what the broker had been told). The baseline is the number of stations; target < 1 %.
 *
 *   npx tsx scripts/bench/noc-crash.bench.ts
 *   NOC_CRASH_STATIONS=20000 NOC_CRASH_STORAGE=sqlite NOC_CRASH_DOWN_S=5 NOC_CRASH_STEADY_S=75 NOC_BENCH_POOL=10
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "../../test/support/mosquitto.js";
import type { CollectorStatus } from "../../test/support/noc-process.js";
import { ROOT, start, startSimulators, stop, until } from "./noc.bench.js";
import type { BenchResult } from "./types.js";

const PG_URL = process.env.NOC_BENCH_PG ?? "postgres://postgres@127.0.0.1:5432/test";
/** The NOC's default gap grace is 10 s: requests, if any, go out after it. */
const AFTER_RESTART_S = 45;

async function runOne(
  storage: "sqlite" | "postgres",
  stations: number,
  downS: number,
  steadyS: number,
): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "noc-crash-bench-"));
  const logs: string[] = [];
  const children: ChildProcess[] = [];
  const schema = `noc_crash_${process.pid}`;
  const spec = storage === "sqlite" ? join(dir, "noc.db") : `${PG_URL}?schema=${schema}`;
  const pool = Number(process.env.NOC_BENCH_POOL ?? 10);
  let noc: ChildProcess | undefined;
  try {
    const port = await freePort();
    const httpPort = await freePort();
    const url = `mqtt://127.0.0.1:${port}`;
    writeFileSync(
      join(dir, "mosquitto.conf"),
      `listener ${port} 127.0.0.1\nallow_anonymous true\nmax_queued_messages 1000000\n`,
    );
    children.push(start("mosquitto", ["-c", join(dir, "mosquitto.conf")], logs));
    await sleep(500);
    const startNoc = () =>
      start(
        process.execPath,
        [
          ...["--import", "tsx", "noc/cli.ts", "serve", "--mqtt-url", url, "--root", ROOT],
          ...["--storage", spec, "--http-port", String(httpPort), "--instance", "noc-crash-bench"],
          ...["--silent-after", "600", "--rollup-interval", "3600", "--log-level", "warn"],
        ],
        logs,
      );
    const collector = async () =>
      (await (await fetch(`http://127.0.0.1:${httpPort}/api/v1/collector`)).json()) as CollectorStatus;
    noc = startNoc();
    await until("station-noc", async () => (await collector()).mqttConnected, 60_000);
    children.push(...startSimulators(url, stations, pool, logs));
    await until(
      "every station seen",
      async () => (await collector()).stations >= stations || undefined,
      300_000,
    );
    // Steady state: long enough that the stations' lazy 30 s liveness writes (what the NOC did before
    // holding acks) no longer all fall just before the kill.
    await sleep(steadyS * 1000);
    const before = await collector();

    noc.kill("SIGKILL");
    await new Promise((r) => noc?.once("exit", r));
    await sleep(downS * 1000);
    const restartedAt = Date.now();
    noc = startNoc();
    await until("station-noc restarted", async () => (await collector()).mqttConnected, 120_000);
    const connectedS = (Date.now() - restartedAt) / 1000;
    await sleep(AFTER_RESTART_S * 1000);
    const after = await collector();
    const tag = `noc_crash.${storage}.${stations}st`;
    const requests = after.gaps.resendRequests;
    return [
      {
        name: `${tag}.resend_requests`,
        value: requests,
        unit: `requests in ${AFTER_RESTART_S} s`,
        baseline: { name: "stations (one request each before)", value: stations },
        ratio: requests / stations,
        target: "< 1 % of stations",
        pass: requests < stations / 100,
      },
      {
        // Each open gap becomes a request once the grace time is over; requests go out 50 at a time,
        // so the gaps, not the requests sent in the window, are what a crash finally costs.
        name: `${tag}.gaps_opened`,
        value: after.gaps.opened,
        unit: "gaps (each one a request to come)",
        baseline: { name: "stations", value: stations },
        ratio: after.gaps.opened / stations,
        target: "< 1 % of stations",
        pass: after.gaps.opened < stations / 100,
      },
      { name: `${tag}.duplicates_redelivered`, value: after.duplicates, unit: "messages" },
      { name: `${tag}.accepted_before_kill`, value: before.accepted, unit: "messages" },
      {
        name: `${tag}.accepted_after_restart`,
        value: after.accepted,
        unit: `messages in ${AFTER_RESTART_S} s`,
      },
      { name: `${tag}.restart_to_connected`, value: connectedS, unit: "s" },
      { name: `${tag}.down`, value: downS, unit: "s (NOC dead)" },
    ];
  } catch (e) {
    process.stderr.write(logs.slice(-20).join(""));
    throw e;
  } finally {
    for (const c of children.slice(1).reverse()) await stop(c);
    await stop(noc);
    await stop(children[0]);
    if (storage === "postgres") {
      const pg = (await import("pg")).default;
      const client = new pg.Client({ connectionString: PG_URL });
      await client
        .connect()
        .then(() => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`))
        .catch(() => undefined);
      await client.end().catch(() => undefined);
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchResult[]> {
  const stations = Number(process.env.NOC_CRASH_STATIONS ?? 20_000);
  const downS = Number(process.env.NOC_CRASH_DOWN_S ?? 5);
  const steadyS = Number(process.env.NOC_CRASH_STEADY_S ?? 75);
  const storages = (process.env.NOC_CRASH_STORAGE ?? "sqlite").split(",") as ("sqlite" | "postgres")[];
  const out: BenchResult[] = [];
  for (const s of storages) out.push(...(await runOne(s, stations, downS, steadyS)));
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { printResults } = await import("./types.js");
  run()
    .then((results) => printResults("noc-crash", results))
    .catch((e: unknown) => {
      process.stderr.write(`noc-crash bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
      process.exit(1);
    });
}
