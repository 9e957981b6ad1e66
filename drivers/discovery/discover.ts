/**
 * One list of every serial port, HID device and USB printer on the machine, with USB identity.
 * sysfs is the source of truth; node-serialport's list() (which needs udevadm) only adds what sysfs
 * missed, and only when it works. Paths from the config are probed too, so a device reached through a
 * link (udev alias, a test's pty) is found even when no class directory names it.
 */
import { listHidrawFromSysfs, listSerialPortsFromSysfs, listUsbPrintersFromSysfs } from "./class-devices.js";
import {
  canReadWrite,
  DEFAULT_ROOTS,
  exists,
  realPathOr,
  type DiscoveredDevice,
  type DiscoveredKind,
  type DiscoveryRoots,
} from "./sysfs.js";

export type { DiscoveredDevice, DiscoveredKind, DiscoveryRoots } from "./sysfs.js";

/** What node-serialport's list() returns, as drivers/transport/serial.ts hands it on. */
export interface ListedSerialPort {
  path: string;
  manufacturer?: string;
  serialNumber?: string;
  vendorId?: string;
  productId?: string;
}

export interface DiscoverOptions {
  roots?: Partial<DiscoveryRoots>;
  /** e.g. listSerialPorts from drivers/transport/serial.ts; its rejection (no udevadm) is noted, not fatal. */
  listSerialPorts?: () => Promise<ListedSerialPort[]>;
  /** Configured device paths to probe, with the kind the config says they are. */
  probePaths?: { path: string; kind: DiscoveredKind }[];
}

export interface DiscoveryResult {
  devices: DiscoveredDevice[];
  /** Things station staff or `doctor` may want to know (e.g. udevadm missing, sysfs unreadable). */
  notes: string[];
}

export async function discoverDevices(options: DiscoverOptions = {}): Promise<DiscoveryResult> {
  const roots: DiscoveryRoots = { ...DEFAULT_ROOTS, ...options.roots };
  const notes: string[] = [];
  const lists = await Promise.all([
    listSerialPortsFromSysfs(roots),
    listHidrawFromSysfs(roots),
    listUsbPrintersFromSysfs(roots),
  ]);
  const devices = lists.flat();
  const byReal = new Map(devices.map((d) => [d.realPath, d]));

  if (options.listSerialPorts) {
    try {
      for (const p of await options.listSerialPorts()) {
        const realPath = await realPathOr(p.path);
        const known = byReal.get(realPath);
        if (known) {
          known.vendorId ??= p.vendorId?.toLowerCase();
          known.productId ??= p.productId?.toLowerCase();
          known.serialNumber ??= p.serialNumber;
          known.manufacturer ??= p.manufacturer;
          dropUndefined(known);
          continue;
        }
        const d: DiscoveredDevice = {
          kind: "serial",
          path: p.path,
          realPath,
          aliases: [],
          ...(p.vendorId ? { vendorId: p.vendorId.toLowerCase() } : {}),
          ...(p.productId ? { productId: p.productId.toLowerCase() } : {}),
          ...(p.serialNumber ? { serialNumber: p.serialNumber } : {}),
          ...(p.manufacturer ? { manufacturer: p.manufacturer } : {}),
          accessible: await canReadWrite(p.path),
          source: "serialport",
        };
        devices.push(d);
        byReal.set(realPath, d);
      }
    } catch (e) {
      notes.push(
        `serial port list from udev unavailable (${e instanceof Error ? e.message : String(e)}); used /sys`,
      );
    }
  }

  for (const probe of options.probePaths ?? []) {
    if (!(await exists(probe.path))) continue;
    const realPath = await realPathOr(probe.path);
    const known = byReal.get(realPath);
    if (known) {
      if (known.path !== probe.path && !known.aliases.includes(probe.path)) known.aliases.push(probe.path);
      continue;
    }
    const d: DiscoveredDevice = {
      kind: probe.kind,
      path: probe.path,
      realPath,
      aliases: [],
      accessible: await canReadWrite(probe.path),
      source: "path",
    };
    devices.push(d);
    byReal.set(realPath, d);
  }

  if (!(await exists(`${roots.sys}/class`)))
    notes.push(`${roots.sys}/class is not readable: is sysfs mounted?`);
  return { devices, notes };
}

function dropUndefined(d: DiscoveredDevice): void {
  for (const k of Object.keys(d) as (keyof DiscoveredDevice)[]) if (d[k] === undefined) delete d[k];
}
