import Database from "better-sqlite3";
import type { DailyRow, GapRow, StationRow } from "../model.js";
import {
  dailyValues,
  deviceValues,
  eventValues,
  gapValues,
  groupBy,
  linkValues,
  outageValues,
  periodRows,
  powerValues,
  SQL,
  stationValues,
  statusValues,
  table,
  TABLES,
  toDaily,
  toDevice,
  toEvent,
  toGap,
  toLiveness,
  toLink,
  toOutage,
  toPower,
  toStation,
  toStatus,
  type DbRow,
  type TableDef,
} from "./rows.js";
import type { HistoryBundle, Liveness, Storage, TimeRange, WriteBatch } from "./storage.js";

const SQLITE_TYPES = { text: "TEXT", int: "INTEGER", real: "REAL", bool: "INTEGER" } as const;

function ddl(t: TableDef): string[] {
  const cols = t.cols.map(([n, ty]) => `${n} ${SQLITE_TYPES[ty]}`);
  if (t.serial) cols.unshift("id INTEGER PRIMARY KEY AUTOINCREMENT");
  if (t.key) cols.push(`PRIMARY KEY (${t.key.join(", ")})`);
  return [
    `CREATE TABLE IF NOT EXISTS ${t.name} (${cols.join(", ")})`,
    ...t.indexes.map(
      (ix) => `CREATE INDEX IF NOT EXISTS ${t.name}_${ix.join("_")} ON ${t.name} (${ix.join(", ")})`,
    ),
  ];
}

function insertSql(t: TableDef): string {
  const names = t.cols.map(([n]) => n);
  const base = `INSERT INTO ${t.name} (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")})`;
  if (!t.key) return base;
  const updates = names.filter((n) => !t.key?.includes(n)).map((n) => `${n} = excluded.${n}`);
  return `${base} ON CONFLICT (${t.key.join(", ")}) DO UPDATE SET ${updates.join(", ")}`;
}

/** better-sqlite3 binds booleans only as numbers. */
const bind = (values: unknown[]): unknown[] => values.map((v) => (typeof v === "boolean" ? (v ? 1 : 0) : v));

/** Embedded default: one file, WAL, no set-up. better-sqlite3 is synchronous; batches keep each call short. */
export class SqliteStorage implements Storage {
  readonly kind = "sqlite" as const;
  private db!: Database.Database;
  private readonly stmts = new Map<string, Database.Statement>();

  constructor(private readonly path: string) {}

  async init(): Promise<void> {
    this.db = new Database(this.path);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("busy_timeout = 5000");
    this.db.transaction(() => {
      for (const t of TABLES) for (const sql of ddl(t)) this.db.exec(sql);
    })();
  }

  async close(): Promise<void> {
    if (this.db?.open) this.db.close();
  }

  private stmt(sql: string): Database.Statement {
    let s = this.stmts.get(sql);
    if (!s) this.stmts.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  private all(sql: string, ...params: unknown[]): DbRow[] {
    return this.stmt(sql).all(...bind(params)) as DbRow[];
  }

  private insertAll<T>(name: string, rows: T[], values: (r: T) => unknown[]): void {
    if (rows.length === 0) return;
    const s = this.stmt(insertSql(table(name)));
    for (const r of rows) s.run(...bind(values(r)));
  }

  async write(b: WriteBatch): Promise<void> {
    this.db.transaction(() => {
      this.insertAll("stations", b.stations, stationValues);
      const live = this.stmt(SQL.updateLiveness);
      for (const l of b.liveness) live.run(l.lastSeen, l.lastSeq ?? null, l.id);
      this.insertAll("status_history", b.statusChanges, statusValues);
      this.insertAll("link_history", b.linkChanges, linkValues);
      this.insertAll("device_history", b.deviceChanges, deviceValues);
      this.insertAll("power_history", b.powerChanges, powerValues);
      this.insertAll("events", b.events, eventValues);
      this.insertAll("outages", b.outages, outageValues);
      this.insertAll("gaps", b.gaps, gapValues);
    })();
  }

  async loadStations(): Promise<StationRow[]> {
    return this.all("SELECT * FROM stations ORDER BY id").map(toStation);
  }

  async liveness(ids: string[]): Promise<Map<string, Liveness>> {
    const out = new Map<string, Liveness>();
    for (const id of ids) {
      const row = this.all(SQL.liveness, id)[0];
      if (row) out.set(id, toLiveness(row));
    }
    return out;
  }

  async loadOpenGaps(): Promise<GapRow[]> {
    return this.all(SQL.openGaps).map(toGap);
  }

  async statusHistory(station: string, r: TimeRange) {
    return this.all(SQL.statusHistory, station, r.from, r.to, station, r.from).map(toStatus);
  }

  async linkHistory(station: string, r: TimeRange) {
    return this.all(SQL.linkHistory, station, r.from, r.to, station, r.from).map(toLink);
  }

  async deviceHistory(station: string, r: TimeRange) {
    return this.all(SQL.deviceHistory, station, r.from, r.to).map(toDevice);
  }

  async powerHistory(station: string, r: TimeRange) {
    return this.all(SQL.powerHistory, station, r.from, r.to).map(toPower);
  }

  async outages(station: string, r: TimeRange) {
    return this.all(SQL.outages, station, r.to, r.from).map(toOutage);
  }

  async recentEvents(station: string, limit: number) {
    return this.all(SQL.recentEvents, station, limit).map(toEvent);
  }

  async gaps(station: string, limit: number) {
    return this.all(SQL.gaps, station, limit).map(toGap);
  }

  async historyForRange(r: TimeRange): Promise<Map<string, HistoryBundle>> {
    const status = groupBy(this.all(SQL.allStatus, r.from, r.to, r.from).map(toStatus));
    const links = groupBy(this.all(SQL.allLinks, r.from, r.to, r.from).map(toLink));
    const outages = groupBy(this.all(SQL.allOutages, r.to, r.from).map(toOutage));
    const out = new Map<string, HistoryBundle>();
    for (const id of new Set([...status.keys(), ...links.keys(), ...outages.keys()])) {
      out.set(id, {
        status: status.get(id) ?? [],
        links: links.get(id) ?? [],
        outages: outages.get(id) ?? [],
      });
    }
    return out;
  }

  async upsertDaily(rows: DailyRow[]): Promise<void> {
    this.db.transaction(() => this.insertAll("daily", rows, dailyValues))();
  }

  async periodTotals(fromDay: string, toDay: string): Promise<DailyRow[]> {
    return periodRows(
      fromDay,
      toDay,
      this.all(SQL.periodTotals, fromDay, toDay),
      this.all(SQL.periodDistricts, fromDay, toDay),
      this.all(SQL.periodLinks, fromDay, toDay),
    );
  }

  async daily(fromDay: string, toDay: string, station?: string): Promise<DailyRow[]> {
    const rows = station
      ? this.all(SQL.dailyStation, fromDay, toDay, station)
      : this.all(SQL.daily, fromDay, toDay);
    return rows.map(toDaily);
  }

  async getMeta(key: string): Promise<string | undefined> {
    const row = this.all(SQL.getMeta, key)[0];
    return row ? String(row.value) : undefined;
  }

  async setMeta(key: string, value: string): Promise<void> {
    this.stmt(insertSql(table("meta"))).run(key, value);
  }

  async prune(before: number): Promise<number> {
    let n = 0;
    this.db.transaction(() => {
      for (const sql of SQL.prune) {
        const params = Array<number>(sql.split("?").length - 1).fill(before);
        n += this.stmt(sql).run(...params).changes;
      }
    })();
    return n;
  }

  async query(sql: string, params: unknown[]): Promise<DbRow[]> {
    return this.all(sql, ...params);
  }

  async run(sql: string, params: unknown[]): Promise<number> {
    return this.stmt(sql).run(...bind(params)).changes;
  }

  /** Bytes in use (pages minus free pages, WAL content included): growth, not file-size noise. */
  async sizeBytes(): Promise<number> {
    const pages = Number(this.db.pragma("page_count", { simple: true }));
    const free = Number(this.db.pragma("freelist_count", { simple: true }));
    const size = Number(this.db.pragma("page_size", { simple: true }));
    return (pages - free) * size;
  }
}
