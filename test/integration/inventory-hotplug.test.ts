// @needs socat
/**
 * Inventory over real serial ptys (socat) that appear and disappear: matching by USB ids + serial
 * number (through a sysfs tree laid out like the kernel's) and by configured path, with
 * device.attached / device.detached events and `absent` for configured devices that are missing.
 */
import { mkdtemp, mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { DeviceConfig } from "../../config/devices.js";
import { DeviceState } from "../../contract/device.js";
import { Inventory } from "../../agent/devices/inventory.js";
import { probePathsFor } from "../../agent/devices/match.js";
import { discoverDevices } from "../../drivers/discovery/discover.js";
import { SerialByteStream } from "../../drivers/transport/serial.js";
import { addUsbSerialAdapter } from "../support/fake-sysfs.js";
import { ManualClock, RecordingEvents, RecordingRetained } from "../support/recording-sinks.js";
import { killAllPtys, startPtyPair } from "../support/socat-pty.js";

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "ups-inventory-"));
  await mkdir(join(root, "dev"), { recursive: true });
  await mkdir(join(root, "sys/class/tty"), { recursive: true });
});
afterAll(async () => {
  killAllPtys();
  await rm(root, { recursive: true, force: true });
});

describe("inventory hot-plug over socat ptys", () => {
  it("matches, attaches, detaches and reports absent devices", async () => {
    const roots = { sys: join(root, "sys"), dev: join(root, "dev") };
    const printerPath = join(root, "station-printer");
    const devices = [
      DeviceConfig.parse({
        id: "fp1",
        kind: "fingerprint",
        driver: "r30x",
        port: join(root, "station-fingerprint"),
        vendorId: "067b",
        productId: "2303",
        serialNumber: "FP-0001",
      }),
      DeviceConfig.parse({ id: "printer1", kind: "printer", port: printerPath }),
      DeviceConfig.parse({ id: "ups1", kind: "ups" }),
    ];
    const clock = new ManualClock();
    const events = new RecordingEvents();
    const retained = new RecordingRetained();
    const inventory = new Inventory({
      station: "MH-PUN-0042",
      devices,
      clock,
      events,
      retained,
      discover: () => discoverDevices({ roots, probePaths: probePathsFor(devices) }),
      pollMs: 100,
    });
    const health = (id: string) => retained.lastDevice(id)?.health;
    const changes: string[] = [];
    inventory.onChange((a, d) => changes.push(...a.map((x) => `+${x.path}`), ...d.map((x) => `-${x.path}`)));
    await inventory.start();
    try {
      expect([health("fp1"), health("printer1"), health("ups1")]).toEqual(["absent", "absent", "absent"]);
      expect(events.types("device.")).toEqual([]);

      // The scanner's USB-serial adapter is plugged in: a ttyUSB7 node with its sysfs identity.
      const unplugScanner = await addUsbSerialAdapter(roots.sys, "ttyUSB7", 2, {
        vendorId: "067b",
        productId: "2303",
        serial: "FP-0001",
        product: "USB-Serial Controller",
      });
      const scanner = await startPtyPair(join(roots.dev, "ttyUSB7"), join(root, "scanner-peer"));
      await vi.waitFor(() => expect(health("fp1")).toBe("ready"), { timeout: 5000, interval: 50 });
      expect(retained.lastDevice("fp1")?.identity).toMatchObject({
        path: join(roots.dev, "ttyUSB7"),
        vendorId: "067b",
        productId: "2303",
        serialNumber: "FP-0001",
        model: "USB-Serial Controller",
      });
      expect(events.events.find((e) => e.type === "device.attached")?.data).toMatchObject({
        device: "fp1",
        configured: true,
      });

      // The discovered node is the real device: bytes written to it come out at the peer.
      const port = await SerialByteStream.open({ path: join(roots.dev, "ttyUSB7"), baudRate: 57600 });
      const peer = await SerialByteStream.open({ path: scanner.peer, baudRate: 57600 });
      const got = new Promise<Buffer>((resolve) => peer.onData(resolve));
      await port.write(Buffer.from([0xef, 0x01]));
      expect([...(await got)]).toEqual([0xef, 0x01]);
      await port.close();
      await peer.close();

      // The printer on the configured path, and an adapter nobody configured.
      const printer = await startPtyPair(printerPath, join(root, "printer-peer"));
      const unplugOther = await addUsbSerialAdapter(roots.sys, "ttyUSB8", 3, {
        vendorId: "0403",
        productId: "6001",
        serial: "A50285BI",
      });
      const other = await startPtyPair(join(roots.dev, "ttyUSB8"), join(root, "other-peer"));
      await vi.waitFor(() => expect(health("printer1")).toBe("ready"), { timeout: 5000, interval: 50 });
      await vi.waitFor(() =>
        expect(inventory.snapshot().unconfigured.map((d) => d.serialNumber)).toContain("A50285BI"),
      );
      const attached = events.events.filter((e) => e.type === "device.attached").map((e) => e.data);
      expect(attached).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ device: "printer1", path: printerPath }),
          expect.objectContaining({ device: null, configured: false, vendorId: "0403", productId: "6001" }),
        ]),
      );

      // Pulled out again.
      await scanner.stop();
      await unplugScanner();
      await vi.waitFor(() => expect(health("fp1")).toBe("absent"), { timeout: 5000, interval: 50 });
      await printer.stop();
      await vi.waitFor(() => expect(health("printer1")).toBe("absent"), { timeout: 5000, interval: 50 });
      expect(changes).toContain(`+${join(roots.dev, "ttyUSB7")}`);
      expect(changes).toContain(`-${printerPath}`);
      const detached = events.events.filter((e) => e.type === "device.detached").map((e) => e.data.device);
      expect(detached).toEqual(["fp1", "printer1"]);

      // Summary for the birth message, and every retained state valid against the contract.
      expect(inventory.summary()).toEqual([
        { device: "fp1", kind: "fingerprint", health: "absent" },
        { device: "printer1", kind: "printer", health: "absent" },
        { device: "ups1", kind: "ups", health: "absent" },
      ]);
      for (const s of retained.devices) expect(DeviceState.safeParse(s).success).toBe(true);
      await other.stop();
      await unplugOther();
    } finally {
      await inventory.stop();
    }
  });
});
