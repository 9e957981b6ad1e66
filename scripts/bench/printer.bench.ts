/**
 * Printer benchmarks, each against a baseline measured or computed in the same run:
 * - time to print a full-width fingerprint arrest slip (80 mm, 576 dots) through the real serialport
 *   binding over a socat pty at 9600/19200/115200 baud, against the line-rate limit bytes x 10 / baud.
 *   A pty has no baud rate, so the virtual printer paces its reads like a UART at that rate (8N1) and
 *   back-pressure reaches the driver through the pty buffer. The ratio therefore measures the driver's
 *   own overhead (status checks before, between segments and after the job) over the wire time.
 *   A raw run (all bytes in one write, then one status request) shows how exactly the emulator paces.
 * - bytes per slip, and the time to encode one.
 * Run alone: npx tsx scripts/bench/printer.bench.ts   (PRINTER_BENCH_BAUDS=115200 for a quick run)
 */
import { performance } from "node:perf_hooks";
import { PROFILES } from "../../drivers/printer/document.js";
import { openPtyPair } from "../../drivers/printer/emulator/pty-pair.js";
import { syntheticFingerprint } from "../../drivers/printer/emulator/sample-images.js";
import { serveSerial } from "../../drivers/printer/emulator/serve.js";
import { VirtualPrinter } from "../../drivers/printer/emulator/virtual-printer.js";
import { concat, statusRequest } from "../../drivers/printer/escpos.js";
import { EscPosPrinter } from "../../drivers/printer/printer-device.js";
import { encodeSlip, type EncodedJob } from "../../drivers/printer/slip.js";
import { DEFAULT_FONTS, firstExisting, TextRasterizer } from "../../drivers/printer/text-raster.js";
import { SerialByteStream } from "../../drivers/transport/serial.js";
import type { BenchResult } from "./types.js";

export type { BenchResult };

const fp = syntheticFingerprint();
const image = { width: fp.width, height: fp.height, grayBase64: Buffer.from(fp.data).toString("base64") };
const SLIP = {
  station: { name: "Shivajinagar Police Station", code: "MH-PUN-0042", district: "Pune City" },
  firNumber: "0123/2025",
  arrestedAt: "2025-03-14T16:45:00+05:30",
  sections: "BNS 303(2)",
  accused: {
    name: "Ramesh Kumar",
    nameLocal: "रमेश कुमार",
    fatherName: "Suresh Kumar",
    age: 34,
    gender: "male",
  },
  officer: { name: "A. Patil", rank: "PSI", badge: "4471" },
  fingerprint: { image, finger: "right thumb", quality: 71, scale: "full" },
};
const RECEIPT = {
  station: SLIP.station,
  complaintNumber: "CMP-2025-00981",
  receivedAt: "2025-03-14T11:02:00+05:30",
  complainant: { name: "Sunita Deshmukh", nameLocal: "सुनीता देशमुख" },
  subject: "Mobile phone stolen near bus stand",
  officer: { name: "R. Shinde", rank: "HC" },
};

function medianOf(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function printOverPty(
  job: EncodedJob,
  baud: number,
  font: TextRasterizer,
): Promise<{ driverMs: number; rawMs: number }> {
  const pair = await openPtyPair("printer-bench");
  const emulator = new VirtualPrinter({ widthDots: 576, font });
  const served = await serveSerial(emulator, pair.devicePath, baud);
  try {
    const printer = new EscPosPrinter({
      openStream: () => SerialByteStream.open({ path: pair.hostPath, baudRate: baud }),
      bytesPerSecond: baud / 10,
      pollIntervalMs: 3_600_000,
    });
    await printer.start();
    const t0 = performance.now();
    const r = await printer.print(job.parts);
    const driverMs = performance.now() - t0;
    await printer.stop();
    if (!r.ok) throw new Error(`bench job failed: ${r.reason} ${r.detail}`);

    // Raw: the bytes and one DLE EOT 1 in a single write; done when its reply arrives.
    const raw = await SerialByteStream.open({ path: pair.hostPath, baudRate: baud });
    const replied = new Promise<void>((resolve) => raw.onData(() => resolve()));
    const t1 = performance.now();
    await raw.write(concat([job.bytes, statusRequest(1)]));
    await replied;
    const rawMs = performance.now() - t1;
    await raw.close();
    return { driverMs, rawMs };
  } finally {
    await served.close();
    await pair.close();
  }
}

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const text = await TextRasterizer.load();
  const mono = await TextRasterizer.load({ latin: firstExisting(DEFAULT_FONTS.mono)! });
  const p80 = PROFILES["80mm"];
  const p58 = PROFILES["58mm"];

  const fullSlip = encodeSlip("arrest-slip", SLIP, { ...p80, nativeQr: false }, text);
  const natural80 = encodeSlip(
    "arrest-slip",
    { ...SLIP, fingerprint: { ...SLIP.fingerprint, scale: "natural" } },
    p80,
    text,
  );
  const natural58 = encodeSlip(
    "arrest-slip",
    { ...SLIP, fingerprint: { ...SLIP.fingerprint, scale: "natural" } },
    p58,
    text,
  );
  const receipt58 = encodeSlip("complaint-receipt", RECEIPT, p58, text);
  results.push(
    {
      name: "bytes: arrest slip, full-width fingerprint, 80 mm, raster QR",
      value: fullSlip.bytes.length,
      unit: "B",
    },
    {
      name: "bytes: arrest slip, fingerprint 1:1, 80 mm, native QR",
      value: natural80.bytes.length,
      unit: "B",
    },
    {
      name: "bytes: arrest slip, fingerprint 1:1, 58 mm, raster QR",
      value: natural58.bytes.length,
      unit: "B",
    },
    { name: "bytes: complaint receipt, 58 mm", value: receipt58.bytes.length, unit: "B" },
  );

  for (const [name, make] of [
    [
      "encode: arrest slip, full-width fingerprint, 80 mm",
      () => encodeSlip("arrest-slip", SLIP, { ...p80, nativeQr: false }, text),
    ],
    ["encode: complaint receipt, 58 mm", () => encodeSlip("complaint-receipt", RECEIPT, p58, text)],
  ] as const) {
    for (let i = 0; i < 3; i++) make();
    const times: number[] = [];
    for (let i = 0; i < 15; i++) {
      const t = performance.now();
      make();
      times.push(performance.now() - t);
    }
    results.push({ name, value: Number(medianOf(times).toFixed(2)), unit: "ms (median of 15)" });
  }

  const bauds = (process.env.PRINTER_BENCH_BAUDS ?? "9600,19200,115200").split(",").map(Number);
  for (const baud of bauds) {
    const lineMs = (fullSlip.bytes.length * 10 * 1000) / baud;
    const { driverMs, rawMs } = await printOverPty(fullSlip, baud, mono);
    const ratio = driverMs / lineMs;
    results.push({
      name: `print full-width fingerprint slip over pty @${baud} (driver: status before/between/after)`,
      value: Math.round(driverMs),
      unit: "ms",
      baseline: {
        name: `line-rate limit ${fullSlip.bytes.length} B x 10 / ${baud}`,
        value: Math.round(lineMs),
      },
      ratio: Number(ratio.toFixed(3)),
      target: "<= 1.10x",
      pass: ratio <= 1.1,
    });
    results.push({
      name: `raw write + one DLE EOT over pty @${baud} (emulator pacing check)`,
      value: Math.round(rawMs),
      unit: "ms",
      baseline: { name: "line-rate limit", value: Math.round(lineMs) },
      ratio: Number((rawMs / lineMs).toFixed(3)),
    });
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run().then(
    (rs) => {
      for (const r of rs) {
        const base = r.baseline ? `  vs ${r.baseline.name}: ${r.baseline.value}` : "";
        const ratio = r.ratio !== undefined ? `  ratio ${r.ratio}` : "";
        const pass = r.pass === undefined ? "" : r.pass ? "  PASS" : "  FAIL";
        console.log(
          `${r.name}: ${r.value} ${r.unit}${base}${ratio}${r.target ? ` (target ${r.target})` : ""}${pass}`,
        );
      }
    },
    (e: Error) => {
      console.error(e);
      process.exit(1);
    },
  );
}
