/**
 * `station-agent links watch` without the rest of the agent: runs the LinkMonitor and prints every
 * retained state and event as one JSON line on stdout. The lab tests and the benchmark run it inside the
 * station's network namespace (`ip netns exec <ns> node --import tsx agent/links/standalone-monitor.ts --links FILE`).
 * Reading "states" on stdin prints the LinkView (states, summaries, availability, plain words).
 */
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { destination, pino } from "pino";
import { z } from "zod";
import { LinkConfig } from "../../config/links.js";
import type { Clock } from "../ports.js";
import { describeLinks } from "./describe.js";
import { LinkMonitor } from "./monitor.js";

export interface WatchOptions {
  station: string;
  links: LinkConfig[];
  write: (line: string) => void;
  clock?: Clock;
  historyFile?: string;
  logLevel?: string;
}

export async function watchLinks(o: WatchOptions): Promise<LinkMonitor> {
  const clock: Clock = o.clock ?? { now: () => Date.now(), synced: () => true };
  const out = (obj: Record<string, unknown>) => o.write(JSON.stringify({ t: clock.now(), ...obj }));
  const monitor = new LinkMonitor({
    station: o.station,
    links: o.links,
    clock,
    historyFile: o.historyFile,
    logger: pino({ level: o.logLevel ?? "warn" }, destination(2)),
    events: {
      event: (type, data, observedAt) =>
        out({ kind: "event", type, observedAt: observedAt ?? clock.now(), data }),
    },
    retained: {
      link: (name, state) => out({ kind: "state", link: name, state }),
      device: () => undefined,
      power: () => undefined,
    },
  });
  await monitor.start();
  out({ kind: "ready" });
  return monitor;
}

export function viewLines(monitor: LinkMonitor, now: number): Record<string, unknown> {
  const states = monitor.states();
  return {
    kind: "view",
    states,
    summaries: monitor.summaries(),
    availability: monitor.availability(now - 24 * 3600_000, now),
    onBackupS: monitor.onBackupS(now - 24 * 3600_000, now),
    active: monitor.activeLink(),
    details: monitor.details(),
    words: describeLinks(states, now),
  };
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const file = arg("--links");
  if (!file) {
    process.stderr.write("usage: watch.ts --links FILE.json [--station ID] [--history FILE] [--log LEVEL]\n");
    process.exit(64);
  }
  const parsed = z.array(LinkConfig).safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!parsed.success) {
    process.stderr.write(
      `${file}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n")}\n`,
    );
    process.exit(78);
  }
  const write = (line: string) => process.stdout.write(line + "\n");
  const monitor = await watchLinks({
    station: arg("--station") ?? "LAB-0001",
    links: parsed.data,
    write,
    historyFile: arg("--history"),
    logLevel: arg("--log"),
  });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await monitor.stop();
    write(JSON.stringify({ kind: "stopped" }));
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());
  createInterface({ input: process.stdin }).on("line", (l) => {
    if (l.trim() === "states") write(JSON.stringify({ t: Date.now(), ...viewLines(monitor, Date.now()) }));
    if (l.trim() === "stop") void stop();
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch((e: Error) => {
    process.stderr.write(`links watch: ${e.stack ?? e.message}\n`);
    process.exit(1);
  });
}
