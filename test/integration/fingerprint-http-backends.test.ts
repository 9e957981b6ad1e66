import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type AddressInfo } from "node:net";
import { Mfs100Client } from "../../drivers/fingerprint/mfs100-client.js";
import { parseRdService, probeRdService } from "../../drivers/fingerprint/rdservice-probe.js";
import { openScanner } from "../../drivers/fingerprint/scanner.js";
import { decodeBmpToGray } from "../../drivers/fingerprint/bmp.js";
import {
  DeviceAbsentError,
  NoFingerError,
  ProtocolError,
  UnsupportedError,
} from "../../drivers/fingerprint/errors.js";
import { Mfs100Emulator } from "../../drivers/fingerprint/emulator/mfs100-emulator.js";
import { RdServiceEmulator } from "../../drivers/fingerprint/emulator/rdservice-emulator.js";
import { encodeGrayBmp } from "../../drivers/fingerprint/emulator/bmp-writer.js";
import { generateRidgeImage } from "../../drivers/fingerprint/emulator/ridge-image.js";

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe("BMP reader", () => {
  it("reads an 8-bit palettised bottom-up BMP with padded rows", () => {
    const img = generateRidgeImage({ width: 13, height: 7, seed: 2 });
    const back = decodeBmpToGray(encodeGrayBmp(img));
    expect([back.width, back.height]).toEqual([13, 7]);
    expect(Buffer.from(back.pixels).equals(Buffer.from(img.pixels))).toBe(true);
  });

  it("rejects what it cannot read", () => {
    expect(() =>
      decodeBmpToGray(Buffer.from("not a bitmap at all, just some text padding it out to length")),
    ).toThrow(/not a BMP/);
    const bmp = encodeGrayBmp(generateRidgeImage({ width: 8, height: 8 }));
    expect(() => decodeBmpToGray(bmp.subarray(0, bmp.length - 10))).toThrow(/truncated/);
  });
});

describe("MFS100 client against the service emulator", () => {
  let emu: Mfs100Emulator;
  beforeAll(async () => {
    emu = await Mfs100Emulator.start({ isoTemplate: Buffer.from("FMR\0fake-template") });
  });
  afterAll(() => emu.stop());

  it("reads device info", async () => {
    const info = await new Mfs100Client({ baseUrl: emu.baseUrl }).info();
    expect(info).toEqual({
      make: "MANTRA",
      model: "MFS100",
      serialNumber: "EMU0001",
      width: 260,
      height: 300,
    });
  });

  it("captures the bitmap, NFIQ and ISO template, sending TimeOut in seconds", async () => {
    const client = new Mfs100Client({ baseUrl: emu.baseUrl });
    const cap = await client.capture({ timeoutMs: 12_000 });
    expect(Buffer.from(cap.image.pixels).equals(Buffer.from(emu.image.pixels))).toBe(true);
    expect(cap).toMatchObject({ nfiq: 2, vendorQuality: 78, resolutionPpi: 500 });
    expect(cap.isoTemplate?.toString()).toBe("FMR\0fake-template");
    expect(emu.captureRequests.at(-1)).toEqual({ Quality: 55, TimeOut: 12 });
  });

  it("maps the service's timeout to no-finger and a missing scanner to no-device", async () => {
    const client = new Mfs100Client({ baseUrl: emu.baseUrl });
    emu.timeouts = 1;
    await expect(client.capture({ timeoutMs: 10_000 })).rejects.toBeInstanceOf(NoFingerError);
    emu.connected = false;
    await expect(client.info()).rejects.toBeInstanceOf(DeviceAbsentError);
    emu.connected = true;
    expect((await client.capture({ timeoutMs: 10_000 })).image.width).toBe(260);
  });

  it("reports an unreachable service as no-device", async () => {
    const client = new Mfs100Client({ baseUrl: `http://127.0.0.1:${await closedPort()}/mfs100/` });
    await expect(client.info()).rejects.toBeInstanceOf(DeviceAbsentError);
  });

  it("opens as a scanner through openScanner()", async () => {
    const scanner = await openScanner({ driver: "mfs100", url: emu.baseUrl });
    expect((await scanner.check()).identity).toEqual({ model: "MFS100", serialNumber: "EMU0001" });
    expect((await scanner.capture({ timeoutMs: 10_000 })).image.height).toBe(300);
  });
});

describe("RD Service probe against the service emulator", () => {
  let emu: RdServiceEmulator;
  beforeAll(async () => {
    emu = await RdServiceEmulator.start();
  });
  afterAll(() => emu.stop());

  it("finds the service, its status and device info by interface id", async () => {
    const empty = await closedPort();
    const found = await probeRdService({ ports: [empty, emu.port], timeoutMs: 1000 });
    expect(found).toMatchObject({
      port: emu.port,
      status: "READY",
      interfaces: { CAPTURE: "/rd/capture", DEVICEINFO: "/rd/info" },
      device: {
        dpId: "EMULATED.DP",
        rdsId: "EMU.LINUX.001",
        rdsVer: "1.0.8",
        mi: "MFS100",
        serialNumber: "EMU0001",
      },
    });
    expect(emu.methods).toContain("RDSERVICE");
    expect(emu.methods).toContain("DEVICEINFO");
  });

  it("reports NOTREADY as a fault and no service as absent; capture is refused", async () => {
    const scanner = await openScanner({ driver: "rdservice", url: `http://127.0.0.1:${emu.port}` });
    expect((await scanner.check()).status).toMatchObject({ rdStatus: "READY", rdPort: emu.port });
    await expect(scanner.capture({ timeoutMs: 1000 })).rejects.toBeInstanceOf(UnsupportedError);
    emu.status = "NOTREADY";
    await expect(scanner.check()).rejects.toBeInstanceOf(ProtocolError);
    emu.status = "READY";
    expect(await probeRdService({ ports: [await closedPort()], timeoutMs: 500 })).toBeNull();
    await expect(
      openScanner({ driver: "rdservice", url: `http://127.0.0.1:${await closedPort()}` }),
    ).rejects.toBeInstanceOf(DeviceAbsentError);
  });

  it("parses single-quoted attributes and escapes", () => {
    const s = parseRdService(
      `<?xml version="1.0"?><RDService status='NOTREADY' info="A &amp; B"><Interface id='INFO' path='/x'/></RDService>`,
      1,
    );
    expect(s).toEqual({ port: 1, status: "NOTREADY", info: "A & B", interfaces: { INFO: "/x" } });
    expect(parseRdService("<html>nope</html>", 1)).toBeNull();
  });
});
