// Agent core benchmarks: durable enqueue, backlog drain vs a raw mqtt.js QoS 1 loop, bytes/day, steady RSS/CPU.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import mqtt from "mqtt";
import pino from "pino";
import { stationTopics } from "../../contract/index.js";
import { MqttSession } from "../../agent/mqtt-session.js";
import { Outbox } from "../../agent/outbox.js";
import { Reporter } from "../../agent/reporter.js";
import { PrivateMosquitto } from "../../test/helpers/mosquitto.js";
import { AgentProcess, ROOT, writeConfig } from "../../test/helpers/agent-process.js";
import { execFileSync, spawn } from "node:child_process";
import { Collector } from "../../test/helpers/collector.js";
import { printResults, type BenchResult } from "./types.js";

const N = Number(process.env.BENCH_N ?? 100_000);
const log = pino({ level: "silent" });
const clock = { now: () => Date.now(), synced: () => true };
const samplePayload = (seq: number) =>
  JSON.stringify({
    station: "BENCH",
    seq,
    time: new Date().toISOString(),
    clockSynced: true,
    type: "bench",
    data: { i: seq },
  });

async function enqueueRate(): Promise<BenchResult> {
  const ob = new Outbox({
    dir: mkdtempSync(join(tmpdir(), "bench-ob-")),
    maxBytes: 1e9,
    historyMs: 1e9,
    historyMaxBytes: 0,
  });
  const n = 5000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) ob.enqueue("event", "b/e", samplePayload);
  const s = (performance.now() - t0) / 1000;
  ob.close();
  return { name: "durable enqueue (each fsynced, synchronous=FULL)", value: n / s, unit: "msg/s" };
}

async function rawPublish(url: string): Promise<number> {
  const client = mqtt.connect(url, { clientId: "bench-raw", protocolVersion: 5 });
  await new Promise((r) => client.once("connect", r));
  // The same window of QoS 1 messages awaiting PUBACK as the agent (mqtt.js has 65,535 packet ids at most).
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    let sent = 0;
    let acked = 0;
    const next = () => {
      while (sent < N && sent - acked < 100) {
        sent++;
        client.publish("bench/raw", samplePayload(sent), { qos: 1 }, () => {
          if (++acked === N) resolve();
          else next();
        });
      }
    };
    next();
  });
  const rate = N / ((performance.now() - t0) / 1000);
  await new Promise((r) => client.end(false, {}, r));
  return rate;
}

async function drain(url: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "bench-drain-"));
  const outbox = new Outbox({ dir, maxBytes: 1e9, historyMs: 7 * 86_400_000, historyMaxBytes: 1e9 });
  outbox.db.transaction(() => {
    for (let i = 0; i < N; i++) outbox.enqueue("event", "bench/drain", samplePayload);
  })();
  const session = new MqttSession({
    url,
    protocolVersion: 5,
    keepalive: 30,
    clientId: "bench-drain",
    reconnect: { minMs: 500, maxMs: 2000 },
    log,
  });
  const reporter = new Reporter({
    station: "BENCH",
    topics: stationTopics("bench", "BENCH"),
    session,
    outbox,
    clock,
    log,
    inflight: 100,
  });
  let t0 = 0;
  session.onConnect(() => {
    t0 = performance.now();
    reporter.onConnected();
  });
  session.start();
  while (outbox.stats().depth > 0) await new Promise((r) => setTimeout(r, 20));
  const rate = N / ((performance.now() - t0) / 1000);
  await session.stop();
  outbox.close();
  return rate;
}

async function steadyState(url: string): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "bench-steady-"));
  const cfg = writeConfig(dir, {
    station: { id: "BENCH-STEADY" },
    mqtt: { url, topicRoot: "bench" },
    storage: { dir: join(dir, "state") },
    api: { enabled: false },
    log: { level: "warn" },
  });
  const col = await Collector.connect(url, "bench/BENCH-STEADY/#");
  // Measure what a station runs: the compiled agent on plain node, not the tsx development loader.
  execFileSync("npm", ["run", "build"], { stdio: "ignore" });
  const agent = new AgentProcess(cfg);
  const proc = spawn(process.execPath, [join(ROOT, "dist/agent/cli.js"), "run", "--config", cfg], {
    stdio: "ignore",
  });
  agent.proc = proc;
  await col.waitFor((m) => m.some((x) => x.topic.endsWith("/uptime")), 30_000, "uptime");
  await new Promise((r) => setTimeout(r, 10_000)); // past start-up
  const ticks = (await readStat(proc.pid!)).cpuTicks;
  const t0 = Date.now();
  const bytes0 = col.messages.reduce((s, m) => s + JSON.stringify(m.payload).length + m.topic.length, 0);
  await new Promise((r) => setTimeout(r, 65_000));
  const st = await readStat(proc.pid!);
  const cpuPct = (100 * (st.cpuTicks - ticks)) / 100 / ((Date.now() - t0) / 1000);
  await agent.kill("SIGTERM");
  const durable = col.messages.filter((m) => m.topic.endsWith("/metrics") || m.topic.endsWith("/event"));
  const perMetrics = durable
    .filter((m) => m.topic.endsWith("/metrics"))
    .map((m) => JSON.stringify(m.payload).length + m.topic.length);
  const avgMetrics = perMetrics.reduce((a, b) => a + b, 0) / Math.max(1, perMetrics.length);
  const uptimeBytes = col.on("/uptime").map((m) => JSON.stringify(m.payload).length)[0] ?? 0;
  // Default settings: one metrics sample a minute, one uptime refresh a minute, plus MQTT fixed+variable header (~30 B).
  const perDay = 1440 * (avgMetrics + 30) + 1440 * (uptimeBytes + 30);
  await col.end();
  void bytes0;
  return [
    {
      name: "bytes per station per day at default settings (metrics + uptime, excl. events)",
      value: perDay,
      unit: "B/day",
    },
    {
      name: "steady-state RSS",
      value: st.rssBytes / 1e6,
      unit: "MB",
      target: "< 80 MB",
      pass: st.rssBytes < 80e6,
    },
    { name: "steady-state CPU", value: cpuPct, unit: "% of a core", target: "< 1 %", pass: cpuPct < 1 },
  ];
}

async function readStat(pid: number): Promise<{ cpuTicks: number; rssBytes: number }> {
  const { readFileSync } = await import("node:fs");
  const target = pid;
  const stat = readFileSync(`/proc/${target}/stat`, "utf8").split(") ")[1]!.split(" ");
  const status = readFileSync(`/proc/${target}/status`, "utf8");
  const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
  return { cpuTicks: Number(stat[11]) + Number(stat[12]), rssBytes: rss };
}

export async function run(): Promise<BenchResult[]> {
  const broker = await PrivateMosquitto.start();
  try {
    const results: BenchResult[] = [await enqueueRate()];
    process.stderr.write("enqueue done\n");
    const raw = await rawPublish(broker.url);
    process.stderr.write(`raw ${raw}\n`);
    const drained = await drain(broker.url);
    process.stderr.write(`drain ${drained}\n`);
    results.push({
      name: `drain ${N.toLocaleString("en-US")}-message backlog to Mosquitto`,
      value: drained,
      unit: "msg/s",
      baseline: { name: "raw mqtt.js QoS 1 loop", value: raw },
      ratio: drained / raw,
      target: ">= 0.50 of raw",
      pass: drained / raw >= 0.5,
    });
    results.push(...(await steadyState(broker.url)));
    return results;
  } finally {
    await broker.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  printResults("core", await run());
}
