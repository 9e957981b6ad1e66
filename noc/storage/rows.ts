/** Column layout shared by the SQLite and PostgreSQL stores, and the mapping to and from NOC records. */
import type {
  DailyRow,
  DeviceChange,
  EventRow,
  GapRow,
  LinkChange,
  OutageRow,
  PowerChange,
  ProbableCause,
  StationRow,
  Status,
  StatusChange,
} from "../model.js";
import type { OutageCause } from "../../contract/index.js";
import type { Liveness } from "./storage.js";
import { AUTH_TABLES } from "../auth/tables.js";

export type DbRow = Record<string, unknown>;
type Col = [name: string, type: "text" | "int" | "real" | "bool"];

/** Table name, columns (all stored in this order), primary key columns (upsert target), indexes. */
export interface TableDef {
  name: string;
  cols: Col[];
  key?: string[];
  serial?: boolean;
  indexes: string[][];
}

export const TABLES: TableDef[] = [
  {
    name: "stations",
    cols: [
      ["id", "text"],
      ["name", "text"],
      ["district", "text"],
      ["registered", "bool"],
      ["first_seen", "int"],
      ["last_seen", "int"],
      ["status", "text"],
      ["status_since", "int"],
      ["cause", "text"],
      ["cause_detail", "text"],
      ["last_seq", "int"],
      ["info", "text"],
    ],
    key: ["id"],
    indexes: [],
  },
  {
    name: "status_history",
    cols: [
      ["station", "text"],
      ["at", "int"],
      ["status", "text"],
      ["cause", "text"],
      ["link", "text"],
      ["reason", "text"],
    ],
    serial: true,
    indexes: [["station", "at"], ["at"]],
  },
  {
    name: "link_history",
    cols: [
      ["station", "text"],
      ["link", "text"],
      ["at", "int"],
      ["state", "text"],
      ["active", "bool"],
      ["role", "text"],
    ],
    serial: true,
    indexes: [["station", "link", "at"], ["at"]],
  },
  {
    name: "device_history",
    cols: [
      ["station", "text"],
      ["device", "text"],
      ["kind", "text"],
      ["at", "int"],
      ["health", "text"],
      ["reason", "text"],
    ],
    serial: true,
    indexes: [["station", "at"]],
  },
  {
    name: "power_history",
    cols: [
      ["station", "text"],
      ["at", "int"],
      ["source", "text"],
      ["state", "text"],
    ],
    serial: true,
    indexes: [["station", "at"]],
  },
  {
    name: "events",
    cols: [
      ["station", "text"],
      ["seq", "int"],
      ["time", "int"],
      ["received_at", "int"],
      ["type", "text"],
      ["data", "text"],
      ["historical", "bool"],
    ],
    key: ["station", "seq"],
    indexes: [["received_at"]],
  },
  {
    name: "outages",
    cols: [
      ["station", "text"],
      ["start_at", "int"],
      ["end_at", "int"],
      ["cause", "text"],
      ["link", "text"],
      ["seq", "int"],
      ["evidence", "text"],
    ],
    key: ["station", "start_at"],
    indexes: [["end_at"]],
  },
  {
    name: "gaps",
    cols: [
      ["station", "text"],
      ["from_seq", "int"],
      ["to_seq", "int"],
      ["status", "text"],
      ["detected_at", "int"],
      ["closed_at", "int"],
      ["remaining", "text"],
      ["lost", "int"],
      ["requests", "int"],
      ["last_request_at", "int"],
    ],
    key: ["station", "from_seq"],
    indexes: [["status"]],
  },
  {
    name: "daily",
    cols: [
      ["station", "text"],
      ["day", "text"],
      ["district", "text"],
      ["window_s", "real"],
      ["up_s", "real"],
      ["unknown_s", "real"],
      ["backup_s", "real"],
      ["power_s", "real"],
      ["network_s", "real"],
      ["agent_s", "real"],
      ["unattributed_s", "real"],
      ["links", "text"],
    ],
    key: ["station", "day"],
    indexes: [["day"]],
  },
  {
    name: "meta",
    cols: [
      ["key", "text"],
      ["value", "text"],
    ],
    key: ["key"],
    indexes: [],
  },
  ...AUTH_TABLES,
];

export function table(name: string): TableDef {
  const t = TABLES.find((x) => x.name === name);
  if (!t) throw new Error(`no table ${name}`);
  return t;
}

const opt = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);
const num = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : Number(v));
const bool = (v: unknown): boolean => v === true || v === 1 || v === "1" || v === "t";

// Values in TABLES column order.
export const stationValues = (s: StationRow): unknown[] => [
  s.id,
  s.name ?? null,
  s.district ?? null,
  s.registered,
  s.firstSeen ?? null,
  s.lastSeen ?? null,
  s.status,
  s.statusSince,
  s.cause ?? null,
  s.causeDetail ?? null,
  s.lastSeq ?? null,
  JSON.stringify(s.info),
];
export const statusValues = (c: StatusChange): unknown[] => [
  c.station,
  c.at,
  c.status,
  c.cause ?? null,
  c.link ?? null,
  c.reason ?? null,
];
export const linkValues = (c: LinkChange): unknown[] => [c.station, c.link, c.at, c.state, c.active, c.role];
export const deviceValues = (c: DeviceChange): unknown[] => [
  c.station,
  c.device,
  c.kind,
  c.at,
  c.health,
  c.reason ?? null,
];
export const powerValues = (c: PowerChange): unknown[] => [c.station, c.at, c.source, c.state];
export const eventValues = (e: EventRow): unknown[] => [
  e.station,
  e.seq,
  e.time,
  e.receivedAt,
  e.type,
  JSON.stringify(e.data),
  e.historical,
];
export const outageValues = (o: OutageRow): unknown[] => [
  o.station,
  o.start,
  o.end,
  o.cause,
  o.link ?? null,
  o.seq ?? null,
  JSON.stringify(o.evidence),
];
export const gapValues = (g: GapRow): unknown[] => [
  g.station,
  g.fromSeq,
  g.toSeq,
  g.status,
  g.detectedAt,
  g.closedAt ?? null,
  JSON.stringify(g.remaining),
  g.lost,
  g.requests,
  g.lastRequestAt ?? null,
];
export const dailyValues = (d: DailyRow): unknown[] => [
  d.station,
  d.day,
  d.district,
  d.windowS,
  d.upS,
  d.unknownS,
  d.backupS,
  d.down.power,
  d.down.network,
  d.down.agent,
  d.down.unattributed,
  JSON.stringify(d.networkLinks),
];

export const toStation = (r: DbRow): StationRow => ({
  id: String(r.id),
  name: opt(r.name as string | null),
  district: opt(r.district as string | null),
  registered: bool(r.registered),
  firstSeen: num(r.first_seen),
  lastSeen: num(r.last_seen),
  status: r.status as Status,
  statusSince: Number(r.status_since),
  cause: opt(r.cause as ProbableCause | null),
  causeDetail: opt(r.cause_detail as string | null),
  lastSeq: num(r.last_seq),
  info: JSON.parse(String(r.info)) as StationRow["info"],
});
export const toStatus = (r: DbRow): StatusChange => ({
  station: String(r.station),
  at: Number(r.at),
  status: r.status as Status,
  cause: opt(r.cause as ProbableCause | null),
  link: opt(r.link as string | null),
  reason: opt(r.reason as string | null),
});
export const toLink = (r: DbRow): LinkChange => ({
  station: String(r.station),
  link: String(r.link),
  at: Number(r.at),
  state: String(r.state),
  active: bool(r.active),
  role: r.role as LinkChange["role"],
});
export const toDevice = (r: DbRow): DeviceChange => ({
  station: String(r.station),
  device: String(r.device),
  kind: String(r.kind),
  at: Number(r.at),
  health: String(r.health),
  reason: opt(r.reason as string | null),
});
export const toPower = (r: DbRow): PowerChange => ({
  station: String(r.station),
  at: Number(r.at),
  source: String(r.source),
  state: String(r.state),
});
export const toEvent = (r: DbRow): EventRow => ({
  station: String(r.station),
  seq: Number(r.seq),
  time: Number(r.time),
  receivedAt: Number(r.received_at),
  type: String(r.type),
  data: JSON.parse(String(r.data)) as Record<string, unknown>,
  historical: bool(r.historical),
});
export const toOutage = (r: DbRow): OutageRow => ({
  station: String(r.station),
  start: Number(r.start_at),
  end: Number(r.end_at),
  cause: r.cause as OutageCause,
  link: opt(r.link as string | null),
  seq: num(r.seq),
  evidence: JSON.parse(String(r.evidence)) as Record<string, unknown>,
});
export const toGap = (r: DbRow): GapRow => ({
  station: String(r.station),
  fromSeq: Number(r.from_seq),
  toSeq: Number(r.to_seq),
  status: r.status as GapRow["status"],
  detectedAt: Number(r.detected_at),
  closedAt: num(r.closed_at),
  remaining: JSON.parse(String(r.remaining)) as GapRow["remaining"],
  lost: Number(r.lost),
  requests: Number(r.requests),
  lastRequestAt: num(r.last_request_at),
});
export const toDaily = (r: DbRow): DailyRow => ({
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
  networkLinks: JSON.parse(String(r.links)) as Record<string, number>,
});

/** The queries both stores run, with `?` placeholders (the PostgreSQL store numbers them). */
export const SQL = {
  statusHistory: `SELECT * FROM status_history WHERE station = ? AND at >= ? AND at < ?
    UNION ALL SELECT * FROM (SELECT * FROM status_history WHERE station = ? AND at < ? ORDER BY at DESC, id DESC LIMIT 1) p
    ORDER BY at, id`,
  linkHistory: `SELECT * FROM link_history WHERE station = ? AND at >= ? AND at < ?
    UNION ALL SELECT l.* FROM link_history l JOIN (SELECT link, MAX(id) AS id FROM link_history
      WHERE station = ? AND at < ? GROUP BY link) m ON l.id = m.id
    ORDER BY at, id`,
  deviceHistory: `SELECT * FROM device_history WHERE station = ? AND at >= ? AND at < ? ORDER BY at, id`,
  powerHistory: `SELECT * FROM power_history WHERE station = ? AND at >= ? AND at < ? ORDER BY at, id`,
  outages: `SELECT * FROM outages WHERE station = ? AND start_at < ? AND end_at > ? ORDER BY start_at`,
  recentEvents: `SELECT * FROM events WHERE station = ? ORDER BY seq DESC LIMIT ?`,
  gaps: `SELECT * FROM gaps WHERE station = ? ORDER BY from_seq DESC LIMIT ?`,
  openGaps: `SELECT * FROM gaps WHERE status = 'open' ORDER BY station, from_seq`,
  allStatus: `SELECT * FROM status_history WHERE at >= ? AND at < ?
    UNION ALL SELECT s.* FROM status_history s JOIN (SELECT station, MAX(id) AS id FROM status_history
      WHERE at < ? GROUP BY station) m ON s.id = m.id
    ORDER BY station, at, id`,
  allLinks: `SELECT * FROM link_history WHERE at >= ? AND at < ?
    UNION ALL SELECT l.* FROM link_history l JOIN (SELECT MAX(id) AS id FROM link_history
      WHERE at < ? GROUP BY station, link) m ON l.id = m.id
    ORDER BY station, at, id`,
  allOutages: `SELECT * FROM outages WHERE start_at < ? AND end_at > ? ORDER BY station, start_at`,
  daily: `SELECT * FROM daily WHERE day >= ? AND day <= ? ORDER BY station, day`,
  dailyStation: `SELECT * FROM daily WHERE day >= ? AND day <= ? AND station = ? ORDER BY day`,
  getMeta: `SELECT value FROM meta WHERE key = ?`,
  liveness: `SELECT id, last_seen, last_seq FROM stations WHERE id = ? AND last_seen IS NOT NULL`,
  updateLiveness: `UPDATE stations SET last_seen = ?, last_seq = COALESCE(?, last_seq) WHERE id = ?`,
  periodTotals: `SELECT station, MAX(day) AS day, SUM(window_s) AS window_s, SUM(up_s) AS up_s, SUM(unknown_s) AS unknown_s,
      SUM(backup_s) AS backup_s, SUM(power_s) AS power_s, SUM(network_s) AS network_s, SUM(agent_s) AS agent_s,
      SUM(unattributed_s) AS unattributed_s
    FROM daily WHERE day >= ? AND day <= ? GROUP BY station ORDER BY station`,
  periodDistricts: `SELECT d.station, d.district FROM daily d JOIN (SELECT station, MAX(day) AS day FROM daily
      WHERE day >= ? AND day <= ? GROUP BY station) m ON d.station = m.station AND d.day = m.day`,
  periodLinks: `SELECT station, links FROM daily WHERE day >= ? AND day <= ? AND links <> '{}'`,
  /** Keeps each station's (and each link's) last change before the cutoff: it is the state at the cutoff. */
  prune: [
    `DELETE FROM events WHERE received_at < ?`,
    `DELETE FROM status_history WHERE at < ? AND id NOT IN (SELECT MAX(id) FROM status_history WHERE at < ? GROUP BY station)`,
    `DELETE FROM link_history WHERE at < ? AND id NOT IN (SELECT MAX(id) FROM link_history WHERE at < ? GROUP BY station, link)`,
    `DELETE FROM device_history WHERE at < ?`,
    `DELETE FROM power_history WHERE at < ?`,
    `DELETE FROM gaps WHERE status <> 'open' AND closed_at < ?`,
  ],
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
): DailyRow[] {
  const districtOf = new Map(districts.map((r) => [String(r.station), String(r.district)]));
  const linksOf = new Map<string, Record<string, number>>();
  for (const r of links) {
    const acc = linksOf.get(String(r.station)) ?? {};
    for (const [l, s] of Object.entries(JSON.parse(String(r.links)) as Record<string, number>))
      acc[l] = (acc[l] ?? 0) + s;
    linksOf.set(String(r.station), acc);
  }
  return totals.map((r) => ({
    ...toDaily({ ...r, district: districtOf.get(String(r.station)) ?? "", links: "{}" }),
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
