// Fleet operations (issue 17): what host health costs the agent, and how long an update and a rollback take.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { AGENT_ENV, AGENT_NODE_FLAGS } from "../bundle-agent.js";
import { ROOT, writeConfig } from "../../test/support/agent-process.js";
import { Collector } from "../../test/support/collector.js";
import { PrivateMosquitto } from "../../test/support/mosquitto.js";
import { inCowRoot } from "../../test/support/run.js";
import { printResults, type BenchResult } from "./types.js";

/**
 * Long enough to hold the periodic samples that matter: sensors every 60 s, filesystems and time sync
 * every 300 s (SMART is hourly and the apt check six-hourly; their first run is at start-up, outside).
 */
const WINDOW_S = Number(process.env.BENCH_FLEET_WINDOW_S ?? 320);

function spawnAgent(cfg: string): ChildProcess {
  return spawn(
    process.execPath,
    [...AGENT_NODE_FLAGS, join(ROOT, "dist/station-agent/cli.js"), "run", "--config", cfg],
    { stdio: "ignore", env: { ...process.env, ...AGENT_ENV } },
  );
}

/** CPU ticks including reaped children: host health runs smartctl, timedatectl and apt as children. */
function readStat(pid: number): { ticks: number; rss: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) * 1024;
  return { ticks: Number(stat[11]) + Number(stat[12]) + Number(stat[13]) + Number(stat[14]), rss };
}

async function steady(url: string, host: boolean): Promise<{ cpuPct: number; rssMb: number }> {
  const dir = mkdtempSync(join(tmpdir(), "bench-fleet-"));
  const station = `BENCH-HOST-${host ? "ON" : "OFF"}`;
  const cfg = writeConfig(dir, {
    station: { id: station },
    mqtt: { url, topicRoot: "bench" },
    storage: { dir: join(dir, "state") },
    api: { enabled: false },
    log: { level: "warn" },
    host: { enabled: host },
  });
  const col = await Collector.connect(url, `bench/${station}/#`);
  const proc = spawnAgent(cfg);
  try {
    await col.waitFor((m) => m.some((x) => x.topic.endsWith("/uptime")), 60_000, "uptime");
    await new Promise((r) => setTimeout(r, 15_000)); // past start-up and the first full host sample
    const a = readStat(proc.pid!);
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, WINDOW_S * 1000));
    const b = readStat(proc.pid!);
    return { cpuPct: (b.ticks - a.ticks) / ((Date.now() - t0) / 1000), rssMb: b.rss / 1e6 };
  } finally {
    proc.kill("SIGTERM");
    await col.end();
  }
}

/** The real agent bundle from spawn to its birth on the broker: what follows dpkg's restart of the unit. */
async function startToBirth(url: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "bench-fleet-birth-"));
  const cfg = writeConfig(dir, {
    station: { id: "BENCH-BIRTH" },
    mqtt: { url, topicRoot: "bench" },
    storage: { dir: join(dir, "state") },
    api: { enabled: false },
    log: { level: "warn" },
  });
  const col = await Collector.connect(url, `bench/BENCH-BIRTH/state`);
  const t0 = Date.now();
  const proc = spawnAgent(cfg);
  try {
    await col.waitFor(
      (m) => m.some((x) => !x.retain && (x.payload as { online?: boolean }).online === true),
      60_000,
      "birth",
    );
    return Date.now() - t0;
  } finally {
    proc.kill("SIGTERM");
    await new Promise((r) => proc.once("exit", r));
    await col.end();
  }
}

/**
 * The runner's flow on a copy-on-write root, as test/integration/fleet-update.test.ts runs it: a signed
 * repository over loopback HTTP, real apt and dpkg, stand-in packages whose `status --json` answers at
 * once. Timed: a healthy upgrade, and a broken version (never connected) rolled back after the deadline.
 */
const COW = `
set -u
repo_src=$1
w=$(mktemp -d); cd "$w"
ip link set lo up
export GNUPGHOME="$w/gnupg"; mkdir -m 700 "$GNUPGHOME"
gpg --batch --passphrase '' --quick-gen-key 'State centre <fleet@example.org>' ed25519 sign never 2>/dev/null
key=$(gpg --list-keys --with-colons | awk -F: '/^fpr/ {print $10; exit}')
pkg() {
  d="$w/pkg-$1"; mkdir -p "$d/DEBIAN" "$d/usr/bin"
  printf 'Package: station-agent\\nVersion: %s\\nArchitecture: all\\nMaintainer: t <t@example.org>\\nSection: admin\\nPriority: optional\\nDescription: stand-in\\n' "$1" > "$d/DEBIAN/control"
  printf '#!/bin/sh\\necho {\\\\"version\\\\": \\\\"%s\\\\", \\\\"connected\\\\": %s}\\n' "$1" "$2" > "$d/usr/bin/station-agent"; chmod 755 "$d/usr/bin/station-agent"
  dpkg-deb -b "$d" "$w/station-agent_$1_all.deb" >/dev/null
}
pkg 0.1.0 true; pkg 0.2.0 true; pkg 0.3.0 false
sh "$repo_src/scripts/apt-repo.sh" init "$w/repo" "$key" >/dev/null 2>&1
sh "$repo_src/scripts/apt-repo.sh" add "$w/repo" "$w/station-agent_0.1.0_all.deb" >/dev/null 2>&1
(cd "$w/repo" && exec python3 -m http.server 8089 --bind 127.0.0.1 >/dev/null 2>&1) &
server=$!
for i in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/8089) 2>/dev/null && break; sleep 0.1; done
cp "$w/repo/station-agent-archive-keyring.gpg" /usr/share/keyrings/
rm -f /etc/apt/sources.list.d/*; : > /etc/apt/sources.list
sh "$repo_src/scripts/apt-repo.sh" sources http://127.0.0.1:8089/ "$w/repo" > /etc/apt/sources.list.d/station-agent.sources
apt-get update -q >/dev/null 2>&1
apt-get install -y -q station-agent >/dev/null 2>&1
for v in 0.2.0 0.3.0; do
  # python's http.server answers If-Modified-Since to the second: a Release rewritten within the same
  # second as apt's last fetch would be "not modified".
  sleep 1.1
  sh "$repo_src/scripts/apt-repo.sh" add "$w/repo" "$w/station-agent_\${v}_all.deb" >/dev/null 2>&1
  t0=$(date +%s%N)
  sh "$repo_src/scripts/fleet/station-agent-upgrade.sh" --id "u-$v" --to "$v" --deadline 3 --state "$w/state" >/dev/null 2>&1
  t1=$(date +%s%N)
  echo "ms-$v: $(( (t1 - t0) / 1000000 ))"
  echo "outcome-$v: $(sed -n 's/.*"outcome":"\\([a-z-]*\\)".*/\\1/p' "$w/state/update/u-$v.json")"
  echo "now-$v: $(dpkg-query -W -f='\${Version}' station-agent)"
done
kill $server
`;

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  // BENCH_FLEET_PARTS=update skips the agent rows (they take two windows of WINDOW_S).
  if (process.env.BENCH_FLEET_PARTS !== "update") await agentRows(results);
  results.push(...(await updateRows()));
  return results;
}

async function agentRows(results: BenchResult[]): Promise<void> {
  execFileSync("npm", ["run", "build"], { stdio: "ignore" });
  const broker = await PrivateMosquitto.start();
  try {
    const off = await steady(broker.url, false);
    process.stderr.write(`host off ${JSON.stringify(off)}\n`);
    const on = await steady(broker.url, true);
    process.stderr.write(`host on ${JSON.stringify(on)}\n`);
    results.push(
      {
        name: `steady-state RSS, bare agent, host health on (${WINDOW_S} s window)`,
        value: on.rssMb,
        unit: "MB",
        baseline: { name: "host health off", value: off.rssMb },
        ratio: on.rssMb / off.rssMb,
        target: "< 80 MB",
        pass: on.rssMb < 80,
      },
      {
        name: `steady-state CPU incl. child processes, host health on (${WINDOW_S} s window)`,
        value: on.cpuPct,
        unit: "% of a core",
        baseline: { name: "host health off", value: off.cpuPct },
        target: "< 1 %",
        pass: on.cpuPct < 1,
      },
    );
    const births: number[] = [];
    for (let i = 0; i < 3; i++) births.push(await startToBirth(broker.url));
    births.sort((a, b) => a - b);
    results.push({ name: "agent start to birth on the broker (median of 3)", value: births[1]!, unit: "ms" });
  } finally {
    await broker.stop();
  }
}

async function updateRows(): Promise<BenchResult[]> {
  const cow = await inCowRoot(COW, [ROOT]);
  const v = cow.values;
  if (v["outcome-0.2.0"] !== "applied" || v["outcome-0.3.0"] !== "rolled-back" || v["now-0.3.0"] !== "0.2.0")
    throw new Error(`update flow did not run as expected: ${JSON.stringify(v)}\n${cow.stderr.slice(-2000)}`);
  return [
    {
      name: "update: runner start to healthy on the new version (apt update, install, first health check)",
      value: Number(v["ms-0.2.0"]),
      unit: "ms",
    },
    {
      name: "rollback: runner start to back on the old version (3 s lab deadline included)",
      value: Number(v["ms-0.3.0"]),
      unit: "ms",
    },
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  printResults("fleet", await run());
}
