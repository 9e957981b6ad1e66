/**
 * Fingerprint benchmarks, against the byte-level emulator pacing its bytes at the line rate over a socat
 * pty (real serialport binding on the host side):
 *  - UpImage transfer time vs the serial line-rate limit (module's bytes on the wire × 10 / baud), target ≤ 1.10×;
 *  - capture request → PNG through the device service (GenImg answered at once, so this is the agent's
 *    own overhead on top of the line);
 *  - PNG + ISO + quality encoding of one 256×288 image.
 * Run alone: npx tsx scripts/bench/fingerprint.bench.ts
 */
import pino from "pino";
import { SerialByteStream } from "../../drivers/transport/serial.js";
import { R30xScanner } from "../../drivers/fingerprint/r30x-device.js";
import { R30xPtyEmulator } from "../../drivers/fingerprint/emulator/pty-emulator.js";
import { generateRidgeImage } from "../../drivers/fingerprint/emulator/ridge-image.js";
import { buildCaptureOutputs } from "../../drivers/fingerprint/capture-output.js";
import { quantizeTo4Bit, R30X_SENSOR } from "../../drivers/fingerprint/image.js";
import { FingerprintService } from "../../agent/devices/fingerprint-service.js";
import type { DeviceState } from "../../contract/index.js";
import type { BenchResult } from "./types.js";

export type { BenchResult };

const TARGET_RATIO = 1.1;

function lineRateMs(wireBytes: number, baud: number): number {
  return (wireBytes * 10 * 1000) / baud;
}

async function transferRun(baud: number, packetSize: 128 | 256, name: string): Promise<BenchResult> {
  const emu = await R30xPtyEmulator.start({ name: `bench-${baud}-${packetSize}`, baud: 57600, pace: true });
  const stream = await SerialByteStream.open({ path: emu.hostPath, baudRate: 57600 });
  const scanner = new R30xScanner(stream, { baud: 57600 });
  try {
    await scanner.connect();
    if (packetSize !== 128) await scanner.setPacketSize(packetSize);
    if (baud !== 57600) await scanner.setBaudRate(baud);
    const capture = await scanner.capture({ timeoutMs: 5000 });
    const limit = lineRateMs(capture.wireBytes, baud);
    const ratio = capture.transferMs / limit;
    return {
      name,
      value: round(capture.transferMs),
      unit: "ms",
      baseline: { name: `line-rate limit ${capture.wireBytes} B × 10 / ${baud}`, value: round(limit) },
      ratio: round(ratio, 4),
      target: `<= ${TARGET_RATIO}x line rate`,
      pass: ratio <= TARGET_RATIO,
    };
  } finally {
    await scanner.close().catch(() => undefined);
    await emu.stop();
  }
}

async function serviceRun(baud: number): Promise<BenchResult> {
  const emu = await R30xPtyEmulator.start({ name: `bench-svc-${baud}`, baud, pace: true });
  let ready: () => void = () => undefined;
  const isReady = new Promise<void>((r) => (ready = r));
  const sink = {
    device: (_id: string, s: DeviceState) => (s.health === "ready" ? ready() : undefined),
    link: () => undefined,
    power: () => undefined,
    event: () => undefined,
  };
  const svc = new FingerprintService({
    station: "BENCH",
    devices: [{ id: "fp1", kind: "fingerprint", driver: "r30x", port: emu.hostPath, baud }],
    clock: { now: () => Date.now(), synced: () => true },
    retained: sink,
    events: sink,
    logger: pino({ level: "silent" }),
  });
  try {
    await svc.start();
    await isReady;
    const started = performance.now();
    const result = await svc.capture({ finger: "right-thumb", timeoutMs: 5000 });
    const elapsed = performance.now() - started;
    if (result.png.length === 0) throw new Error("empty PNG");
    const limit = lineRateMs(40044, baud);
    return {
      name: `capture request -> PNG @${baud} (GenImg instant)`,
      value: round(elapsed),
      unit: "ms",
      baseline: { name: `line-rate limit of the image @${baud}`, value: round(limit) },
      ratio: round(elapsed / limit, 4),
    };
  } finally {
    await svc.stop();
    await emu.stop();
  }
}

function encodeRun(): BenchResult {
  const image = quantizeTo4Bit(generateRidgeImage({ ...R30X_SENSOR, seed: 1 }));
  const runs = 30;
  buildCaptureOutputs({ image, resolutionPpi: 500, transferMs: 0 }, "right-thumb");
  const started = performance.now();
  for (let i = 0; i < runs; i++)
    buildCaptureOutputs({ image, resolutionPpi: 500, transferMs: 0 }, "right-thumb");
  return {
    name: "PNG + ISO record + quality, 256x288",
    value: round((performance.now() - started) / runs, 2),
    unit: "ms",
  };
}

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  results.push(await transferRun(57600, 128, "UpImage 256x288 @57600, 128-byte packets"));
  results.push(await transferRun(115200, 128, "UpImage 256x288 @115200, 128-byte packets"));
  results.push(await transferRun(115200, 256, "UpImage 256x288 @115200, 256-byte packets"));
  results.push(await serviceRun(57600));
  results.push(await serviceRun(115200));
  results.push(encodeRun());
  return results;
}

function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run()
    .then((results) => {
      for (const r of results) {
        const base = r.baseline
          ? `  vs ${r.baseline.name} = ${r.baseline.value} ${r.unit}, ratio ${r.ratio}`
          : "";
        const verdict = r.pass === undefined ? "" : r.pass ? "  PASS" : "  FAIL";
        process.stdout.write(
          `${r.name}: ${r.value} ${r.unit}${base}${r.target ? ` (target ${r.target})` : ""}${verdict}\n`,
        );
      }
      process.exit(results.every((r) => r.pass !== false) ? 0 : 1);
    })
    .catch((e: unknown) => {
      process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
      process.exit(2);
    });
}
