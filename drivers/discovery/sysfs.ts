/**
 * Reading device identity from sysfs, without udevadm: every class device (tty, hidraw, usbmisc)
 * links to its place in /sys/devices, and the USB device above it carries idVendor, idProduct and
 * serial. Roots are parameters so tests can lay out a tree of their own.
 */
import { constants as fsConstants } from "node:fs";
import { access, readFile, readdir, readlink, realpath, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";

export interface DiscoveryRoots {
  /** Default /sys. */
  sys: string;
  /** Default /dev. */
  dev: string;
}

export const DEFAULT_ROOTS: DiscoveryRoots = { sys: "/sys", dev: "/dev" };

export type DiscoveredKind = "serial" | "hid" | "printer";

export interface DiscoveredDevice {
  kind: DiscoveredKind;
  /** The device node, e.g. /dev/ttyUSB0, /dev/hidraw1, /dev/usb/lp0, or a configured link. */
  path: string;
  /** The node after following symlinks; the key used to tell devices apart. */
  realPath: string;
  /** Other names for the same node: /dev/serial/by-id links, configured links. */
  aliases: string[];
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
  manufacturer?: string;
  product?: string;
  /** Kernel driver of the interface (usb-serial driver, usblp, usbhid). */
  driver?: string;
  /** HID only: the report descriptor starts a Power Device / Battery System application collection. */
  ups?: boolean;
  /** Whether this process may open the node for reading and writing. */
  accessible: boolean;
  source: "sysfs" | "serialport" | "path";
}

export interface UsbIdentity {
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
  manufacturer?: string;
  product?: string;
}

async function readAttr(dir: string, name: string): Promise<string | undefined> {
  try {
    const v = (await readFile(join(dir, name), "utf8")).trim();
    return v.length > 0 ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Walk up from a sysfs device directory to the USB device (the one with idVendor). */
export async function usbIdentityAbove(deviceDir: string, sysRoot: string): Promise<UsbIdentity> {
  let dir: string;
  try {
    dir = await realpath(deviceDir);
  } catch {
    return {};
  }
  const top = resolve(sysRoot);
  for (let depth = 0; depth < 12 && dir.startsWith(top) && dir !== top; depth++) {
    const vendorId = await readAttr(dir, "idVendor");
    if (vendorId) {
      const id: UsbIdentity = { vendorId: vendorId.toLowerCase() };
      const productId = await readAttr(dir, "idProduct");
      const serialNumber = await readAttr(dir, "serial");
      const manufacturer = await readAttr(dir, "manufacturer");
      const product = await readAttr(dir, "product");
      if (productId) id.productId = productId.toLowerCase();
      if (serialNumber) id.serialNumber = serialNumber;
      if (manufacturer) id.manufacturer = manufacturer;
      if (product) id.product = product;
      return id;
    }
    dir = dirname(dir);
  }
  return {};
}

/** The kernel driver bound to a class device's parent (e.g. ftdi_sio, cdc_acm, usblp). */
export async function driverOf(deviceDir: string): Promise<string | undefined> {
  try {
    const link = await readlink(join(deviceDir, "driver"));
    return link.split("/").pop();
  } catch {
    return undefined;
  }
}

export async function listDir(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch {
    return [];
  }
}

export async function canReadWrite(path: string): Promise<boolean> {
  try {
    await access(path, fsConstants.R_OK | fsConstants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

export async function realPathOr(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    return path;
  }
}

export { readAttr };
