/**
 * Pure readers for the kernel's own files (/proc/self/mounts, /proc/meminfo, thermal zones). The daemon
 * reads these every minute or few; reading them itself costs no process and no library (see
 * host-system.ts for why systeminformation is kept to the start-up facts).
 */

export interface Mount {
  device: string;
  mount: string;
  fsType: string;
}

/** The kernel escapes space, tab, newline and backslash in mount fields as octal (\040 ...). */
const unescape = (field: string) =>
  field.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

/** /proc/self/mounts: one entry per mount point, the last mount on a point winning (it is the visible one). */
export function parseMounts(text: string): Mount[] {
  const byPoint = new Map<string, Mount>();
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length < 3 || !f[1]!.startsWith("/")) continue;
    const m = { device: unescape(f[0]!), mount: unescape(f[1]!), fsType: f[2]! };
    byPoint.delete(m.mount);
    byPoint.set(m.mount, m);
  }
  return [...byPoint.values()];
}

export interface MemInfo {
  totalBytes: number;
  availableBytes: number;
  swapTotalBytes: number;
  swapUsedBytes: number;
}

/** /proc/meminfo (kB figures); MemAvailable exists since Linux 3.14. Throws when MemTotal is missing. */
export function parseMeminfo(text: string): MemInfo {
  const kb = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = /^(\w+(?:\(\w+\))?):\s+(\d+)/.exec(line);
    if (m) kb.set(m[1]!, Number(m[2]) * 1024);
  }
  const total = kb.get("MemTotal");
  if (total === undefined) throw new Error("/proc/meminfo has no MemTotal");
  const available = kb.get("MemAvailable") ?? (kb.get("MemFree") ?? 0) + (kb.get("Cached") ?? 0);
  const swapTotal = kb.get("SwapTotal") ?? 0;
  return {
    totalBytes: total,
    availableBytes: available,
    swapTotalBytes: swapTotal,
    swapUsedBytes: Math.max(0, swapTotal - (kb.get("SwapFree") ?? 0)),
  };
}

/** Thermal zone and hwmon names that measure the CPU package (Intel, AMD, ARM boards). */
const CPU_SENSOR = /^(x86_pkg_temp|coretemp|k10temp|zenpower|cpu[-_]thermal|soc[-_]thermal|acpitz)$/;

/**
 * The CPU's temperature from sensors read as (name, millidegrees text): the hottest CPU sensor, or null
 * when there is none (a virtual machine, a board without drivers). Out-of-range readings are dropped.
 */
export function cpuTemperatureFrom(readings: { name: string; milli: string }[]): number | null {
  const temps = readings
    .filter((r) => CPU_SENSOR.test(r.name.trim()))
    .map((r) => Number(r.milli.trim()) / 1000)
    .filter((c) => Number.isFinite(c) && c > -40 && c < 150);
  return temps.length > 0 ? Math.max(...temps) : null;
}
