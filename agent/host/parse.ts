/**
 * Pure readers for what the station PC's own tools print. Kept apart from the processes that produce the
 * text so each format is tested on real samples without the tool installed.
 */
import { hostEnglish } from "./host-words.js";
import type { Note } from "../i18n/note.js";

export interface SmartAttribute {
  id: number;
  name: string;
  raw: number;
}

export interface SmartReport {
  device: string;
  model: string | null;
  serial: string | null;
  /** The drive's own overall verdict (SMART "PASSED"/"FAILED"); null when it gives none. */
  passed: boolean | null;
  temperatureC: number | null;
  powerOnHours: number | null;
  /** The attributes that predict failure (Backblaze's and smartmontools' usual set), raw values. */
  reallocatedSectors: number | null;
  pendingSectors: number | null;
  offlineUncorrectable: number | null;
  /** NVMe: percentage of rated endurance used, and media errors. */
  wearPct: number | null;
  mediaErrors: number | null;
}

/** Attribute ids that count sectors the drive could not read or had to move. */
const REALLOCATED = 5;
const PENDING = 197;
const UNCORRECTABLE = 198;

/** `smartctl --json -i -H -A DEVICE` (smartmontools 7+); throws on text that is not its JSON. */
export function parseSmartctlJson(device: string, text: string): SmartReport {
  const j = JSON.parse(text) as SmartctlJson;
  const table = j.ata_smart_attributes?.table ?? [];
  const raw = (id: number): number | null => {
    const a = table.find((t) => t.id === id);
    return a && typeof a.raw?.value === "number" ? a.raw.value : null;
  };
  const nvme = j.nvme_smart_health_information_log;
  return {
    device,
    model: j.model_name ?? null,
    serial: j.serial_number ?? null,
    passed: typeof j.smart_status?.passed === "boolean" ? j.smart_status.passed : null,
    temperatureC: typeof j.temperature?.current === "number" ? j.temperature.current : null,
    powerOnHours: typeof j.power_on_time?.hours === "number" ? j.power_on_time.hours : null,
    reallocatedSectors: raw(REALLOCATED),
    pendingSectors: raw(PENDING),
    offlineUncorrectable: raw(UNCORRECTABLE),
    wearPct: typeof nvme?.percentage_used === "number" ? nvme.percentage_used : null,
    mediaErrors: typeof nvme?.media_errors === "number" ? nvme.media_errors : null,
  };
}

interface SmartctlJson {
  model_name?: string;
  serial_number?: string;
  smart_status?: { passed?: boolean };
  temperature?: { current?: number };
  power_on_time?: { hours?: number };
  ata_smart_attributes?: { table?: { id: number; name: string; raw?: { value?: number } }[] };
  nvme_smart_health_information_log?: { percentage_used?: number; media_errors?: number };
}

/** `smartctl --scan --json`: the device names smartctl can ask. */
export function parseSmartctlScan(text: string): string[] {
  const j = JSON.parse(text) as { devices?: { name?: string }[] };
  return (j.devices ?? []).flatMap((d) => (typeof d.name === "string" ? [d.name] : []));
}

/** Why a drive is failing, in words, or null when nothing predicts failure. */
/** Why a drive is failing, as a note (agent/i18n/host-en.ts), or null when it is healthy. */
export function smartProblem(r: SmartReport): Note | null {
  if (r.passed === false) return { key: "smart.failed" };
  const bad = (r.reallocatedSectors ?? 0) + (r.pendingSectors ?? 0) + (r.offlineUncorrectable ?? 0);
  if (bad > 0) return { key: "smart.badSectors", params: { n: bad } };
  if ((r.mediaErrors ?? 0) > 0) return { key: "smart.mediaErrors", params: { n: r.mediaErrors! } };
  if ((r.wearPct ?? 0) >= 100) return { key: "smart.wornOut", params: { pct: r.wearPct! } };
  return null;
}

/** The same in English, for events and logs. */
export function smartFailure(r: SmartReport): string | null {
  const p = smartProblem(r);
  return p && hostEnglish(p);
}

/**
 * `apt-get -s upgrade` (a simulation: no lock, no change): the packages that would be upgraded, and how
 * many come from a security suite ("Inst pkg [old] (new Debian-Security:12/stable-security [amd64])").
 */
export function parseAptSimulation(text: string): { upgradable: number; security: number } {
  let upgradable = 0;
  let security = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith("Inst ")) continue;
    upgradable++;
    if (/security/i.test(line)) security++;
  }
  return { upgradable, security };
}

export interface TimeSync {
  source: "timesyncd" | "chrony" | "none";
  synchronised: boolean | null;
  offsetMs: number | null;
  server: string | null;
}

/** `timedatectl show` (NTPSynchronized=yes) plus `timedatectl timesync-status` (Server:, Offset:). */
export function parseTimedatectl(show: string, timesyncStatus: string): TimeSync {
  const sync = /^NTPSynchronized=(yes|no)$/m.exec(show)?.[1];
  const server = /^\s*Server:\s*(\S+)(?:\s+\(([^)]+)\))?/m.exec(timesyncStatus);
  const offset = /^\s*Offset:\s*([+-]?[\d.]+)(us|ms|s|min)\b/m.exec(timesyncStatus);
  return {
    source: "timesyncd",
    synchronised: sync === undefined ? null : sync === "yes",
    offsetMs: offset ? Number(offset[1]) * UNIT_MS[offset[2]!]! : null,
    server: server ? (server[2] ?? server[1]!) : null,
  };
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, min: 60_000 };

/**
 * `chronyc -c tracking`: comma-separated, field 2 the reference's name, field 5 the system time's offset
 * in seconds, field 14 the leap status ("Normal" when synchronised, "Not synchronised" otherwise).
 */
export function parseChronycTracking(text: string): TimeSync {
  const f = text.trim().split(",");
  if (f.length < 14) throw new Error(`chronyc tracking: expected 14 fields, got ${f.length}`);
  const offsetS = Number(f[4]);
  const leap = f[13]!;
  return {
    source: "chrony",
    synchronised: leap !== "Not synchronised",
    offsetMs: Number.isFinite(offsetS) ? Math.round(offsetS * 1e6) / 1e3 : null,
    server: f[1] || f[0] || null,
  };
}
