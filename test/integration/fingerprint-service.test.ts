// @needs socat
/** The device service over socat ptys and the real serialport binding: health, captures, busy, unplug. */
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FingerprintService } from "../../agent/devices/fingerprint-service.js";
import { R30xPtyEmulator } from "../../drivers/fingerprint/emulator/pty-emulator.js";
import { decodeGrayPng } from "../../drivers/fingerprint/png.js";
import { DeviceBusyError, NoFingerError } from "../../drivers/fingerprint/errors.js";
import { DeviceState } from "../../contract/index.js";
import { RecordingSinks, capturingLogger, describeError, realClock } from "../support/fingerprint-sinks.js";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "fingerprint-svc-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function emulator(
  dir: string,
  name: string,
  options: Parameters<typeof R30xPtyEmulator.start>[0] = {},
) {
  const emu = await R30xPtyEmulator.start({ dir, name, ...options });
  cleanups.push(() => emu.stop());
  return emu;
}

function service(port: string, overrides: { healthCheckMs?: number; baud?: number } = {}) {
  const sinks = new RecordingSinks();
  const { logger, lines } = capturingLogger();
  const svc = new FingerprintService({
    station: "TEST-0001",
    devices: [{ id: "fp1", kind: "fingerprint", driver: "r30x", port, baud: overrides.baud ?? 57600 }],
    clock: realClock,
    retained: sinks,
    events: sinks,
    logger,
    backoff: { minMs: 50, maxMs: 300 },
    healthCheckMs: overrides.healthCheckMs ?? 60_000,
  });
  cleanups.push(() => svc.stop());
  return { svc, sinks, lines };
}

describe("FingerprintService", () => {
  it("reports ready, captures, and publishes only metadata", async () => {
    const dir = tempDir();
    const emu = await emulator(dir, "svc-a");
    const { svc, sinks, lines } = service(emu.hostPath);
    await svc.start();
    const ready = await sinks.waitFor("fp1", "ready");
    expect(DeviceState.parse(ready)).toMatchObject({
      station: "TEST-0001",
      kind: "fingerprint",
      driver: "r30x",
      identity: { path: emu.hostPath, model: "r30x" },
      status: { baud: 57600, packetSize: 128 },
    });

    const result = await svc.capture({ finger: "left-thumb", timeoutMs: 3000 });
    const png = decodeGrayPng(result.png);
    expect(Buffer.from(png.pixels).equals(Buffer.from(emu.emulator.lastUploadedImage!.pixels))).toBe(true);
    expect(result).toMatchObject({
      device: "fp1",
      finger: "left-thumb",
      width: 256,
      height: 288,
      resolutionPpi: 500,
    });

    const captureEvents = sinks.events.filter((e) => e.type === "fingerprint.capture");
    expect(captureEvents).toHaveLength(1);
    expect(Object.keys(captureEvents[0]!.data).sort()).toEqual(["device", "durationMs", "finger", "quality"]);
    expect(sinks.devices.map((d) => d.health)).toContain("busy");
    expect(svc.states()[0]?.health).toBe("ready");
    // Privacy: nothing published or logged is anywhere near image-sized, and no PNG/ISO bytes appear.
    const published = JSON.stringify([sinks.events, sinks.devices]) + lines.join("");
    expect(published).not.toContain(result.png.toString("base64").slice(100, 160));
    expect(published).not.toContain(result.iso.toString("base64").slice(200, 260));
    expect(published.length).toBeLessThan(20_000);
  });

  it("allows one capture at a time per device: the second gets busy", async () => {
    const dir = tempDir();
    const emu = await emulator(dir, "svc-b");
    const { svc, sinks } = service(emu.hostPath);
    await svc.start();
    await sinks.waitFor("fp1", "ready");
    emu.emulator.noFinger(5);
    const first = svc.capture({ finger: "right-index", timeoutMs: 3000 });
    await expect(svc.capture({ finger: "right-index", timeoutMs: 3000 })).rejects.toBeInstanceOf(
      DeviceBusyError,
    );
    await expect(first).resolves.toMatchObject({ finger: "right-index" });
    emu.emulator.noFinger(1_000_000);
    await expect(svc.capture({ finger: "right-index", timeoutMs: 1000 })).rejects.toBeInstanceOf(
      NoFingerError,
    );
    expect(svc.states()[0]?.health).toBe("ready");
    expect(
      sinks.events.filter((e) => e.type === "fingerprint.capture-failed").map((e) => e.data["error"]),
    ).toEqual(["no-finger"]);
  });

  it("unplugged mid-transfer: absent, then ready again when the cable returns, with no restart", async () => {
    const dir = tempDir();
    const emu = await emulator(dir, "svc-c", { pace: true, baud: 115200 });
    const { svc, sinks } = service(emu.hostPath, { baud: 115200 });
    await svc.start();
    await sinks.waitFor("fp1", "ready");
    const capture = svc.capture({ finger: "right-thumb", timeoutMs: 3000 }).catch((e: unknown) => e);
    while (emu.emulator.stats.uploads === 0) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300));
    await emu.unplug();
    expect(describeError(await capture)).toMatch(/^DeviceAbsentError: /);
    const absent = await sinks.waitFor("fp1", "absent");
    expect(absent.reason).toBeTruthy();
    await expect(svc.capture({ finger: "right-thumb" })).rejects.toMatchObject({ code: "no-device" });

    await new Promise((r) => setTimeout(r, 400)); // a few failed re-opens while the cable is out
    emu.emulator.pace = false;
    await emu.plugIn();
    await sinks.waitFor("fp1", "ready");
    const again = await svc.capture({ finger: "right-thumb", timeoutMs: 3000 });
    expect(
      Buffer.from(decodeGrayPng(again.png).pixels).equals(
        Buffer.from(emu.emulator.lastUploadedImage!.pixels),
      ),
    ).toBe(true);
    const healthEvents = sinks.events.filter((e) => e.type.startsWith("device.")).map((e) => e.type);
    expect(healthEvents).toEqual(["device.ready", "device.absent", "device.ready"]);
  });

  it("finds a scanner that was not there at start", async () => {
    const dir = tempDir();
    const { svc, sinks } = service(join(dir, "late-host"));
    await svc.start();
    expect((await sinks.waitFor("fp1", "absent")).reason).toMatch(/not there/);
    await emulator(dir, "late");
    await sinks.waitFor("fp1", "ready");
  });

  it("a module that stops answering is faulted, and recovers", async () => {
    const dir = tempDir();
    const emu = await emulator(dir, "svc-d");
    const { svc, sinks } = service(emu.hostPath, { healthCheckMs: 150 });
    await svc.start();
    await sinks.waitFor("fp1", "ready");
    emu.emulator.injectFault({ kind: "silence", commands: 1_000_000 });
    const faulted = await sinks.waitFor("fp1", "faulted");
    expect(faulted.reason).toMatch(/no reply/);
    emu.emulator.clearFaults();
    await sinks.waitFor("fp1", "ready");
  });
});
