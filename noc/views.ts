/** Read-only projections of the fleet for the API: summary, paged lists, one station's live truth. */
import type { Fleet } from "./fleet.js";
import type { CodedText, EventRow, GapRow, StationRow, Status } from "./model.js";
import { NO_DISTRICT } from "./ranking.js";
import { eventSentence } from "../contract/event-words.js";

export interface DistrictSummary {
  district: string;
  total: number;
  up: number;
  down: number;
  unknown: number;
  onBackup: number;
  onBattery: number;
  faultedDevices: number;
  /** Stations whose oldest sealed arrest booking has waited for the bureau longer than STUCK_BOOKING_S. */
  stuckBookings: number;
}

export interface Summary extends Omit<DistrictSummary, "district"> {
  districts: DistrictSummary[];
}

export interface StationListItem {
  id: string;
  name?: string;
  district: string;
  status: Status;
  since: string;
  cause?: string;
  causeDetail?: string;
  /** causeDetail as a stable code and parameters, for a page in another language (issue 18). */
  causeDetailCode?: string;
  causeDetailParams?: CodedText["params"];
  lastSeen?: string;
  activeLink?: string;
  onBackup: boolean;
  /** The UPS state word (`online`, `on-battery`, ...); the detail adds the whole `power` state. */
  powerState?: string;
  faulted: string[];
  agentVersion?: string;
  lastSeq?: number;
  openGaps: number;
  /** Sealed bookings not yet received by the bureau, and the oldest one's wait when it is stuck. */
  bookingsWaiting: number;
  bookingsStuckS?: number;
}

/** A booking is stuck when the bureau has not had it for an hour: links recover faster than that. */
export const STUCK_BOOKING_S = 3600;

export interface ListQuery {
  status?: Status | "dark";
  district?: string;
  q?: string;
  faulted?: boolean;
  sort?: "id" | "since" | "-since" | "district";
  offset: number;
  limit: number;
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

function activeLink(row: StationRow): { name?: string; backup: boolean } {
  const links = Object.values(row.info.links);
  const primary = links.find((l) => l.active && l.role === "primary");
  const backup = links.find((l) => l.active && l.role === "backup");
  const active = primary ?? backup;
  return { name: active?.link, backup: !primary && !!backup };
}

function faulted(row: StationRow): string[] {
  return Object.values(row.info.devices)
    .filter((d) => d.health === "faulted")
    .map((d) => d.device);
}

function stuckBookingS(row: StationRow): number | undefined {
  const age = row.info.metrics?.bookings?.oldestUnsentAgeS;
  return age !== undefined && age !== null && age >= STUCK_BOOKING_S ? age : undefined;
}

function onBattery(row: StationRow): boolean {
  const p = row.info.power;
  return (
    !!p &&
    (p.source === "battery" ||
      p.state === "on-battery" ||
      p.state === "battery-low" ||
      p.state === "shutdown-imminent")
  );
}

export function listItem(fleet: Fleet, row: StationRow): StationListItem {
  const link = activeLink(row);
  return {
    id: row.id,
    name: row.name,
    district: row.district ?? NO_DISTRICT,
    status: row.status,
    since: new Date(row.statusSince).toISOString(),
    cause: row.cause,
    causeDetail: row.causeDetail,
    causeDetailCode: row.causeDetailCoded?.code,
    causeDetailParams: row.causeDetailCoded?.params,
    lastSeen: iso(row.lastSeen),
    activeLink: link.name,
    onBackup: row.status === "up" && link.backup,
    powerState: row.info.power?.state,
    faulted: faulted(row),
    agentVersion: row.info.agentVersion,
    lastSeq: row.lastSeq,
    openGaps: fleet.stations.get(row.id)?.seq.gaps.length ?? 0,
    bookingsWaiting: row.info.metrics?.bookings?.spoolDepth ?? 0,
    ...(stuckBookingS(row) !== undefined ? { bookingsStuckS: stuckBookingS(row) } : {}),
  };
}

/** Counts of all stations, or of one district's (a district-scoped user's view). */
export function summary(fleet: Fleet, onlyDistrict?: string): Summary {
  const byDistrict = new Map<string, DistrictSummary>();
  const total: DistrictSummary = {
    district: "",
    total: 0,
    up: 0,
    down: 0,
    unknown: 0,
    onBackup: 0,
    onBattery: 0,
    faultedDevices: 0,
    stuckBookings: 0,
  };
  for (const { row } of fleet.stations.values()) {
    const name = row.district ?? NO_DISTRICT;
    if (onlyDistrict !== undefined && name !== onlyDistrict) continue;
    let d = byDistrict.get(name);
    if (!d)
      byDistrict.set(
        name,
        (d = {
          district: name,
          total: 0,
          up: 0,
          down: 0,
          unknown: 0,
          onBackup: 0,
          onBattery: 0,
          faultedDevices: 0,
          stuckBookings: 0,
        }),
      );
    const backup = row.status === "up" && activeLink(row).backup;
    const battery = row.status === "up" && onBattery(row);
    const nFaulted = faulted(row).length;
    for (const x of [d, total]) {
      x.total++;
      x[row.status]++;
      if (backup) x.onBackup++;
      if (battery) x.onBattery++;
      x.faultedDevices += nFaulted;
      if (stuckBookingS(row) !== undefined) x.stuckBookings++;
    }
  }
  const { district: _, ...totals } = total;
  return {
    ...totals,
    districts: [...byDistrict.values()].sort((a, b) => (a.district < b.district ? -1 : 1)),
  };
}

export function list(
  fleet: Fleet,
  q: ListQuery,
): { total: number; offset: number; limit: number; items: StationListItem[] } {
  const needle = q.q?.toLowerCase();
  const rows: StationRow[] = [];
  for (const { row } of fleet.stations.values()) {
    if (q.status === "dark" ? row.status === "up" : q.status && row.status !== q.status) continue;
    if (q.district && (row.district ?? NO_DISTRICT) !== q.district) continue;
    if (needle && !row.id.toLowerCase().includes(needle) && !(row.name ?? "").toLowerCase().includes(needle))
      continue;
    if (q.faulted && faulted(row).length === 0) continue;
    rows.push(row);
  }
  const sort = q.sort ?? "id";
  const byId = (a: StationRow, b: StationRow) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  rows.sort((a, b) => {
    if (sort === "since") return a.statusSince - b.statusSince || byId(a, b);
    if (sort === "-since") return b.statusSince - a.statusSince || byId(a, b);
    if (sort === "district") return (a.district ?? "").localeCompare(b.district ?? "") || byId(a, b);
    return byId(a, b);
  });
  return {
    total: rows.length,
    offset: q.offset,
    limit: q.limit,
    items: rows.slice(q.offset, q.offset + q.limit).map((r) => listItem(fleet, r)),
  };
}

/** One station's current state as the NOC holds it (history comes from storage separately). */
export function detail(fleet: Fleet, id: string) {
  const live = fleet.stations.get(id);
  if (!live) return undefined;
  const { row } = live;
  return {
    ...listItem(fleet, row),
    registered: row.registered,
    firstSeen: iso(row.firstSeen),
    info: {
      bootId: row.info.bootId,
      bootTime: row.info.bootTime,
      agentVersion: row.info.agentVersion,
      configHash: row.info.configHash,
      startedAt: row.info.startedAt,
      clockSynced: row.info.clockSynced,
      offlineCause: row.info.offlineCause,
      configFragment: row.info.configFragment ?? null,
      pc: row.info.pc ?? null,
    },
    links: Object.values(row.info.links),
    devices: Object.values(row.info.devices),
    power: row.info.power,
    uptime: row.info.uptime,
    metrics: row.info.metrics,
    gaps: live.seq.gaps.map(gapView),
  };
}

/** A stored event as the API shows it: times as ISO 8601, like every time the API returns outside charts. */
/**
 * `text` is the event as a sentence, with times left as RFC 3339 for the browser to show in its own zone;
 * null for a type this NOC does not know (the page shows the raw data).
 */
export function eventView(e: EventRow) {
  return {
    ...e,
    time: new Date(e.time).toISOString(),
    receivedAt: new Date(e.receivedAt).toISOString(),
    text: eventSentence(e.type, e.data, (t) => t) ?? null,
  };
}

export function gapView(g: GapRow) {
  return {
    ...g,
    detectedAt: new Date(g.detectedAt).toISOString(),
    closedAt: iso(g.closedAt),
    lastRequestAt: iso(g.lastRequestAt),
  };
}
