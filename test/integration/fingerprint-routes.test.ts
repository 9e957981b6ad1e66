/**
 * The capture route's handler behind a plain loopback HTTP server that does what the lead's local API
 * server does (collect the body, call handle). Auth is that server's job; here: validation, errors, busy.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { FingerprintService, type CaptureRequest } from "../../agent/devices/fingerprint-service.js";
import {
  CAPTURE_PATH,
  fingerprintRoutes,
  type FingerprintCapturer,
} from "../../agent/api/fingerprint-routes.js";
import type { LocalRoute } from "../../agent/ports.js";
import { openScanner } from "../../drivers/fingerprint/scanner.js";
import { createMockR30x, resetMockPorts } from "../../drivers/fingerprint/emulator/mock-binding.js";
import { decodeGrayPng } from "../../drivers/fingerprint/png.js";
import { decodeFingerImageRecord } from "../../drivers/fingerprint/iso19794-4.js";
import { ResponseTimeoutError } from "../../drivers/fingerprint/errors.js";
import { RecordingSinks, capturingLogger, realClock } from "../support/fingerprint-sinks.js";

async function serve(route: LocalRoute): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => void route.handle(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${route.path}` };
}

const post = (url: string, body: string, type = "application/json") =>
  fetch(url, { method: "POST", headers: { "content-type": type }, body });

describe("POST /v1/fingerprint/capture input validation", () => {
  const calls: CaptureRequest[] = [];
  const fake: FingerprintCapturer = {
    capture: async (r) => {
      calls.push(r);
      throw new ResponseTimeoutError("GenImg", 1000);
    },
  };
  let url: string;
  let server: Server;
  beforeAll(async () => {
    const [route] = fingerprintRoutes(fake);
    expect(route).toMatchObject({ method: "POST", path: CAPTURE_PATH, auth: true });
    ({ server, url } = await serve(route!));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it.each([
    ["malformed JSON", "{finger: right-thumb", /not valid JSON/],
    ["an empty body", "", /not valid JSON/],
    ["a missing finger", "{}", /finger/],
    ["an unknown finger", '{"finger":"right-toe"}', /finger/],
    ["a timeout out of range", '{"finger":"right-thumb","timeoutMs":5}', /timeoutMs/],
    ["an unknown field", '{"finger":"right-thumb","image":"x"}', /image/],
    ["a bad device id", '{"finger":"right-thumb","device":"../etc"}', /device/],
    ["a JSON array", "[1,2]", /expected object/],
  ])("answers 400 with the reason for %s, and never calls the device", async (_name, body, reason) => {
    const before = calls.length;
    const res = await post(url, body);
    expect(res.status).toBe(400);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const json = (await res.json()) as { error: string; message: string };
    expect(json.error).toBe("bad-request");
    expect(json.message).toMatch(reason);
    expect(calls.length).toBe(before);
  });

  it("refuses a non-JSON content type with 415", async () => {
    const res = await post(url, '{"finger":"right-thumb"}', "text/plain");
    expect(res.status).toBe(415);
  });

  it("maps a device error to 502 with its code", async () => {
    const res = await post(url, '{"finger":"right-thumb","timeoutMs":2000}');
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: "timeout" });
    expect(calls.at(-1)).toEqual({ finger: "right-thumb", timeoutMs: 2000 });
  });
});

describe("POST /v1/fingerprint/capture with a real service over MockBinding", () => {
  let svc: FingerprintService;
  let url: string;
  let server: Server;
  let mock: ReturnType<typeof createMockR30x>;
  const sinks = new RecordingSinks();
  beforeAll(async () => {
    mock = createMockR30x("/dev/fp-route-1", { genImgDelayMs: 20 });
    svc = new FingerprintService({
      station: "TEST-0002",
      devices: [
        { id: "fp1", kind: "fingerprint", driver: "r30x", port: mock.path, baud: 57600 },
        { id: "rd1", kind: "fingerprint", driver: "rdservice", baud: 57600, url: "http://127.0.0.1:9" },
      ],
      clock: realClock,
      retained: sinks,
      events: sinks,
      logger: capturingLogger().logger,
      open: (s) => openScanner(s, { binding: mock.binding }),
      backoff: { minMs: 50, maxMs: 200 },
    });
    await svc.start();
    await sinks.waitFor("fp1", "ready");
    ({ server, url } = await serve(fingerprintRoutes(svc)[0]!));
  });
  afterAll(async () => {
    await svc.stop();
    await new Promise<void>((r) => server.close(() => r()));
    resetMockPorts();
  });

  it("returns the PNG, the ISO record, quality and timing", async () => {
    const res = await post(url, JSON.stringify({ finger: "right-middle", timeoutMs: 5000 }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown> & {
      png: string;
      iso: string;
      quality: { score: number };
    };
    expect(body).toMatchObject({
      device: "fp1",
      driver: "r30x",
      finger: "right-middle",
      isoFormat: "ISO/IEC 19794-4:2005",
    });
    const png = decodeGrayPng(Buffer.from(body.png, "base64"));
    expect(Buffer.from(png.pixels).equals(Buffer.from(mock.emulator.lastUploadedImage!.pixels))).toBe(true);
    expect(decodeFingerImageRecord(Buffer.from(body.iso, "base64")).fingerPosition).toBe(3);
    expect(body.quality.score).toBeGreaterThan(0);
    expect(body["timing"]).toMatchObject({ totalMs: expect.any(Number), transferMs: expect.any(Number) });
  });

  it("answers 409 busy to a concurrent request for the same scanner", async () => {
    mock.emulator.noFinger(10);
    const first = post(url, JSON.stringify({ finger: "left-ring", timeoutMs: 5000 }));
    await sinks.waitFor("fp1", "busy");
    const [a, b] = await Promise.all([
      first,
      post(url, JSON.stringify({ finger: "left-ring", device: "fp1" })),
    ]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(409);
    expect(await b.json()).toMatchObject({ error: "busy" });
  });

  it("answers 404 for an unknown device, 400 for a health-only one, 422 for no finger", async () => {
    expect((await post(url, JSON.stringify({ finger: "left-ring", device: "fp9" }))).status).toBe(404);
    expect((await post(url, JSON.stringify({ finger: "left-ring", device: "rd1" }))).status).toBe(400);
    mock.emulator.noFinger(1_000_000);
    const res = await post(url, JSON.stringify({ finger: "left-ring", timeoutMs: 1000 }));
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ error: "no-finger" });
    mock.emulator.noFinger(0);
  });
});
