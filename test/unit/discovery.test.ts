/** Discovery from a sysfs tree laid out as the kernel does, with serialport's list() failing as it does without udevadm. */
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { discoverDevices } from "../../drivers/discovery/discover.js";
import { APC_ES_850G2 } from "../fixtures/ups/index.js";
import { addHidraw, addUsbPrinter, addUsbSerialAdapter } from "../support/fake-sysfs.js";

let root: string;
let roots: { sys: string; dev: string };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "ups-discovery-"));
  roots = { sys: join(root, "sys"), dev: join(root, "dev") };
  await mkdir(join(roots.dev, "usb"), { recursive: true });
  await mkdir(join(roots.dev, "serial/by-id"), { recursive: true });
  await addUsbSerialAdapter(roots.sys, "ttyUSB0", 2, {
    vendorId: "0403",
    productId: "6001",
    serial: "A50285BI",
    manufacturer: "FTDI",
  });
  await writeFile(join(roots.dev, "ttyUSB0"), "");
  await symlink(
    join(roots.dev, "ttyUSB0"),
    join(roots.dev, "serial/by-id/usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0"),
  );
  await addHidraw(
    roots.sys,
    "hidraw0",
    4,
    { vendorId: "051d", productId: "0002", serial: "5B2109T81980", product: "Back-UPS ES 850G2" },
    APC_ES_850G2.descriptor,
  );
  await writeFile(join(roots.dev, "hidraw0"), "");
  const keyboard = Buffer.from("05010906a101050719e029e715002501750195088102c0", "hex");
  await addHidraw(roots.sys, "hidraw1", 6, { vendorId: "046d", productId: "c31c" }, keyboard);
  await writeFile(join(roots.dev, "hidraw1"), "");
  await addUsbPrinter(roots.sys, "lp0", 5, { vendorId: "0416", productId: "5011", product: "POS58 Printer" });
  await writeFile(join(roots.dev, "usb/lp0"), "");
  // A serial adapter whose node is gone (unplugged between the two reads) is not listed.
  await addUsbSerialAdapter(roots.sys, "ttyUSB9", 3, { vendorId: "067b", productId: "2303" });
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe("discovery from sysfs", () => {
  it("finds serial, HID and printer devices with USB identity, and tells a UPS from a keyboard", async () => {
    const udevMissing = Object.assign(new Error("spawn udevadm ENOENT"), { code: "ENOENT" });
    const { devices, notes } = await discoverDevices({
      roots,
      listSerialPorts: () => Promise.reject(udevMissing),
    });
    const by = (p: string) => devices.find((d) => d.path === join(roots.dev, p));
    expect(by("ttyUSB0")).toMatchObject({
      kind: "serial",
      vendorId: "0403",
      productId: "6001",
      serialNumber: "A50285BI",
      manufacturer: "FTDI",
      aliases: [join(roots.dev, "serial/by-id/usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0")],
      accessible: true,
      source: "sysfs",
    });
    expect(by("hidraw0")).toMatchObject({
      kind: "hid",
      vendorId: "051d",
      productId: "0002",
      serialNumber: "5B2109T81980",
      ups: true,
    });
    expect(by("hidraw1")).toMatchObject({ kind: "hid", vendorId: "046d", ups: false });
    expect(by("usb/lp0")).toMatchObject({
      kind: "printer",
      vendorId: "0416",
      productId: "5011",
      product: "POS58 Printer",
    });
    expect(by("ttyUSB9")).toBeUndefined();
    expect(devices).toHaveLength(4);
    expect(notes.join()).toMatch(/udevadm ENOENT.*used \/sys/);
  });

  it("adds configured paths as aliases or as devices of their own", async () => {
    await symlink(join(roots.dev, "usb/lp0"), join(root, "station-printer"));
    await writeFile(join(root, "pty-scanner"), "");
    const { devices } = await discoverDevices({
      roots,
      probePaths: [
        { path: join(root, "station-printer"), kind: "printer" },
        { path: join(root, "pty-scanner"), kind: "serial" },
        { path: join(root, "not-plugged"), kind: "serial" },
      ],
    });
    expect(devices.find((d) => d.path === join(roots.dev, "usb/lp0"))?.aliases).toEqual([
      join(root, "station-printer"),
    ]);
    expect(devices.find((d) => d.path === join(root, "pty-scanner"))).toMatchObject({
      kind: "serial",
      source: "path",
    });
    expect(devices.some((d) => d.path.endsWith("not-plugged"))).toBe(false);
  });

  it("uses serialport's list() when it works, to fill in what sysfs missed", async () => {
    const { devices } = await discoverDevices({
      roots,
      listSerialPorts: async () => [
        { path: join(roots.dev, "ttyUSB0"), vendorId: "0403", productId: "6001" },
      ],
    });
    expect(devices.filter((d) => d.path === join(roots.dev, "ttyUSB0"))).toHaveLength(1);
  });
});
