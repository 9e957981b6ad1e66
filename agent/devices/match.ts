/**
 * Which plugged-in device is which configured device. Pure. A config entry names its device by USB
 * vendor id (+ product id, + serial number), by path, or both; a UPS with neither takes the first
 * HID UPS. Each discovered device goes to at most one entry, the most specific first.
 */
import type { DeviceConfig } from "../../config/devices.js";
import type { DiscoveredDevice, DiscoveredKind } from "../../drivers/discovery/discover.js";

/** The path a config entry names (fingerprint/printer `port`, UPS `path`). */
export function configuredPath(d: DeviceConfig): string | undefined {
  if (d.kind === "ups") return d.path;
  if (d.kind === "printer") return d.port ?? d.device;
  return d.port;
}

/** Whether inventory can see this device at all (RD service / MFS100 are HTTP, a network printer is TCP). */
export function isLocallyAttached(d: DeviceConfig): boolean {
  if (d.kind === "fingerprint" && d.driver !== "r30x") return d.vendorId !== undefined;
  if (d.kind === "printer" && d.tcp !== undefined) return false;
  return true;
}

export function discoveredKindFor(d: DeviceConfig): DiscoveredKind {
  if (d.kind === "ups") return "hid";
  if (d.kind === "printer")
    return d.device !== undefined || (d.port && /\/(usb\/)?lp\d+$/.test(d.port)) ? "printer" : "serial";
  return "serial";
}

/** Paths from the config that discovery should probe (links that no sysfs class lists). */
export function probePathsFor(devices: readonly DeviceConfig[]): { path: string; kind: DiscoveredKind }[] {
  return devices.flatMap((d) => {
    const path = configuredPath(d);
    return path ? [{ path, kind: discoveredKindFor(d) }] : [];
  });
}

function specificity(d: DeviceConfig): number {
  return (
    (d.serialNumber ? 4 : 0) + (d.productId ? 2 : 0) + (d.vendorId ? 1 : 0) + (configuredPath(d) ? 1 : 0)
  );
}

function pathMatches(path: string, dev: DiscoveredDevice): boolean {
  return dev.path === path || dev.realPath === path || dev.aliases.includes(path);
}

function idsMatch(cfg: DeviceConfig, dev: DiscoveredDevice): boolean {
  if (cfg.vendorId && dev.vendorId !== cfg.vendorId) return false;
  if (cfg.productId && dev.productId !== cfg.productId) return false;
  if (cfg.serialNumber && dev.serialNumber !== cfg.serialNumber) return false;
  return true;
}

function kindFits(cfg: DeviceConfig, dev: DiscoveredDevice): boolean {
  if (cfg.kind === "ups") return dev.kind === "hid";
  // Printers come as usblp nodes or as USB-serial adapters; scanners as serial or (MFS100) raw USB/HID.
  return cfg.kind === "printer" ? dev.kind !== "hid" : true;
}

export function matchDevices(
  configs: readonly DeviceConfig[],
  discovered: readonly DiscoveredDevice[],
): Map<string, DiscoveredDevice | undefined> {
  const result = new Map<string, DiscoveredDevice | undefined>();
  const taken = new Set<DiscoveredDevice>();
  const order = [...configs].sort((a, b) => specificity(b) - specificity(a));
  for (const cfg of order) {
    const path = configuredPath(cfg);
    const hasIds =
      cfg.vendorId !== undefined || cfg.productId !== undefined || cfg.serialNumber !== undefined;
    const free = discovered.filter((d) => !taken.has(d) && kindFits(cfg, d));
    let found: DiscoveredDevice | undefined;
    if (hasIds) {
      const byIds = free.filter((d) => idsMatch(cfg, d));
      // Two identical adapters: the path (if given) says which one.
      found = (path ? byIds.find((d) => pathMatches(path, d)) : undefined) ?? byIds[0];
    } else if (path) {
      found = free.find((d) => pathMatches(path, d));
    } else if (cfg.kind === "ups") {
      found = free.find((d) => d.ups === true);
    }
    if (found) taken.add(found);
    result.set(cfg.id, found);
  }
  return result;
}

/** A stable key for one plugged-in device, for noticing arrivals and departures between scans. */
export function deviceKey(d: DiscoveredDevice): string {
  return [d.kind, d.realPath, d.vendorId ?? "", d.productId ?? "", d.serialNumber ?? ""].join("|");
}
