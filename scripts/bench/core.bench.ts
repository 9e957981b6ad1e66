// Agent core benchmarks: durable enqueue, backlog drain vs a raw mqtt.js QoS 1 loop, bytes/day, steady RSS/CPU.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import mqtt from "mqtt";
import pino from "pino";
import { stationTopics } from "../../contract/index.js";
import { MqttSession } from "../../agent/mqtt-session.js";
import { Outbox } from "../../agent/outbox.js";
import { Reporter } from "../../agent/reporter.js";
import { callLocalApi } from "../../agent/api-client.js";
import { PrivateMosquitto } from "../../test/support/mosquitto.js";
import { RECEIPT } from "../../test/support/printer.js";
import { AgentProcess, ROOT, writeConfig } from "../../test/support/agent-process.js";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { AGENT_ENV, AGENT_NODE_FLAGS } from "../bundle-agent.js";
import { Collector } from "../../test/support/collector.js";
import { printResults, type BenchResult } from "./types.js";
import { R30xPtyEmulator } from "../../drivers/fingerprint/emulator/pty-emulator.js";
import { serveTcp } from "../../drivers/printer/emulator/serve.js";
import { VirtualPrinter } from "../../drivers/printer/emulator/virtual-printer.js";
import { DEFAULT_FONTS, firstExisting, TextRasterizer } from "../../drivers/printer/text-raster.js";
import { setTimeout as sleep } from "node:timers/promises";

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
  while (outbox.stats().depth > 0) await sleep(20);
  const rate = N / ((performance.now() - t0) / 1000);
  await session.stop();
  outbox.close();
  return rate;
}

/** Events left in an agent's outbox, as after an outage, for the agent started on `stateDir` to replay. */
function leaveBacklog(stateDir: string, topic: string, n: number): void {
  // Only enqueues: the agent that opens it afterwards applies its own bounds and history settings.
  const outbox = new Outbox({ dir: stateDir, maxBytes: 1e9, historyMs: 0, historyMaxBytes: 0 });
  outbox.db.transaction(() => {
    for (let i = 0; i < n; i++) outbox.enqueue("event", topic, samplePayload);
  })();
  outbox.close();
}

function benchConfig(dir: string, station: string, url: string, extra: Record<string, unknown> = {}): string {
  return writeConfig(dir, {
    station: { id: station },
    mqtt: { url, topicRoot: "bench" },
    storage: { dir: join(dir, "state") },
    api: { enabled: false },
    log: { level: "warn" },
    ...extra,
  });
}

/**
 * The bundle to measure; BENCH_AGENT_BUNDLE names another build's cli.js (an older commit's, say), so that
 * two versions are compared in the same run on a machine whose load drifts.
 */
const AGENT_BUNDLE = process.env.BENCH_AGENT_BUNDLE ?? join(ROOT, "dist/station-agent/cli.js");

/** The agent as bin/station-agent starts it on a station: the bundle, its node flags and malloc setting. */
function spawnStationAgent(cfg: string): ChildProcess {
  return spawn(process.execPath, [...AGENT_NODE_FLAGS, AGENT_BUNDLE, "run", "--config", cfg], {
    stdio: "ignore",
    env: { ...process.env, ...AGENT_ENV },
  });
}

/**
 * The drain as a station does it: the running agent process (history kept, heartbeats, metrics and all)
 * replays a backlog left in its outbox; timed at a subscriber from the first to the last event.
 */
async function agentDrain(url: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "bench-agent-drain-"));
  const station = "BENCH-AGENT-DRAIN";
  const topic = stationTopics("bench", station).event;
  leaveBacklog(join(dir, "state"), topic, N);
  const sub = mqtt.connect(url, { protocolVersion: 4 });
  let n = 0;
  let first = 0;
  let last = 0;
  sub.on("message", (t) => {
    if (t !== topic) return;
    if (n++ === 0) first = performance.now();
    last = performance.now();
  });
  await new Promise<void>((r) => sub.on("connect", () => sub.subscribe(topic, { qos: 0 }, () => r())));
  const cfg = benchConfig(dir, station, url);
  const agent = new AgentProcess(cfg);
  agent.proc = spawnStationAgent(cfg);
  const deadline = Date.now() + 600_000;
  while (n < N && Date.now() < deadline) await sleep(100);
  await agent.kill("SIGTERM");
  sub.end(true);
  if (n < N) throw new Error(`agent drained only ${n} of ${N}`);
  return N / ((last - first) / 1000);
}

/** What a station has attached in a steady-state run. */
interface StationShape {
  /** Its name in BENCH_CORE_SHAPES. */
  key: "bare" | "full" | "replay" | "printed";
  label: string;
  extra: Record<string, unknown>;
  /** Events left in the outbox before the agent starts, as after a long outage; replayed first. */
  backlog?: number;
  /** Devanagari slips printed through the local API before the measurement (needs `api` enabled in extra). */
  prints?: number;
}

/** A bare agent: no devices, no links (what the RSS floor is). */
const BARE: StationShape = { key: "bare", label: "no devices, no links", extra: {} };

/**
 * A full station: an R30x scanner on a pty and an ESC/POS printer on TCP (both emulated here, polled by
 * the agent as real ones are), a UPS that is configured but absent (faulted and retried, as on a station
 * whose UPS cable is out), and one link probed by ICMP and TCP.
 */
const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 50_000);

async function fullStation(brokerPort: number): Promise<{ shapes: StationShape[]; stop(): Promise<void> }> {
  const scanner = await R30xPtyEmulator.start({ pace: true });
  const font = await TextRasterizer.load({
    latin: firstExisting(DEFAULT_FONTS.mono) ?? firstExisting(DEFAULT_FONTS.latin),
  });
  const printerServer = await serveTcp(new VirtualPrinter({ widthDots: 576, font }), { port: 0 });
  const station = {
    devices: [
      { id: "fp1", kind: "fingerprint", driver: "r30x", port: scanner.hostPath, baud: 57600 },
      { id: "printer1", kind: "printer", tcp: `127.0.0.1:${printerServer.port}` },
      { id: "ups1", kind: "ups" },
    ],
    links: [
      {
        name: "loop",
        interface: "lo",
        role: "primary",
        targets: [
          {
            role: "datacentre",
            host: "127.0.0.1",
            probes: [{ type: "icmp" }, { type: "tcp", port: brokerPort }],
          },
        ],
      },
    ],
  };
  return {
    shapes: [
      { key: "full", label: "scanner, printer, absent UPS, one link", extra: station },
      {
        key: "replay",
        label: `same, after replaying ${BACKLOG.toLocaleString("en-US")} events left from an outage`,
        backlog: BACKLOG,
        extra: station,
      },
      {
        key: "printed",
        label: "same, after printing 3 Devanagari slips",
        prints: 3,
        extra: { ...station, api: { enabled: true } },
      },
    ],
    async stop() {
      await printerServer.close();
      await scanner.stop();
    },
  };
}

async function steadyState(url: string, shape: StationShape): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "bench-steady-"));
  const station = `BENCH-STEADY-${shape.prints ? "PRINTED" : shape.backlog ? "REPLAY" : shape.extra.devices ? "FULL" : "BARE"}`;
  const cfg = benchConfig(dir, station, url, shape.extra);
  if (shape.backlog) {
    leaveBacklog(join(dir, "state"), stationTopics("bench", station).event, shape.backlog);
  }
  const col = await Collector.connect(url, `bench/${station}/#`);
  // Measure what a station runs (the wrapper scripts/install.sh writes): the bundled agent on plain node.
  const agent = new AgentProcess(cfg);
  const proc = spawnStationAgent(cfg);
  agent.proc = proc;
  await col.waitFor((m) => m.some((x) => x.topic.endsWith("/uptime")), 30_000, "uptime");
  if (shape.backlog) {
    const n = shape.backlog;
    await col.waitFor((m) => m.filter((x) => x.topic.endsWith("/event")).length >= n, 300_000, "backlog");
  }
  if (shape.prints) {
    const token = readFileSync(join(dir, "state", "api-token"), "utf8").trim();
    const printerReady = (m: typeof col.messages) =>
      m.some((x) => x.topic.endsWith("/device/printer1") && x.payload.health === "ready");
    await col.waitFor(printerReady, 30_000, "printer ready");
    for (let i = 0; i < shape.prints; i++) {
      const res = await callLocalApi(join(dir, "state", "api.sock"), {
        method: "POST",
        path: "/v1/print/slip",
        token,
        body: { template: "complaint-receipt", data: RECEIPT },
        timeoutMs: 30_000,
      });
      if (res.status !== 200 || !(res.body as { ok: boolean }).ok)
        throw new Error(`slip ${i + 1}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
    }
  }
  await sleep(10_000); // past start-up
  const ticks = (await readStat(proc.pid!)).cpuTicks;
  const t0 = Date.now();
  await sleep(65_000);
  const st = await readStat(proc.pid!);
  const cpuPct = (100 * (st.cpuTicks - ticks)) / 100 / ((Date.now() - t0) / 1000);
  await agent.kill("SIGTERM");
  await col.end();
  const results: BenchResult[] = [];
  if (shape === BARE) {
    const perMetrics = col.messages
      .filter((m) => m.topic.endsWith("/metrics"))
      .map((m) => JSON.stringify(m.payload).length + m.topic.length);
    const avgMetrics = perMetrics.reduce((a, b) => a + b, 0) / Math.max(1, perMetrics.length);
    const uptimeBytes = col.on("/uptime").map((m) => JSON.stringify(m.payload).length)[0] ?? 0;
    // Default settings: one metrics sample a minute, one uptime refresh a minute, plus MQTT fixed+variable header (~30 B).
    const perDay = 1440 * (avgMetrics + 30) + 1440 * (uptimeBytes + 30);
    results.push({
      name: "bytes per station per day at default settings (metrics + uptime, excl. events)",
      value: perDay,
      unit: "B/day",
    });
  }
  results.push(
    {
      name: `steady-state RSS (${shape.label})`,
      value: st.rssBytes / 1e6,
      unit: "MB",
      target: "< 80 MB",
      pass: st.rssBytes < 80e6,
    },
    {
      name: `steady-state CPU (${shape.label})`,
      value: cpuPct,
      unit: "% of a core",
      target: "< 1 %",
      pass: cpuPct < 1,
    },
  );
  return results;
}

async function readStat(pid: number): Promise<{ cpuTicks: number; rssBytes: number }> {
  const target = pid;
  const stat = readFileSync(`/proc/${target}/stat`, "utf8").split(") ")[1]!.split(" ");
  const status = readFileSync(`/proc/${target}/status`, "utf8");
  const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
  return { cpuTicks: Number(stat[11]) + Number(stat[12]), rssBytes: rss };
}

/** A drain rate against the raw mqtt.js loop of the same run; the target is half of it. */
function drainRow(by: string, rate: number, raw: number): BenchResult {
  return {
    name: `drain ${N.toLocaleString("en-US")}-message backlog ${by}`,
    value: rate,
    unit: "msg/s",
    baseline: { name: "raw mqtt.js QoS 1 loop", value: raw },
    ratio: rate / raw,
    target: ">= 0.50 of raw",
    pass: rate / raw >= 0.5,
  };
}

/**
 * BENCH_CORE_SHAPES=drain,bare,full,replay,printed runs only those parts (`drain`: the running agent's
 * drain with its raw baseline), against the bundle already built: for chasing one figure by alternating
 * builds, where the whole bench would take too long between samples.
 */
const ONLY = process.env.BENCH_CORE_SHAPES?.split(",");
const wanted = (part: string) => !ONLY || ONLY.includes(part);

export async function run(): Promise<BenchResult[]> {
  const broker = await PrivateMosquitto.start();
  try {
    const results: BenchResult[] = [];
    let raw: number | undefined;
    if (!ONLY) {
      results.push(await enqueueRate());
      process.stderr.write("enqueue done\n");
      raw = await rawPublish(broker.url);
      process.stderr.write(`raw ${raw}\n`);
      const drained = await drain(broker.url);
      process.stderr.write(`drain ${drained}\n`);
      results.push(drainRow("to Mosquitto", drained, raw));
      // The station build: tsc for the NOC and the tests' built tree, the esbuild bundle for the agent.
      execFileSync("npm", ["run", "build"], { stdio: "ignore" });
    }
    if (wanted("drain")) {
      raw ??= await rawPublish(broker.url);
      const byAgent = await agentDrain(broker.url);
      process.stderr.write(`agent drain ${byAgent}\n`);
      results.push(drainRow("by the running agent (bundle, history on)", byAgent, raw));
    }
    if (wanted(BARE.key)) results.push(...(await steadyState(broker.url, BARE)));
    if (!["full", "replay", "printed"].some(wanted)) return results;
    const full = await fullStation(broker.port);
    try {
      for (const shape of full.shapes.filter((s) => wanted(s.key)))
        results.push(...(await steadyState(broker.url, shape)));
    } finally {
      await full.stop();
    }
    return results;
  } finally {
    await broker.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  printResults("core", await run());
}
