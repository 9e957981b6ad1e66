/** The real driver and SerialByteStream over serialport's MockBinding, with the emulator behind it. */
import { afterAll, describe, expect, it } from "vitest";
import { SerialByteStream } from "../../drivers/transport/serial.js";
import { R30xScanner } from "../../drivers/fingerprint/r30x-device.js";
import { createMockR30x, resetMockPorts } from "../../drivers/fingerprint/emulator/mock-binding.js";
import { openScanner, type R30xBackend } from "../../drivers/fingerprint/scanner.js";
import { DeviceAbsentError, ResponseTimeoutError } from "../../drivers/fingerprint/errors.js";
import { syntheticFinger } from "../../drivers/fingerprint/synthetic/index.js";
import { R30X_SENSOR, quantizeTo4Bit } from "../../drivers/fingerprint/image.js";

afterAll(() => resetMockPorts());

describe("R30x over MockBinding", () => {
  it("captures the emulator's image", async () => {
    const mock = createMockR30x("/dev/fp-mock-1");
    const stream = await SerialByteStream.open({ path: mock.path, baudRate: 57600, binding: mock.binding });
    const scanner = new R30xScanner(stream, { baud: 57600, responseTimeoutMs: 300 });
    await scanner.connect();
    const capture = await scanner.capture({ timeoutMs: 2000 });
    expect(
      Buffer.from(capture.image.pixels).equals(Buffer.from(mock.emulator.lastUploadedImage!.pixels)),
    ).toBe(true);
    await scanner.close();
  });

  it("serves whichever of the ten synthetic fingers is placed on the glass", async () => {
    const mock = createMockR30x("/dev/fp-mock-fingers");
    const stream = await SerialByteStream.open({ path: mock.path, baudRate: 57600, binding: mock.binding });
    const scanner = new R30xScanner(stream, { baud: 57600, responseTimeoutMs: 300 });
    await scanner.connect();
    for (const position of [3, 8]) {
      mock.emulator.placeFinger(position);
      const capture = await scanner.capture({ timeoutMs: 2000 });
      const expected = quantizeTo4Bit(syntheticFinger(position, { ...R30X_SENSOR, ppi: 500 }));
      expect(
        Buffer.from(capture.image.pixels).equals(Buffer.from(expected.pixels)),
        `finger ${position}`,
      ).toBe(true);
    }
    await scanner.close();
  });

  it("a host at the wrong baud rate gets no answer; the right one works", async () => {
    const mock = createMockR30x("/dev/fp-mock-2", { baud: 57600 });
    const wrong = await SerialByteStream.open({ path: mock.path, baudRate: 115200, binding: mock.binding });
    const scanner = new R30xScanner(wrong, { baud: 115200, responseTimeoutMs: 300 });
    const error = await scanner.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseTimeoutError);
    expect((error as Error).message).toMatch(/115200 baud/);
    expect(mock.emulator.stats.commands).toEqual({});
    await scanner.close();

    const right = await SerialByteStream.open({ path: mock.path, baudRate: 57600, binding: mock.binding });
    const ok = new R30xScanner(right, { baud: 57600, responseTimeoutMs: 300 });
    expect((await ok.connect()).baud).toBe(57600);
    expect((await ok.setBaudRate(115200)).baud).toBe(115200);
    await expect(ok.capture({ timeoutMs: 2000 })).resolves.toMatchObject({ packets: 288 });
    await ok.close();
  });

  it("an R503 says 0x55 at power-on and the driver skips it", async () => {
    const mock = createMockR30x("/dev/fp-mock-3", { model: "r503" });
    const scanner = await openScanner(
      { driver: "r30x", port: mock.path, model: "r503", responseTimeoutMs: 300 },
      { binding: mock.binding },
    );
    expect((await scanner.check()).identity).toEqual({ path: "/dev/fp-mock-3", model: "r503" });
    // The power-on byte may come before anyone listens; a power blip now makes it arrive for sure.
    mock.emulator.powerCycle();
    const capture = await scanner.capture({ timeoutMs: 2000 });
    expect(capture.image.width).toBe(192);
    // LED: breathing while waiting, green on success.
    expect(mock.emulator.stats.commands["AuraLedConfig"]).toBe(2);
    const stats = (scanner as R30xBackend).device.linkStats;
    expect(stats.garbageBytes + stats.unsolicitedBytes).toBe(1);
    await scanner.close();
  });

  it("openScanner() says no-device for a port that is not there", async () => {
    const mock = createMockR30x("/dev/fp-mock-4");
    await expect(
      openScanner({ driver: "r30x", port: "/dev/fp-mock-missing" }, { binding: mock.binding }),
    ).rejects.toBeInstanceOf(DeviceAbsentError);
  });
});
