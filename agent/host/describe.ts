import type { FilesystemUse } from "./host-system.js";
import type { HostHealthSettings, HostSnapshot } from "./host-health.js";
import { smartFailure } from "./parse.js";

/** The filesystem a path lives on: the mount point that is the longest prefix of it. */
export function filesystemOf(path: string, filesystems: readonly FilesystemUse[]): FilesystemUse | undefined {
  let best: FilesystemUse | undefined;
  for (const f of filesystems) {
    const prefix = f.mount.endsWith("/") ? f.mount : `${f.mount}/`;
    if (
      (path === f.mount || path.startsWith(prefix) || f.mount === "/") &&
      f.mount.length > (best?.mount.length ?? -1)
    )
      best = f;
  }
  return best;
}

const GB = 1e9;

/**
 * Plain words for station staff and the district technician: only what is worth acting on, each with
 * what to do. An empty list means the PC itself is fine.
 */
export type HostLines = string[];

export function describeHost(h: HostSnapshot, s: HostHealthSettings): HostLines {
  const lines: string[] = [];
  const data = new Set(s.dataPaths.map((p) => filesystemOf(p, h.filesystems)).filter((f) => f !== undefined));
  for (const f of h.filesystems) {
    const inodePct =
      f.inodesTotal && f.inodesFree !== null ? (100 * (f.inodesTotal - f.inodesFree)) / f.inodesTotal : 0;
    const which = data.has(f) ? "the disk holding the CCTNS data" : `the disk at ${f.mount}`;
    if (f.usePct >= s.diskLowPct)
      lines.push(
        `PC: ${which} is ${Math.round(f.usePct)} % full (${(f.availableBytes / GB).toFixed(1)} GB free). Delete old scans and downloads, or call the district technician.`,
      );
    else if (inodePct >= s.diskLowPct)
      lines.push(
        `PC: ${which} has too many small files (${Math.round(inodePct)} % of its file slots used). Call the district technician.`,
      );
  }
  for (const r of h.smart ?? []) {
    const why = smartFailure(r);
    if (why)
      lines.push(
        `PC: the hard disk ${r.model ?? r.device} is failing (${why}). Ask the district technician to copy the data and replace it soon.`,
      );
  }
  if (h.cpuTemperatureC !== null && h.cpuTemperatureC >= s.overheatC)
    lines.push(
      `PC: the processor is very hot (${Math.round(h.cpuTemperatureC)} °C). Check that the fan turns and the vents are not blocked by dust or papers.`,
    );
  if (h.timeSync?.synchronised === false)
    lines.push(
      "PC: the clock is not being corrected from the network, so times may be wrong. Call the district technician.",
    );
  if (h.memory && h.memory.swapTotalBytes > 0 && h.memory.swapUsedBytes / h.memory.swapTotalBytes > 0.8)
    lines.push(
      "PC: memory is nearly exhausted; the computer will be slow. Close programs that are not needed, or restart it.",
    );
  if (h.updates && h.updates.security > 0)
    lines.push(`PC: ${h.updates.security} security updates are waiting to be installed.`);
  return lines;
}

/** One line per check for `doctor`, with the unknowns said as such. */
export function hostChecks(
  h: HostSnapshot,
  s: HostHealthSettings,
): { ok: boolean | null; what: string; fix?: string }[] {
  const checks: { ok: boolean | null; what: string; fix?: string }[] = [];
  const data = s.dataPaths.map((p) => filesystemOf(p, h.filesystems));
  for (const [i, f] of data.entries()) {
    if (!f) continue;
    const ok = f.usePct < s.diskLowPct;
    checks.push({
      ok,
      what: `disk holding ${s.dataPaths[i]} (${f.mount}): ${Math.round(f.usePct)} % full, ${(f.availableBytes / GB).toFixed(1)} GB free`,
      ...(ok ? {} : { fix: "free space: remove old files under that disk, or add a larger disk" }),
    });
  }
  if (h.smart === null)
    checks.push({
      ok: null,
      what: "disk health (SMART): unknown",
      fix: "install smartmontools: apt-get install smartmontools",
    });
  else
    for (const r of h.smart) {
      const why = smartFailure(r);
      checks.push({
        ok: why === null,
        what: `disk ${r.model ?? r.device}: ${why ?? "healthy"}`,
        ...(why ? { fix: "copy the station's data and replace the drive" } : {}),
      });
    }
  if (h.timeSync)
    checks.push({
      ok: h.timeSync.synchronised,
      what:
        h.timeSync.source === "none"
          ? "clock synchronisation: no timesyncd or chrony found"
          : `clock synchronisation (${h.timeSync.source}): ${h.timeSync.synchronised ? "synchronised" : "NOT synchronised"}${h.timeSync.server ? ` with ${h.timeSync.server}` : ""}${h.timeSync.offsetMs !== null ? `, offset ${h.timeSync.offsetMs} ms` : ""}`,
      ...(h.timeSync.synchronised
        ? {}
        : { fix: "enable time sync: timedatectl set-ntp true (or configure chrony's server)" }),
    });
  if (h.cpuTemperatureC !== null)
    checks.push({
      ok: h.cpuTemperatureC < s.overheatC,
      what: `CPU temperature ${Math.round(h.cpuTemperatureC)} °C`,
      ...(h.cpuTemperatureC < s.overheatC
        ? {}
        : { fix: "clean the fan and vents; keep the PC out of direct sun" }),
    });
  return checks;
}
