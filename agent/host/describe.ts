import type { FilesystemUse } from "./host-system.js";
import type { HostHealthSettings, HostSnapshot } from "./host-health.js";
import type { Note } from "../i18n/note.js";
import { hostEnglish } from "./host-words.js";
import { smartProblem } from "./parse.js";

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
 * What is worth acting on about the PC, for station staff and the district technician, each with what to
 * do; as notes so `status` can say them in the reader's language. An empty list means the PC is fine.
 */
export function hostNotes(h: HostSnapshot, s: HostHealthSettings): Note[] {
  const notes: Note[] = [];
  const data = new Set(s.dataPaths.map((p) => filesystemOf(p, h.filesystems)).filter((f) => f !== undefined));
  for (const f of h.filesystems) {
    const inodePct =
      f.inodesTotal && f.inodesFree !== null ? (100 * (f.inodesTotal - f.inodesFree)) / f.inodesTotal : 0;
    const isData = data.has(f);
    if (f.usePct >= s.diskLowPct)
      notes.push({
        key: isData ? "pc.disk.dataFull" : "pc.disk.full",
        params: { mount: f.mount, pct: Math.round(f.usePct), free: (f.availableBytes / GB).toFixed(1) },
      });
    else if (inodePct >= s.diskLowPct)
      notes.push({
        key: isData ? "pc.disk.dataInodes" : "pc.disk.inodes",
        params: { mount: f.mount, pct: Math.round(inodePct) },
      });
  }
  for (const r of h.smart ?? []) {
    const why = smartProblem(r);
    if (why) notes.push({ key: "pc.smartFailing", params: { disk: r.model ?? r.device, why } });
  }
  if (h.cpuTemperatureC !== null && h.cpuTemperatureC >= s.overheatC)
    notes.push({ key: "pc.hot", params: { temp: Math.round(h.cpuTemperatureC) } });
  if (h.timeSync?.synchronised === false) notes.push({ key: "pc.clockUnsynced" });
  if (h.memory && h.memory.swapTotalBytes > 0 && h.memory.swapUsedBytes / h.memory.swapTotalBytes > 0.8)
    notes.push({ key: "pc.memoryLow" });
  if (h.updates && h.updates.security > 0)
    notes.push({ key: "pc.securityUpdates", params: { count: h.updates.security } });
  return notes;
}

/** The same in English: the `pc` lines of the status API, as older CLIs and scripts read them. */
export function describeHost(h: HostSnapshot, s: HostHealthSettings): string[] {
  return hostNotes(h, s).map(hostEnglish);
}

export interface HostCheck {
  ok: boolean | null;
  what: Note;
  fix?: Note;
}

/** One line per check for `doctor`, with the unknowns said as such (words: doctor.pc.* in en.ts). */
export function hostChecks(h: HostSnapshot, s: HostHealthSettings): HostCheck[] {
  const checks: HostCheck[] = [];
  const data = s.dataPaths.map((p) => filesystemOf(p, h.filesystems));
  for (const [i, f] of data.entries()) {
    if (!f) continue;
    const ok = f.usePct < s.diskLowPct;
    checks.push({
      ok,
      what: {
        key: "doctor.pc.disk",
        params: {
          path: s.dataPaths[i]!,
          mount: f.mount,
          pct: Math.round(f.usePct),
          free: (f.availableBytes / GB).toFixed(1),
        },
      },
      ...(ok ? {} : { fix: { key: "doctor.pc.disk.fix" } }),
    });
  }
  if (h.smart === null)
    checks.push({
      ok: null,
      what: { key: "doctor.pc.smartUnknown" },
      fix: { key: "doctor.pc.smartUnknown.fix" },
    });
  else
    for (const r of h.smart) {
      const why = smartProblem(r);
      const disk = r.model ?? r.device;
      checks.push(
        why
          ? {
              ok: false,
              what: { key: "doctor.pc.smartBad", params: { disk, why } },
              fix: { key: "doctor.pc.smartBad.fix" },
            }
          : { ok: true, what: { key: "doctor.pc.smartOk", params: { disk } } },
      );
    }
  const ts = h.timeSync;
  if (ts) {
    const nothing: Note = { key: "doctor.pc.nothing" };
    const server: Note = ts.server ? { key: "doctor.pc.timeServer", params: { server: ts.server } } : nothing;
    const offset: Note =
      ts.offsetMs !== null ? { key: "doctor.pc.timeOffset", params: { ms: ts.offsetMs } } : nothing;
    checks.push({
      ok: ts.synchronised,
      what:
        ts.source === "none"
          ? { key: "doctor.pc.timeNone" }
          : {
              key: ts.synchronised ? "doctor.pc.timeSynced" : "doctor.pc.timeUnsynced",
              params: { source: ts.source, server, offset },
            },
      ...(ts.synchronised ? {} : { fix: { key: "doctor.pc.time.fix" } }),
    });
  }
  if (h.cpuTemperatureC !== null) {
    const ok = h.cpuTemperatureC < s.overheatC;
    checks.push({
      ok,
      what: { key: "doctor.pc.cpu", params: { temp: Math.round(h.cpuTemperatureC) } },
      ...(ok ? {} : { fix: { key: "doctor.pc.cpu.fix" } }),
    });
  }
  return checks;
}
