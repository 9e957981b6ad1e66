// systemd integration: the units' exposure scores against a bare unit, the cost of one sd_notify
// datagram through unix-dgram against spawning systemd-notify, and the CPU the watchdog's loop-lag
// probe costs while the agent idles.
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { SdNotifier, SystemdNotifyTransport, UnixDgramTransport } from "../../agent/sd-notify.js";
import { printResults, type BenchResult } from "./types.js";
import { setTimeout as sleep } from "node:timers/promises";

const REPO = resolve(fileURLToPath(import.meta.url), "../../..");
const exec = promisify(execFile);

async function exposure(unitFile: string): Promise<number> {
  const { stdout } = await exec("systemd-analyze", ["security", "--offline=true", "--no-pager", unitFile]);
  const m = /Overall exposure level for \S+: ([\d.]+)/.exec(stdout);
  if (!m) throw new Error(`no exposure score for ${unitFile}`);
  return Number(m[1]);
}

/** A real datagram socket to send to; counts what arrives so no send is measured against nothing. */
async function receiver(socket: string): Promise<{ count: () => number; stop: () => void }> {
  const py = join(REPO, "test/integration/fixtures/notify-receiver.py");
  const proc = spawn("python3", [py, socket], { stdio: ["ignore", "pipe", "inherit"] });
  let received = 0;
  await new Promise<void>((ready) =>
    createInterface({ input: proc.stdout }).on("line", (line) => {
      if (line.startsWith('{"listening"')) ready();
      else received += 1;
    }),
  );
  return { count: () => received, stop: () => proc.kill("SIGKILL") };
}

/**
 * Time spent in send() alone. Sends go in batches of 5 and wait for the receiver to drain, since a
 * datagram socket's queue is short (net.unix.max_dgram_qlen) and a full one refuses with EAGAIN.
 */
async function perMessageUs(send: () => Promise<void>, n: number, delivered: () => number): Promise<number> {
  let spent = 0n;
  const first = delivered();
  for (let i = 0; i < n; i += 1) {
    const start = process.hrtime.bigint();
    await send();
    spent += process.hrtime.bigint() - start;
    if (i % 5 === 4) {
      const deadline = Date.now() + 5000;
      while (delivered() - first < i + 1 && Date.now() < deadline) await sleep(1);
    }
  }
  return Number(spent) / 1000 / n;
}

export async function run(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "systemd-bench-"));
  const results: BenchResult[] = [];
  try {
    const bare = join(dir, "bare.service");
    writeFileSync(
      bare,
      "[Service]\nType=notify\nUser=station-agent\nExecStart=/opt/station-agent/bin/station-agent run\n",
    );
    const bareScore = await exposure(bare);
    for (const unit of ["station-agent.service", "station-noc.service"]) {
      const score = await exposure(join(REPO, "systemd", unit));
      results.push({
        name: `exposure score, ${unit}`,
        value: score,
        unit: "(0-10)",
        baseline: { name: "same unit without hardening", value: bareScore },
        ratio: score / bareScore,
        target: "<= 2.5",
        pass: score <= 2.5,
      });
    }

    const socket = join(dir, "notify.sock");
    const rx = await receiver(socket);
    const dgram = new UnixDgramTransport();
    const spawned = new SystemdNotifyTransport();
    const n = 2000;
    const viaDgram = await perMessageUs(() => dgram.send(socket, "WATCHDOG=1"), n, rx.count);
    const viaSpawn = await perMessageUs(() => spawned.send(socket, "WATCHDOG=1"), 50, rx.count);
    const deadline = Date.now() + 5000;
    while (rx.count() < n + 50 && Date.now() < deadline) await sleep(20);
    rx.stop();
    results.push({
      name: "one sd_notify datagram (unix-dgram, main process)",
      value: viaDgram,
      unit: "µs",
      baseline: { name: "systemd-notify --no-block", value: viaSpawn },
      ratio: viaDgram / viaSpawn,
      target: "delivered: all",
      pass: rx.count() === n + 50,
    });

    // The watchdog's lag probe at the production setting (WatchdogSec=30: 250 ms resolution), idle loop,
    // against the same process idling without it.
    const idleCpu = async (withWatchdog: boolean): Promise<number> => {
      const notifier = new SdNotifier({
        socket,
        watchdogUsec: 30_000_000,
        transport: { send: () => Promise.resolve() },
      });
      if (withWatchdog) notifier.startWatchdog(() => true);
      const cpu0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      await sleep(5000);
      const cpu = process.cpuUsage(cpu0);
      notifier.close();
      return ((cpu.user + cpu.system) / (Number(process.hrtime.bigint() - t0) / 1000)) * 100;
    };
    const idle = await idleCpu(false);
    const watched = await idleCpu(true);
    results.push({
      name: "idle agent process with the watchdog's loop-lag probe",
      value: watched,
      unit: "% of one core",
      baseline: { name: "same process, no watchdog", value: idle },
      ratio: watched / idle,
      target: "probe adds < 0.5 %",
      pass: watched - idle < 0.5,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printResults("systemd", await run());
}
