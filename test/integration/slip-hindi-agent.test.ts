/**
 * The agent's print service on a Hindi station (ui.language hi, issue 18): a slip asked for over the
 * service goes to a virtual printer on TCP with Hindi labels, dot for dot the same paper as the job
 * encoded directly with the Hindi labels, and not the English one.
 */
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { slipLabels } from "../../agent/devices/slip-labels.js";
import { PrinterService } from "../../agent/devices/printer-service.js";
import { PrinterDeviceConfig } from "../../config/devices.js";
import { PROFILES } from "../../drivers/printer/document.js";
import { serveTcp } from "../../drivers/printer/emulator/serve.js";
import { encodeSlip } from "../../drivers/printer/slip.js";
import { loadFonts, RecordingSinks, SLIP, TEST_FONTS, virtualPrinter } from "../support/printer.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function paperFrom(language: "en" | "hi"): Promise<Buffer> {
  const emulator = await virtualPrinter(384);
  const served = await serveTcp(emulator, { port: 0 });
  cleanups.push(() => served.close());
  const sinks = new RecordingSinks();
  const service = new PrinterService({
    station: "HR-PKL-0007",
    printers: [
      PrinterDeviceConfig.parse({
        id: "slip1",
        kind: "printer",
        tcp: `127.0.0.1:${served.port}`,
        paper: "58mm",
        fonts: { latin: TEST_FONTS.latin, devanagari: TEST_FONTS.devanagari },
      }),
    ],
    retained: sinks.retained,
    events: sinks.eventSink,
    clock: { now: () => Date.now(), synced: () => true },
    log: pino({ level: "silent" }),
    slipLanguage: language,
  });
  await service.start();
  cleanups.push(() => service.stop());
  const r = await service.printSlip("arrest-slip", SLIP);
  expect(r).toMatchObject({ ok: true, skipped: [] });
  return Buffer.from(emulator.paper.toBitmap().data);
}

async function direct(labels?: ReturnType<typeof slipLabels>): Promise<Buffer> {
  const { text } = await loadFonts();
  const printer = await virtualPrinter(384);
  printer.receive(encodeSlip("arrest-slip", SLIP, PROFILES["58mm"], text, labels).bytes);
  return Buffer.from(printer.paper.toBitmap().data);
}

describe("slips printed by the agent on a Hindi station", () => {
  it("carry the Hindi labels; an English station's carry the English ones", async () => {
    const hindi = await paperFrom("hi");
    expect(hindi.equals(await direct(slipLabels("hi")))).toBe(true);
    expect(hindi.equals(await direct())).toBe(false);
    expect((await paperFrom("en")).equals(await direct())).toBe(true);
  });
});
