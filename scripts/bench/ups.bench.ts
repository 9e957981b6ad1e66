/**
 * UPS driver and device discovery costs, each against a baseline measured in the same run:
 * - descriptor parse (once per connect) on the APC Back-UPS ES 850G2's real 1049-byte descriptor;
 * - input-report decode by usage path vs hand-coded fixed-offset reads (what a model-specific driver does);
 * - discovery from sysfs vs node-serialport's list() (spawns udevadm), when udevadm exists.
 * Run alone: npx tsx scripts/bench/ups.bench.ts
 */
import { performance } from "node:perf_hooks";
import { discoverDevices } from "../../drivers/discovery/discover.js";
import { listSerialPorts } from "../../drivers/transport/serial.js";
import { parseReportDescriptor } from "../../drivers/ups/report-descriptor.js";
import { buildUpsMap, decodeReport } from "../../drivers/ups/ups-map.js";
import { APC_ES_850G2 } from "../../test/fixtures/ups/index.js";
import type { BenchResult } from "./types.js";

export type { BenchResult };

function perSecond(fn: () => void, minMs = 400): number {
  for (let i = 0; i < 200; i++) fn(); // warm-up for the JIT
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < minMs) {
    for (let i = 0; i < 100; i++) fn();
    n += 100;
  }
  return (n * 1000) / (performance.now() - start);
}

async function medianMs(fn: () => Promise<unknown>, runs = 7): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const descriptor = APC_ES_850G2.descriptor;

  const parses = perSecond(() => parseReportDescriptor(descriptor));
  const parseUs = 1e6 / parses;
  results.push({
    name: "descriptor parse, APC 1049 B (105 fields)",
    value: round(parseUs),
    unit: "µs",
    target: "< 1000 µs (done once per connect)",
    pass: parseUs < 1000,
  });

  const map = buildUpsMap(parseReportDescriptor(descriptor), APC_ES_850G2);
  const report = Buffer.from("0c646403", "hex");
  const byPath = perSecond(() => decodeReport(map, "input", report));
  let sink = 0;
  const fixed = perSecond(() => {
    // What a driver hard-wired to this one model would do.
    if (report[0] === 0x0c) sink += report[1]! + report.readUInt16LE(2);
  });
  results.push({
    name: "input report decode by usage path",
    value: Math.round(byPath),
    unit: "reports/s",
    baseline: { name: "fixed-offset reads for one model", value: Math.round(fixed) },
    ratio: round(byPath / fixed),
    target: "> 10000 reports/s (a UPS sends a few per second)",
    pass: byPath > 10_000,
  });
  if (sink < 0) console.log(sink);

  const sysfsMs = await medianMs(() => discoverDevices());
  let udevMs: number | undefined;
  try {
    await listSerialPorts();
    udevMs = await medianMs(() => listSerialPorts());
  } catch {
    udevMs = undefined; // no udevadm on this machine: nothing to compare against
  }
  results.push({
    name: "device discovery from sysfs (serial + hidraw + usblp)",
    value: round(sysfsMs),
    unit: "ms",
    ...(udevMs !== undefined
      ? {
          baseline: { name: "serialport list() via udevadm (serial only)", value: round(udevMs) },
          ratio: round(sysfsMs / udevMs),
        }
      : {}),
    target: "< 100 ms per hot-plug poll",
    pass: sysfsMs < 100,
  });
  return results;
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await run()) console.log(JSON.stringify(r));
}
