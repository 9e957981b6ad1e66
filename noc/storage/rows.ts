/** The mapping between NOC records and table rows, by column name. The tables are made by migrations/. */
import type * as M from "../model.js";
import type { OutageCause } from "../../contract/index.js";
import type { DbRow, NamedRow } from "./dialect.js";
import type { Liveness } from "./storage.js";

const opt = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);
const num = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : Number(v));
const bool = (v: unknown): boolean => v === true || v === 1 || v === "1" || v === "t";

/** Each table's record codec: `encode` names every column it writes, `decode` reads a row back. */
export interface TableCodec<T> {
  table: string;
  /** Upsert target; tables without one append. */
  key?: string[];
  encode(x: T): NamedRow;
  decode(r: DbRow): T;
}

export const stations: TableCodec<M.StationRow> = {
  table: "stations",
  key: ["id"],
  encode: (s) => ({
    id: s.id,
    name: s.name ?? null,
    district: s.district ?? null,
    registered: s.registered,
    first_seen: s.firstSeen ?? null,
    last_seen: s.lastSeen ?? null,
    status: s.status,
    status_since: s.statusSince,
    cause: s.cause ?? null,
    cause_detail: s.causeDetail ?? null,
    cause_detail_code: s.causeDetailCoded ? JSON.stringify(s.causeDetailCoded) : null,
    last_seq: s.lastSeq ?? null,
    info: JSON.stringify(s.info),
  }),
  decode: (r) => ({
    id: String(r.id),
    name: opt(r.name as string | null),
    district: opt(r.district as string | null),
    registered: bool(r.registered),
    firstSeen: num(r.first_seen),
    lastSeen: num(r.last_seen),
    status: r.status as M.Status,
    statusSince: Number(r.status_since),
    cause: opt(r.cause as M.ProbableCause | null),
    causeDetail: opt(r.cause_detail as string | null),
    ...(typeof r.cause_detail_code === "string"
      ? { causeDetailCoded: JSON.parse(r.cause_detail_code) as M.CodedText }
      : {}),
    lastSeq: num(r.last_seq),
    info: JSON.parse(String(r.info)) as M.StationRow["info"],
  }),
};

export const statusHistory: TableCodec<M.StatusChange> = {
  table: "status_history",
  encode: (c) => ({
    station: c.station,
    at: c.at,
    status: c.status,
    cause: c.cause ?? null,
    link: c.link ?? null,
    reason: c.reason ?? null,
  }),
  decode: (r) => ({
    station: String(r.station),
    at: Number(r.at),
    status: r.status as M.Status,
    cause: opt(r.cause as M.ProbableCause | null),
    link: opt(r.link as string | null),
    reason: opt(r.reason as string | null),
  }),
};

export const linkHistory: TableCodec<M.LinkChange> = {
  table: "link_history",
  encode: (c) => ({
    station: c.station,
    link: c.link,
    at: c.at,
    state: c.state,
    active: c.active,
    role: c.role,
  }),
  decode: (r) => ({
    station: String(r.station),
    link: String(r.link),
    at: Number(r.at),
    state: String(r.state),
    active: bool(r.active),
    role: r.role as M.LinkChange["role"],
  }),
};

export const deviceHistory: TableCodec<M.DeviceChange> = {
  table: "device_history",
  encode: (c) => ({
    station: c.station,
    device: c.device,
    kind: c.kind,
    at: c.at,
    health: c.health,
    reason: c.reason ?? null,
  }),
  decode: (r) => ({
    station: String(r.station),
    device: String(r.device),
    kind: String(r.kind),
    at: Number(r.at),
    health: String(r.health),
    reason: opt(r.reason as string | null),
  }),
};

export const powerHistory: TableCodec<M.PowerChange> = {
  table: "power_history",
  encode: (c) => ({ station: c.station, at: c.at, source: c.source, state: c.state }),
  decode: (r) => ({
    station: String(r.station),
    at: Number(r.at),
    source: String(r.source),
    state: String(r.state),
  }),
};

export const events: TableCodec<M.EventRow> = {
  table: "events",
  key: ["station", "seq"],
  encode: (e) => ({
    station: e.station,
    seq: e.seq,
    time: e.time,
    received_at: e.receivedAt,
    type: e.type,
    data: JSON.stringify(e.data),
    historical: e.historical,
  }),
  decode: (r) => ({
    station: String(r.station),
    seq: Number(r.seq),
    time: Number(r.time),
    receivedAt: Number(r.received_at),
    type: String(r.type),
    data: JSON.parse(String(r.data)) as Record<string, unknown>,
    historical: bool(r.historical),
  }),
};

export const outages: TableCodec<M.OutageRow> = {
  table: "outages",
  key: ["station", "start_at"],
  encode: (o) => ({
    station: o.station,
    start_at: o.start,
    end_at: o.end,
    cause: o.cause,
    link: o.link ?? null,
    seq: o.seq ?? null,
    evidence: JSON.stringify(o.evidence),
  }),
  decode: (r) => ({
    station: String(r.station),
    start: Number(r.start_at),
    end: Number(r.end_at),
    cause: r.cause as OutageCause,
    link: opt(r.link as string | null),
    seq: num(r.seq),
    evidence: JSON.parse(String(r.evidence)) as Record<string, unknown>,
  }),
};

export const gaps: TableCodec<M.GapRow> = {
  table: "gaps",
  key: ["station", "from_seq"],
  encode: (g) => ({
    station: g.station,
    from_seq: g.fromSeq,
    to_seq: g.toSeq,
    status: g.status,
    detected_at: g.detectedAt,
    closed_at: g.closedAt ?? null,
    remaining: JSON.stringify(g.remaining),
    lost: g.lost,
    requests: g.requests,
    last_request_at: g.lastRequestAt ?? null,
  }),
  decode: (r) => ({
    station: String(r.station),
    fromSeq: Number(r.from_seq),
    toSeq: Number(r.to_seq),
    status: r.status as M.GapRow["status"],
    detectedAt: Number(r.detected_at),
    closedAt: num(r.closed_at),
    remaining: JSON.parse(String(r.remaining)) as M.GapRow["remaining"],
    lost: Number(r.lost),
    requests: Number(r.requests),
    lastRequestAt: num(r.last_request_at),
  }),
};

export const daily: TableCodec<M.DailyRow> = {
  table: "daily",
  key: ["station", "day"],
  encode: (d) => ({
    station: d.station,
    day: d.day,
    district: d.district,
    window_s: d.windowS,
    up_s: d.upS,
    unknown_s: d.unknownS,
    backup_s: d.backupS,
    power_s: d.down.power,
    network_s: d.down.network,
    agent_s: d.down.agent,
    unattributed_s: d.down.unattributed,
    planned_s: d.plannedS,
    links: JSON.stringify(d.networkLinks),
  }),
  decode: (r) => ({
    station: String(r.station),
    day: String(r.day),
    district: String(r.district),
    windowS: Number(r.window_s),
    upS: Number(r.up_s),
    unknownS: Number(r.unknown_s),
    backupS: Number(r.backup_s),
    down: {
      power: Number(r.power_s),
      network: Number(r.network_s),
      agent: Number(r.agent_s),
      unattributed: Number(r.unattributed_s),
    },
    plannedS: Number(r.planned_s ?? 0),
    networkLinks: JSON.parse(String(r.links)) as Record<string, number>,
  }),
};

export const toLiveness = (r: DbRow): Liveness => ({
  id: String(r.id),
  lastSeen: Number(r.last_seen),
  ...(r.last_seq === null || r.last_seq === undefined ? {} : { lastSeq: Number(r.last_seq) }),
});

/** Folds the three period queries into one summed row per station. */
export function periodRows(
  fromDay: string,
  toDay: string,
  totals: DbRow[],
  districts: DbRow[],
  links: DbRow[],
): M.DailyRow[] {
  const districtOf = new Map(districts.map((r) => [String(r.station), String(r.district)]));
  const linksOf = new Map<string, Record<string, number>>();
  for (const r of links) {
    const acc = linksOf.get(String(r.station)) ?? {};
    for (const [l, s] of Object.entries(JSON.parse(String(r.links)) as Record<string, number>))
      acc[l] = (acc[l] ?? 0) + s;
    linksOf.set(String(r.station), acc);
  }
  return totals.map((r) => ({
    ...daily.decode({ ...r, district: districtOf.get(String(r.station)) ?? "", links: "{}" }),
    day: `${fromDay}..${toDay}`,
    networkLinks: linksOf.get(String(r.station)) ?? {},
  }));
}

/** Assumes history ids grow with time within a station, which holds because the collector appends in order. */
export function groupBy<T extends { station: string }>(rows: T[]): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) {
    let list = m.get(r.station);
    if (!list) m.set(r.station, (list = []));
    list.push(r);
  }
  return m;
}
