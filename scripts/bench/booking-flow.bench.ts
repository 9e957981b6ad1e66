/**
 * Booking benchmarks, session and forwarding part (`npm run bench -- booking` runs every booking*.bench.ts):
 *  - a whole tenprint-flat booking on an R30x at 57600 baud (the emulator paces its bytes at the line
 *    rate over a socat pty, through the real serialport binding and the agent's fingerprint service),
 *    start → ten impressions, against the line-rate bound: 10 × one image's wire bytes × 10 / baud;
 *  - bytes per sealed ten-print record (WSQ 0.75, age-encrypted);
 *  - seal → bureau receipt on loopback (build + WSQ + age + spool + HTTPS mutual TLS + receipt on disk),
 *    against one plain node:https POST of the same bytes to the same bureau in the same run.
 * Run alone: npx tsx scripts/bench/booking-flow.bench.ts
 */
import { rmSync } from "node:fs";
import pino from "pino";
import { ConfigSchema } from "../../config/schema.js";
import { request } from "node:https";
import { readFileSync } from "node:fs";
import { BookingRuntime } from "../../agent/booking/runtime.js";
import { TEN_FINGERS } from "../../agent/booking/plan.js";
import { FingerprintService } from "../../agent/devices/fingerprint-service.js";
import { R30xPtyEmulator } from "../../drivers/fingerprint/emulator/pty-emulator.js";
import { syntheticFinger } from "../../drivers/fingerprint/synthetic/finger.js";
import { tempDir } from "../../test/support/agent-process.js";
import { FakeBureau } from "../../test/support/fake-bureau.js";
import type { BenchResult } from "./types.js";

const BAUD = 57600;
/** UpImage of 256×288 at 128-byte packets: what the module puts on the wire (fingerprint bench). */
const IMAGE_WIRE_BYTES = 40044;
const PERSON = {
  reference: "FIR-1/2026",
  name: "Bench Person",
  sex: "male",
  ageYears: 30,
  arrestingOfficer: "SI Bench 1",
} as const;

const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;

export async function run(): Promise<BenchResult[]> {
  const bureau = await new FakeBureau(true).start();
  const emu = await R30xPtyEmulator.start({
    name: `bench-booking-${process.pid}`,
    baud: BAUD,
    pace: true,
    genImgDelayMs: 0,
  });
  const dir = tempDir("bench-booking-");
  const log = pino({ level: "silent" });
  const sink = {
    device: () => undefined,
    link: () => undefined,
    power: () => undefined,
    event: () => undefined,
  };
  let ready: () => void = () => undefined;
  const isReady = new Promise<void>((r) => (ready = r));
  const fingerprint = new FingerprintService({
    station: "BENCH",
    devices: [{ id: "fp1", kind: "fingerprint", driver: "r30x", port: emu.hostPath, baud: BAUD }],
    clock: { now: () => Date.now(), synced: () => true },
    retained: { ...sink, device: (_id, s) => (s.health === "ready" ? ready() : undefined) },
    events: sink,
    logger: log,
  });
  const config = ConfigSchema.parse({
    station: { id: "BENCH" },
    storage: { dir },
    booking: {
      forward: "https",
      ori: "BENCH01",
      dai: "BUREAU01",
      bureau: {
        url: bureau.url,
        recipient: bureau.recipient,
        ca: bureau.file("ca.pem"),
        cert: bureau.file("client.pem"),
        key: bureau.file("client.key"),
      },
      retry: { minMs: 100, maxMs: 1000 },
    },
  });
  const booking = new BookingRuntime({
    config,
    clock: { now: () => Date.now(), synced: () => true },
    events: sink,
    logger: log,
    capturer: fingerprint,
  });
  const results: BenchResult[] = [];
  try {
    await fingerprint.start();
    await isReady;
    await booking.start();
    const fingers = TEN_FINGERS.map((_, i) => syntheticFinger(i + 1, { width: 256, height: 288 }));
    const { id } = booking.service.start({ plan: "tenprint-flat", person: PERSON });
    const t0 = performance.now();
    for (const [i, position] of TEN_FINGERS.entries()) {
      const f = fingers[i]!;
      emu.emulator.setImage({ width: f.width, height: f.height, pixels: f.pixels });
      const r = await booking.service.impression(id, { position });
      if (!r.accepted) throw new Error(`${position} rejected: ${r.reason}`);
    }
    const bookingMs = performance.now() - t0;
    const bound = (10 * IMAGE_WIRE_BYTES * 10 * 1000) / BAUD;
    results.push({
      name: `whole tenprint-flat booking, R30x @${BAUD} (10 captures, GenImg instant)`,
      value: round(bookingMs),
      unit: "ms",
      baseline: { name: `10 × line-rate bound of one image`, value: round(bound) },
      ratio: round(bookingMs / bound, 3),
      target: "<= 1.15x",
      pass: bookingMs / bound <= 1.15,
    });

    const sealedAt = performance.now();
    let spooledAt = 0;
    const received = new Promise<number>((resolve) => {
      const poll = setInterval(() => {
        if (booking.spool.get(id)?.receipt) {
          clearInterval(poll);
          resolve(performance.now());
        }
      }, 1);
    });
    const entry = await booking.service.seal(id);
    spooledAt = performance.now();
    const sealMs = spooledAt - sealedAt;
    const receiptMs = (await received) - sealedAt;
    void spooledAt;
    results.push({
      name: "bytes per ten-print record (WSQ 0.75, age-encrypted)",
      value: entry.bytes,
      unit: "B",
    });
    const arrival = bureau.arrivals.at(-1)!;
    const rawMs = await rawPost(bureau, arrival.body);
    results.push({ name: "seal (record + WSQ x10 + age + spool)", value: round(sealMs), unit: "ms" });
    results.push({ name: "seal -> bureau receipt on loopback, whole", value: round(receiptMs), unit: "ms" });
    const forwardMs = receiptMs - sealMs;
    results.push({
      name: "spooled -> receipt on disk (forwarder, mutual TLS, fsync)",
      value: round(forwardMs, 2),
      unit: "ms",
      baseline: { name: "one node:https POST of the same bytes, new connection", value: round(rawMs, 2) },
      ratio: round(forwardMs / rawMs, 2),
    });
  } finally {
    await booking.stop();
    await fingerprint.stop();
    await emu.stop();
    await bureau.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

/** The floor: one fresh mutual-TLS connection and POST of the same body, receipt read. */
async function rawPost(bureau: FakeBureau, body: Buffer): Promise<number> {
  const t = performance.now();
  await new Promise<void>((resolve, reject) => {
    const req = request(
      bureau.url,
      {
        method: "POST",
        ca: readFileSync(bureau.file("ca.pem")),
        cert: readFileSync(bureau.file("client.pem")),
        key: readFileSync(bureau.file("client.key")),
        headers: { "content-length": body.length, "x-booking-tcn": "RAW" },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve());
      },
    );
    req.on("error", reject);
    req.end(body);
  });
  return performance.now() - t;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run()
    .then((results) => {
      for (const r of results) {
        const base = r.baseline
          ? `  vs ${r.baseline.name} = ${r.baseline.value} ${r.unit}, ratio ${r.ratio}`
          : "";
        process.stdout.write(`${r.name}: ${r.value} ${r.unit}${base}\n`);
      }
      process.exit(0);
    })
    .catch((e: unknown) => {
      process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
      process.exit(2);
    });
}
