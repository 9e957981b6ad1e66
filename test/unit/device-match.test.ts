import { describe, expect, it } from "vitest";
import { DeviceConfig } from "../../config/devices.js";
import { matchDevices } from "../../agent/devices/match.js";
import type { DiscoveredDevice } from "../../drivers/discovery/discover.js";

const dev = (p: Partial<DiscoveredDevice> & { path: string }): DiscoveredDevice => ({
  kind: "serial",
  realPath: p.path,
  aliases: [],
  accessible: true,
  source: "sysfs",
  ...p,
});

describe("matching configured devices to discovered ones", () => {
  const a = dev({
    path: "/dev/ttyUSB0",
    vendorId: "0403",
    productId: "6001",
    serialNumber: "AAA",
    aliases: ["/dev/serial/by-id/usb-FTDI_AAA"],
  });
  const b = dev({ path: "/dev/ttyUSB1", vendorId: "0403", productId: "6001", serialNumber: "BBB" });
  const ups = dev({ kind: "hid", path: "/dev/hidraw0", vendorId: "051d", productId: "0002", ups: true });
  const kbd = dev({ kind: "hid", path: "/dev/hidraw1", vendorId: "046d", productId: "c31c" });

  it("uses the serial number to tell two identical adapters apart", () => {
    const m = matchDevices(
      [
        DeviceConfig.parse({
          id: "printer1",
          kind: "printer",
          vendorId: "0403",
          productId: "6001",
          serialNumber: "BBB",
        }),
        DeviceConfig.parse({
          id: "fp1",
          kind: "fingerprint",
          driver: "r30x",
          // The driver opens this udev link; inventory identifies the adapter by its serial number.
          port: "/dev/station/fingerprint",
          vendorId: "0403",
          serialNumber: "AAA",
        }),
      ],
      [a, b],
    );
    expect(m.get("printer1")?.path).toBe("/dev/ttyUSB1");
    expect(m.get("fp1")?.path).toBe("/dev/ttyUSB0");
  });

  it("matches by path through a by-id alias, and uses the path to pick among equal ids", () => {
    const m = matchDevices(
      [
        DeviceConfig.parse({
          id: "fp1",
          kind: "fingerprint",
          driver: "r30x",
          port: "/dev/serial/by-id/usb-FTDI_AAA",
        }),
        DeviceConfig.parse({ id: "p1", kind: "printer", vendorId: "0403", port: "/dev/ttyUSB1" }),
      ],
      [a, b],
    );
    expect(m.get("fp1")).toBe(a);
    expect(m.get("p1")).toBe(b);
  });

  it("leaves a device absent when its serial number is not plugged in, and never hands one device to two entries", () => {
    const m = matchDevices(
      [
        DeviceConfig.parse({ id: "x", kind: "printer", vendorId: "0403", serialNumber: "ZZZ" }),
        DeviceConfig.parse({ id: "y", kind: "printer", vendorId: "0403" }),
        DeviceConfig.parse({ id: "z", kind: "printer", vendorId: "0403" }),
        DeviceConfig.parse({ id: "w", kind: "printer", vendorId: "0403" }),
      ],
      [a, b],
    );
    expect(m.get("x")).toBeUndefined();
    expect(new Set([m.get("y"), m.get("z")])).toEqual(new Set([a, b]));
    expect(m.get("w")).toBeUndefined();
  });

  it("a UPS without ids takes the HID device whose descriptor is a UPS, not the keyboard", () => {
    const m = matchDevices([DeviceConfig.parse({ id: "ups1", kind: "ups" })], [kbd, a, ups]);
    expect(m.get("ups1")).toBe(ups);
  });

  it("rejects malformed USB ids in the config", () => {
    expect(DeviceConfig.safeParse({ id: "u", kind: "ups", vendorId: "51d" }).success).toBe(false);
    expect(DeviceConfig.parse({ id: "u", kind: "ups", vendorId: "0x051D" })).toMatchObject({
      vendorId: "051d",
    });
  });
});
