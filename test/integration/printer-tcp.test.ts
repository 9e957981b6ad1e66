/**
 * The agent side over raw TCP (as a network printer on :9100): PrinterService + POST /v1/print/slip on a
 * real HTTP server, the virtual printer behind a real socket. Faults: paper out before a job, the cover
 * opened mid-job, a printer that stops answering. Each is a failed job with its reason, a health change
 * and events, and the next job prints.
 */
import { createServer, type Server } from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import pino from "pino";
import { PrinterDeviceConfig } from "../../config/devices.js";
import { printerRoutes } from "../../agent/api/printer-routes.js";
import { PrinterService } from "../../agent/devices/printer-service.js";
import { serveTcp, type Served } from "../../drivers/printer/emulator/serve.js";
import type { VirtualPrinter } from "../../drivers/printer/emulator/virtual-printer.js";
import { DeviceState } from "../../contract/index.js";
import { RECEIPT, RecordingSinks, SLIP, virtualPrinter, waitFor } from "../support/printer.js";

let emulator: VirtualPrinter;
let served: Served & { port: number };
let service: PrinterService;
let sinks: RecordingSinks;
let http: Server;
let url: string;

beforeEach(async () => {
  emulator = await virtualPrinter(384);
  served = await serveTcp(emulator, { port: 0 });
  sinks = new RecordingSinks();
  const cfg = PrinterDeviceConfig.parse({
    id: "slip1",
    kind: "printer",
    tcp: `127.0.0.1:${served.port}`,
    paper: "58mm",
    pollIntervalMs: 500,
    replyTimeoutMs: 300,
  });
  service = new PrinterService({
    station: "TEST-0001",
    printers: [cfg],
    retained: sinks.retained,
    events: sinks.eventSink,
    clock: { now: () => Date.now(), synced: () => true },
    log: pino({ level: "silent" }),
  });
  await service.start();
  const [route] = printerRoutes(service);
  http = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => void route!.handle(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", () => r()));
  const addr = http.address();
  url = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}/v1/print/slip`;
});

afterEach(async () => {
  await service.stop();
  await served.close();
  await new Promise<void>((r) => http.close(() => r()));
});

async function post(body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: "POST",
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe("PrinterService and POST /v1/print/slip over TCP", () => {
  it("prints slips, publishes valid retained health, and answers 400 to bad requests without printing", async () => {
    expect(sinks.lastHealth()).toMatchObject({ device: "slip1", kind: "printer", health: "ready" });
    for (const s of sinks.devices) expect(DeviceState.safeParse(s).success).toBe(true);

    const ok = await post({ template: "arrest-slip", data: SLIP });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ ok: true, printer: "slip1", skipped: [] });
    expect(emulator.paper.cuts.length).toBe(1);

    const height = emulator.paper.heightDots;
    const bad = [
      await post("{not json"),
      await post({ template: "seizure-memo", data: {} }),
      await post({ template: "complaint-receipt", data: { ...RECEIPT, receivedAt: "tomorrow" } }),
      await post({
        template: "arrest-slip",
        data: { ...SLIP, fingerprint: { image: { width: 8, height: 8, grayBase64: "AA==" } } },
      }),
    ];
    expect(bad.map((b) => b.status)).toEqual([400, 400, 400, 400]);
    expect(JSON.stringify(bad[2]!.json)).toMatch(/receivedAt/);
    expect(JSON.stringify(bad[3]!.json)).toMatch(/fingerprint/);
    expect((await post({ template: "arrest-slip", data: SLIP, printer: "nope" })).status).toBe(404);
    expect(emulator.paper.heightDots).toBe(height);
    expect(sinks.types()).not.toContain("print.failed");
  });

  it("paper out before a job: 503 paper-out, nothing sent, events; prints again when paper is loaded", async () => {
    emulator.condition = { paper: "out" };
    const r = await post({ template: "complaint-receipt", data: RECEIPT });
    expect(r.status).toBe(503);
    expect(r.json).toMatchObject({ ok: false, reason: "paper-out" });
    expect(emulator.paper.heightDots).toBe(0);
    expect(sinks.types()).toEqual(expect.arrayContaining(["printer.paper-out", "print.failed"]));
    expect(sinks.events.find((e) => e.type === "print.failed")!.data).toMatchObject({
      device: "slip1",
      reason: "paper-out",
      bytesSent: 0,
    });
    expect(sinks.lastHealth()).toMatchObject({ health: "faulted", status: { paper: "out" } });

    emulator.condition = { paper: "ok" };
    await waitFor(() => sinks.types().includes("printer.recovered"), 5000, "printer.recovered");
    expect(sinks.lastHealth()?.health).toBe("ready");
    expect((await post({ template: "complaint-receipt", data: RECEIPT })).status).toBe(200);
    expect(emulator.paper.cuts.length).toBe(1);
  });

  it("cover opened mid-job: 503 cover-open with part of the job sent, events; next job prints", async () => {
    let opened = false;
    emulator.onOp = (op, p) => {
      if (op.op === "raster" && !opened) {
        opened = true;
        p.condition = { coverOpen: true };
      }
    };
    const r = await post({ template: "arrest-slip", data: SLIP });
    expect(r.status).toBe(503);
    expect(r.json).toMatchObject({ ok: false, reason: "cover-open" });
    const failed = sinks.events.find((e) => e.type === "print.failed")!.data;
    expect(failed.bytesSent).toBeGreaterThan(0);
    expect(sinks.types()).toContain("printer.cover-open");
    expect(sinks.lastHealth()).toMatchObject({ health: "faulted", status: { coverOpen: true } });
    expect(emulator.paper.cuts.length).toBe(0);

    emulator.onOp = undefined;
    emulator.condition = {};
    await waitFor(() => sinks.types().includes("printer.recovered"), 5000, "printer.recovered");
    expect((await post({ template: "arrest-slip", data: SLIP })).status).toBe(200);
    expect(emulator.paper.cuts.length).toBe(1);
  });

  it("a printer that never answers: 503 no-response, faulted health and event; next job prints once it answers", async () => {
    emulator.answers = false;
    const r = await post({ template: "complaint-receipt", data: RECEIPT });
    expect(r.status).toBe(503);
    expect(r.json).toMatchObject({ ok: false, reason: "no-response" });
    expect(String(r.json.detail)).toMatch(/did not answer/);
    expect(sinks.events.find((e) => e.type === "printer.faulted")?.data).toMatchObject({
      reason: "no-response",
    });
    expect(sinks.lastHealth()).toMatchObject({ health: "faulted" });
    expect(sinks.lastHealth()?.reason).toMatch(/^no-response/);

    emulator.answers = true;
    await waitFor(() => sinks.types().includes("printer.recovered"), 5000, "printer.recovered");
    expect((await post({ template: "complaint-receipt", data: RECEIPT })).status).toBe(200);
    expect(emulator.paper.cuts.length).toBe(1);
  });

  it("a printer that goes away is reported absent, then recovered when it is back", async () => {
    const port = served.port;
    await served.close();
    await waitFor(() => sinks.lastHealth()?.health === "absent", 5000, "absent");
    expect(sinks.types()).toContain("printer.faulted");
    served = await serveTcp(emulator, { port });
    await waitFor(() => sinks.types().includes("printer.recovered"), 10_000, "printer.recovered");
    expect((await post({ template: "complaint-receipt", data: RECEIPT })).status).toBe(200);
  });
});
