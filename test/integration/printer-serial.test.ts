// @needs socat
/**
 * End to end over a socat pty pair with the real serialport binding: the driver on one side, the
 * virtual printer (paced like a UART) on the other. The same pty also stands in for /dev/usb/lp0.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished, vi } from "vitest";
import { Command } from "commander";
import { registerPrintCommands } from "../../agent/cli/print.js";
import { PROFILES } from "../../drivers/printer/document.js";
import { openPtyPair, type PtyPair } from "../../drivers/printer/emulator/pty-pair.js";
import { serveSerial, type Served } from "../../drivers/printer/emulator/serve.js";
import type { VirtualPrinter } from "../../drivers/printer/emulator/virtual-printer.js";
import { EscPosPrinter } from "../../drivers/printer/printer-device.js";
import { encodeSlip } from "../../drivers/printer/slip.js";
import { SerialByteStream } from "../../drivers/transport/serial.js";
import { DeviceFileByteStream } from "../../drivers/transport/device-file.js";
import { encodeGrayPng } from "../../drivers/printer/image-input.js";
import { syntheticFingerprint } from "../../drivers/printer/emulator/sample-images.js";
import { loadFonts, RECEIPT, SLIP, virtualPrinter } from "../support/printer.js";

const BAUD = 115200;
let pair: PtyPair;
let served: Served | undefined;
let emulator: VirtualPrinter;

beforeAll(async () => {
  pair = await openPtyPair("printer-test");
});
afterAll(async () => {
  await pair?.close();
});
afterEach(async () => {
  await served?.close();
  served = undefined;
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

async function startEmulator(width = 384): Promise<void> {
  emulator = await virtualPrinter(width);
  served = await serveSerial(emulator, pair.devicePath, BAUD);
}

describe("printer over a serial pty (real serialport binding)", () => {
  it("prints an arrest slip whose paper equals the same job fed to the emulator directly", async () => {
    await startEmulator(384);
    const { text } = await loadFonts();
    const job = encodeSlip("arrest-slip", SLIP, PROFILES["58mm"], text);
    const printer = new EscPosPrinter({
      openStream: () => SerialByteStream.open({ path: pair.hostPath, baudRate: BAUD }),
      bytesPerSecond: BAUD / 10,
      pollIntervalMs: 60_000,
    });
    await printer.start();
    try {
      expect(printer.state.health).toBe("ready");
      const result = await printer.print(job.parts);
      expect(result).toMatchObject({ ok: true, bytes: job.bytes.length });
      const direct = await virtualPrinter(384);
      direct.receive(job.bytes);
      expect(emulator.paper.unknown).toEqual([]);
      expect(
        Buffer.from(emulator.paper.toBitmap().data).equals(Buffer.from(direct.paper.toBitmap().data)),
      ).toBe(true);
      // Status before, between segments and after: more than two DLE EOT rounds of four.
      expect(emulator.statusRequests).toBeGreaterThanOrEqual(8);
    } finally {
      await printer.stop();
    }
  });

  it("fails a job with paper-out before sending it, then prints once paper is back", async () => {
    await startEmulator(384);
    emulator.condition = { paper: "out" };
    const printer = new EscPosPrinter({
      openStream: () => SerialByteStream.open({ path: pair.hostPath, baudRate: BAUD }),
      bytesPerSecond: BAUD / 10,
      pollIntervalMs: 60_000,
    });
    const changes: string[] = [];
    printer.onChange((s) => changes.push(`${s.health}:${s.reason ?? ""}`));
    await printer.start();
    const { text } = await loadFonts();
    const receipt = encodeSlip("complaint-receipt", RECEIPT, PROFILES["58mm"], text);
    try {
      const failed = await printer.print(receipt.parts);
      expect(failed).toMatchObject({ ok: false, reason: "paper-out", bytesSent: 0 });
      expect(emulator.paper.heightDots).toBe(0);
      expect(changes).toContain("faulted:paper-out");
      emulator.condition = { paper: "ok" };
      const ok = await printer.print(receipt.parts);
      expect(ok.ok).toBe(true);
      expect(emulator.paper.heightDots).toBeGreaterThan(200);
    } finally {
      await printer.stop();
    }
  });

  it("`print status` and `print slip` from the CLI over --port", async () => {
    await startEmulator(576);
    emulator.condition = { paper: "near-end" };
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((s: string) => void lines.push(s));
    const run = async (...args: string[]): Promise<void> => {
      const program = new Command("station-agent").exitOverride();
      registerPrintCommands(program);
      await program.parseAsync(["node", "station-agent", "print", ...args]);
    };
    await run("status", "--port", pair.hostPath, "--baud", String(BAUD), "--json");
    const status = JSON.parse(lines.pop()!) as { ok: boolean; paper: string; raw: number[] };
    expect(status).toMatchObject({ ok: true, paper: "near-end", raw: [0x12, 0x12, 0x12, 0x1e] });
    expect(process.exitCode).toBeUndefined();

    emulator.condition = { coverOpen: true };
    await run("status", "--port", pair.hostPath, "--baud", String(BAUD));
    expect(lines.pop()).toMatch(/FAULT cover-open/);
    expect(process.exitCode).toBe(1);
    process.exitCode = undefined;
    emulator.condition = {};

    const { writeFileSync, mkdtempSync, rmSync } = await import("node:fs");
    const dir = mkdtempSync("/tmp/printer-cli-");
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(`${dir}/slip.json`, JSON.stringify({ template: "arrest-slip", data: SLIP }));
    await run("slip", `${dir}/slip.json`, "--port", pair.hostPath, "--baud", String(BAUD), "--paper", "80mm");
    expect(lines.pop()).toMatch(/^printed \d+ bytes on .*@115200/);
    expect(process.exitCode).toBeUndefined();
    expect(emulator.paper.cuts.length).toBe(1);

    writeFileSync(`${dir}/thumb.png`, encodeGrayPng(syntheticFingerprint()));
    await run("image", `${dir}/thumb.png`, "--port", pair.hostPath, "--baud", String(BAUD), "--json");
    expect(JSON.parse(lines.pop()!)).toMatchObject({ ok: true });
    await run("test", "--port", pair.hostPath, "--baud", String(BAUD));
    expect(lines.pop()).toMatch(/^printed \d+ bytes/);
    expect(emulator.paper.cuts.length).toBe(3);
    expect(emulator.paper.unknown).toEqual([]);

    writeFileSync(`${dir}/bad.json`, JSON.stringify({ template: "arrest-slip", data: { firNumber: 5 } }));
    const errors: string[] = [];
    vi.spyOn(console, "error").mockImplementation((s: string) => void errors.push(s));
    await run("slip", `${dir}/bad.json`, "--port", pair.hostPath);
    expect(process.exitCode).toBe(2);
    expect(errors.join("\n")).toMatch(/firNumber/);
    expect(emulator.paper.cuts.length).toBe(3);
    process.exitCode = undefined;
    await run("image", `${dir}/bad.json`, "--port", pair.hostPath);
    expect(process.exitCode).toBe(2);
    expect(errors.join("\n")).toMatch(/not a readable PNG/);
  });

  it("the device-file transport (as for /dev/usb/lp0) reads status and prints", async () => {
    await startEmulator(384);
    const printer = new EscPosPrinter({
      openStream: () => DeviceFileByteStream.open({ path: pair.hostPath }),
      pollIntervalMs: 60_000,
    });
    await printer.start();
    try {
      expect(printer.state.health).toBe("ready");
      emulator.condition = { paper: "near-end" };
      expect((await printer.queryStatus()).paper).toBe("near-end");
      const { text } = await loadFonts();
      const job = encodeSlip("arrest-slip", SLIP, PROFILES["58mm"], text);
      expect(await printer.print(job.parts)).toMatchObject({ ok: true });
      expect(emulator.paper.cuts.length).toBe(1);
    } finally {
      await printer.stop();
    }
  });
});
