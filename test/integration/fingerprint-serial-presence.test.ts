/**
 * Unplug detection that does not rely on the kernel reporting a read error: the serial transport's
 * presence watch, and the link asking the transport when the line goes quiet.
 */
import { afterEach, describe, expect, it } from "vitest";
import { rmSync, symlinkSync } from "node:fs";
import { SerialByteStream } from "../../drivers/transport/serial.js";
import { R30xScanner } from "../../drivers/fingerprint/r30x-device.js";
import { R30xPtyEmulator } from "../../drivers/fingerprint/emulator/pty-emulator.js";
import { describeError } from "../support/fingerprint-sinks.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(name: string) {
  const emu = await R30xPtyEmulator.start({ name });
  cleanups.push(() => emu.stop());
  return emu;
}

/** The path now names another device, as when a different adapter takes over the name. */
function repoint(path: string): void {
  rmSync(path, { force: true });
  symlinkSync("/dev/null", path);
}

describe("serial presence", () => {
  it("the presence watch closes a port whose path now names another device", async () => {
    const emu = await start("presence-a");
    const stream = await SerialByteStream.open({ path: emu.hostPath, baudRate: 57600, presenceCheckMs: 50 });
    cleanups.push(() => stream.close());
    expect(await stream.isPresent()).toBe(true);
    const closed = new Promise<Error | undefined>((resolve) => stream.onClose(resolve));
    repoint(emu.hostPath);
    expect((await closed)?.message).toMatch(/disappeared \(unplugged\)/);
    expect(stream.isOpen).toBe(false);
  });

  it("a silent line on a vanished device gives DeviceAbsentError, not a timeout", async () => {
    const emu = await start("presence-b");
    const stream = await SerialByteStream.open({ path: emu.hostPath, baudRate: 57600 });
    cleanups.push(() => stream.close());
    const scanner = new R30xScanner(stream, { baud: 57600, responseTimeoutMs: 300 });
    await scanner.connect();
    emu.emulator.injectFault({ kind: "silence", commands: 1000 });
    repoint(emu.hostPath);
    const error = await scanner.capture({ timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(describeError(error)).toMatch(/^DeviceAbsentError: serial device disappeared during GenImg/);
    expect(scanner.isOpen).toBe(false);
  });

  it("a silent line on a device still there stays a timeout", async () => {
    const emu = await start("presence-c");
    const stream = await SerialByteStream.open({ path: emu.hostPath, baudRate: 57600 });
    cleanups.push(() => stream.close());
    const scanner = new R30xScanner(stream, { baud: 57600, responseTimeoutMs: 300 });
    await scanner.connect();
    emu.emulator.injectFault({ kind: "silence", commands: 1 });
    expect(describeError(await scanner.capture({ timeoutMs: 2000 }).catch((e: unknown) => e))).toMatch(
      /^ResponseTimeoutError/,
    );
    expect(await stream.isPresent()).toBe(true);
  });
});
