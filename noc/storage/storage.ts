import type {
  DailyRow,
  DeviceChange,
  EventRow,
  GapRow,
  LinkChange,
  OutageRow,
  PowerChange,
  StationRow,
  StatusChange,
} from "../model.js";
import type { AlertEventRow, AlertRow, AlertWrite, MaintenanceRow, OutboxRow } from "../alerts/model.js";

export interface Liveness {
  id: string;
  lastSeen: number;
  lastSeq?: number;
}

/** Everything the collector has to persist since the last flush; written in one transaction. */
export interface WriteBatch {
  /** Full station rows (current truth changed). */
  stations: StationRow[];
  /** Liveness only (last heard, last seq) of stations whose row exists: a narrow, cheap update. */
  liveness: Liveness[];
  statusChanges: StatusChange[];
  linkChanges: LinkChange[];
  deviceChanges: DeviceChange[];
  powerChanges: PowerChange[];
  events: EventRow[];
  outages: OutageRow[];
  gaps: GapRow[];
}

export function emptyBatch(): WriteBatch {
  return {
    stations: [],
    liveness: [],
    statusChanges: [],
    linkChanges: [],
    deviceChanges: [],
    powerChanges: [],
    events: [],
    outages: [],
    gaps: [],
  };
}

export function batchSize(b: WriteBatch): number {
  return (
    b.stations.length +
    b.liveness.length +
    b.statusChanges.length +
    b.linkChanges.length +
    b.deviceChanges.length +
    b.powerChanges.length +
    b.events.length +
    b.outages.length +
    b.gaps.length
  );
}

/** What the availability computation needs about one station over a window. */
export interface HistoryBundle {
  status: StatusChange[];
  outages: OutageRow[];
  links: LinkChange[];
}

export interface TimeRange {
  from: number;
  to: number;
}

/**
 * The NOC's storage. SQLite (embedded, default) and PostgreSQL implement it and pass the same contract
 * suite (test/integration/noc-storage.contract.ts). Times are epoch milliseconds; days are `YYYY-MM-DD`
 * in the NOC's time zone. Writes are idempotent: events by (station, seq), outages by (station, start),
 * gaps by (station, fromSeq), daily rows by (station, day), stations by id.
 */
export interface Storage {
  readonly kind: "sqlite" | "postgres";
  init(): Promise<void>;
  close(): Promise<void>;
  write(batch: WriteBatch): Promise<void>;

  loadStations(): Promise<StationRow[]>;
  /** Last heard and last seq of these stations as stored (by any collector sharing this storage). */
  liveness(ids: string[]): Promise<Map<string, Liveness>>;
  loadOpenGaps(): Promise<GapRow[]>;

  /** Status changes in [from, to), preceded by the last change before `from` when there is one. */
  statusHistory(station: string, range: TimeRange): Promise<StatusChange[]>;
  /** Link changes in [from, to), preceded by each link's last change before `from`. */
  linkHistory(station: string, range: TimeRange): Promise<LinkChange[]>;
  deviceHistory(station: string, range: TimeRange): Promise<DeviceChange[]>;
  powerHistory(station: string, range: TimeRange): Promise<PowerChange[]>;
  /** Outage records overlapping [from, to), by start. */
  outages(station: string, range: TimeRange): Promise<OutageRow[]>;
  /** Newest first. */
  recentEvents(station: string, limit: number): Promise<EventRow[]>;
  /** Newest first. */
  gaps(station: string, limit: number): Promise<GapRow[]>;

  /** The availability inputs of every station with any history overlapping the range, in bulk. */
  historyForRange(range: TimeRange): Promise<Map<string, HistoryBundle>>;

  upsertDaily(rows: DailyRow[]): Promise<void>;
  /** Each station's daily rows over fromDay..toDay summed (a month): `day` is "fromDay..toDay" and
   * `district` the station's latest. */
  periodTotals(fromDay: string, toDay: string): Promise<DailyRow[]>;
  /** Daily rows with fromDay <= day <= toDay, optionally of one station. */
  daily(fromDay: string, toDay: string, station?: string): Promise<DailyRow[]>;

  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;

  /** Alerts, their events, outbox rows and maintenance windows, in one transaction (upserts by id). */
  writeAlerts(w: AlertWrite): Promise<void>;
  /** Alerts not resolved, and those resolved at or after `resolvedSince`, newest first. */
  loadAlerts(resolvedSince: number, limit: number): Promise<AlertRow[]>;
  alertEvents(alertId: string): Promise<AlertEventRow[]>;
  /** Pending notifications due at `now`, oldest first. */
  dueOutbox(now: number, limit: number): Promise<OutboxRow[]>;
  /** Windows not ended whose end is after `after`, and those ended after it. */
  loadMaintenance(after: number): Promise<MaintenanceRow[]>;

  /** Deletes events and change history older than `before`; daily rows and outages are kept. */
  prune(before: number): Promise<number>;
  /** Bytes on disk (SQLite pages in use, or the PostgreSQL schema's tables and indexes). */
  sizeBytes(): Promise<number>;

  /**
   * Portable SQL (`?` placeholders, no booleans) for the few-row tables outside the collector's write
   * path: users, sessions, API tokens, audit (noc/auth/store.ts). `run` returns the rows changed.
   */
  query(sql: string, params: unknown[]): Promise<Record<string, unknown>[]>;
  run(sql: string, params: unknown[]): Promise<number>;
}

/** Storage's methods that a proxy forwards as they are (the SQLite worker thread). */
export const FORWARDED_METHODS = [
  "write",
  "loadStations",
  "liveness",
  "loadOpenGaps",
  "statusHistory",
  "linkHistory",
  "deviceHistory",
  "powerHistory",
  "outages",
  "recentEvents",
  "gaps",
  "historyForRange",
  "upsertDaily",
  "periodTotals",
  "daily",
  "getMeta",
  "setMeta",
  "prune",
  "sizeBytes",
  "writeAlerts",
  "loadAlerts",
  "alertEvents",
  "dueOutbox",
  "loadMaintenance",
  "query",
  "run",
] as const satisfies readonly (keyof Storage)[];

export type ForwardedMethod = (typeof FORWARDED_METHODS)[number];

// A method added to Storage but not to the list above fails to compile here.
type Unlisted = Exclude<keyof Storage, ForwardedMethod | "kind" | "init" | "close">;
const _allMethodsListed: [Unlisted] extends [never] ? true : Unlisted = true;
