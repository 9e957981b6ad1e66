/** Serial ports, hidraw nodes and USB printers as sysfs lists them. No udevadm involved. */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseReportDescriptor } from "../ups/report-descriptor.js";
import {
  canReadWrite,
  driverOf,
  exists,
  listDir,
  readAttr,
  realPathOr,
  usbIdentityAbove,
  type DiscoveredDevice,
  type DiscoveryRoots,
} from "./sysfs.js";

/** The names node-serialport keeps (bindings-cpp linux-list), plus rfcomm. */
const SERIAL_NAME = /^(ttyS|ttyUSB|ttyACM|ttyAMA|ttyXRUSB|ttyWCH|ttyMFD|ttyO|rfcomm)\d+$/;

export async function listSerialPortsFromSysfs(roots: DiscoveryRoots): Promise<DiscoveredDevice[]> {
  const byId = await serialByIdLinks(roots.dev);
  const out: DiscoveredDevice[] = [];
  for (const name of await listDir(join(roots.sys, "class/tty"))) {
    if (!SERIAL_NAME.test(name)) continue;
    const classDir = join(roots.sys, "class/tty", name);
    const deviceDir = join(classDir, "device");
    if (!(await exists(deviceDir))) continue; // virtual consoles and ptys have no device
    // 8250 placeholders (ttyS1..31 on most PCs) exist without a UART: type 0 is PORT_UNKNOWN.
    if (name.startsWith("ttyS") && (await readAttr(classDir, "type")) === "0") continue;
    const path = join(roots.dev, name);
    if (!(await exists(path))) continue;
    const realPath = await realPathOr(path);
    const driver = await driverOf(deviceDir);
    out.push({
      kind: "serial",
      path,
      realPath,
      aliases: byId.get(realPath) ?? [],
      ...(await usbIdentityAbove(deviceDir, roots.sys)),
      ...(driver ? { driver } : {}),
      accessible: await canReadWrite(path),
      source: "sysfs",
    });
  }
  return out;
}

/** /dev/serial/by-id links, by the node they point at (udev makes them; absent without udev). */
async function serialByIdLinks(dev: string): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>();
  const dir = join(dev, "serial/by-id");
  for (const name of await listDir(dir)) {
    const link = join(dir, name);
    const target = await realPathOr(link);
    map.set(target, [...(map.get(target) ?? []), link]);
  }
  return map;
}

export async function listHidrawFromSysfs(roots: DiscoveryRoots): Promise<DiscoveredDevice[]> {
  const out: DiscoveredDevice[] = [];
  for (const name of await listDir(join(roots.sys, "class/hidraw"))) {
    if (!/^hidraw\d+$/.test(name)) continue;
    const deviceDir = join(roots.sys, "class/hidraw", name, "device");
    const path = join(roots.dev, name);
    if (!(await exists(path))) continue;
    const id = await usbIdentityAbove(deviceDir, roots.sys);
    // Not every HID device sits on USB (i2c-hid, Bluetooth): the HID uevent still names it.
    const uevent = await hidUevent(deviceDir);
    const driver = await driverOf(deviceDir);
    const vendorId = id.vendorId ?? uevent.vendorId;
    const productId = id.productId ?? uevent.productId;
    out.push({
      kind: "hid",
      path,
      realPath: await realPathOr(path),
      aliases: [],
      ...(vendorId ? { vendorId } : {}),
      ...(productId ? { productId } : {}),
      ...(id.serialNumber || uevent.serialNumber
        ? { serialNumber: id.serialNumber ?? uevent.serialNumber }
        : {}),
      ...(id.manufacturer ? { manufacturer: id.manufacturer } : {}),
      ...(id.product || uevent.name ? { product: id.product ?? uevent.name } : {}),
      ...(driver ? { driver } : {}),
      ups: await looksLikeUps(join(deviceDir, "report_descriptor")),
      accessible: await canReadWrite(path),
      source: "sysfs",
    });
  }
  return out;
}

async function hidUevent(deviceDir: string): Promise<{
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
  name?: string;
}> {
  const text = await readAttr(deviceDir, "uevent");
  if (!text) return {};
  const get = (k: string) => text.match(new RegExp(`^${k}=(.*)$`, "m"))?.[1]?.trim();
  const hidId = get("HID_ID")?.match(/^[0-9A-Fa-f]+:([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8})$/);
  const uniq = get("HID_UNIQ");
  const name = get("HID_NAME");
  return {
    ...(hidId
      ? { vendorId: hidId[1]!.slice(4).toLowerCase(), productId: hidId[2]!.slice(4).toLowerCase() }
      : {}),
    ...(uniq ? { serialNumber: uniq } : {}),
    ...(name ? { name } : {}),
  };
}

async function looksLikeUps(descriptorFile: string): Promise<boolean> {
  try {
    const desc = parseReportDescriptor(await readFile(descriptorFile));
    return desc.fields.some((f) => f.path[0] !== undefined && f.path[0] >>> 16 === 0x84);
  } catch {
    return false;
  }
}

/** USB printer class devices (usblp): /sys/class/usbmisc/lpN -> /dev/usb/lpN. */
export async function listUsbPrintersFromSysfs(roots: DiscoveryRoots): Promise<DiscoveredDevice[]> {
  const out: DiscoveredDevice[] = [];
  const seen = new Set<string>();
  // Older kernels put usblp under /sys/class/usb.
  for (const cls of ["class/usbmisc", "class/usb"]) {
    for (const name of await listDir(join(roots.sys, cls))) {
      if (!/^lp\d+$/.test(name) || seen.has(name)) continue;
      seen.add(name);
      const deviceDir = join(roots.sys, cls, name, "device");
      const path = join(roots.dev, "usb", name);
      if (!(await exists(path))) continue;
      const driver = await driverOf(deviceDir);
      out.push({
        kind: "printer",
        path,
        realPath: await realPathOr(path),
        aliases: [],
        ...(await usbIdentityAbove(deviceDir, roots.sys)),
        ...(driver ? { driver } : {}),
        accessible: await canReadWrite(path),
        source: "sysfs",
      });
    }
  }
  return out;
}
