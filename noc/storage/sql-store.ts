import type { DailyRow, GapRow, StationRow } from "../model.js";
import { marks, type DbRow, type Dialect, type Queryable, type UpdateSpec } from "./dialect.js";
import { loadMigrations, migrate } from "./migrate.js";
import { SQL } from "./queries.js";
import * as rows from "./rows.js";
import * as alertRows from "./alert-rows.js";
import type { AlertEventRow, AlertRow, AlertWrite, MaintenanceRow, OutboxRow } from "../alerts/model.js";
import type { HistoryBundle, Liveness, Storage, TimeRange, WriteBatch } from "./storage.js";

/** Rows per `IN (...)` list: under SQLite's and PostgreSQL's bind parameter limits. */
const IN_CHUNK = 10_000;

const LIVENESS: UpdateSpec = {
  table: "stations",
  key: "id",
  set: { last_seen: "int", last_seq: "int" },
  keepWhenNull: ["last_seq"],
};

async function insert<T>(q: Queryable, codec: rows.TableCodec<T>, list: T[]): Promise<void> {
  if (list.length) await q.insertMany(codec.table, list.map(codec.encode), codec.key);
}

/**
 * The NOC's store, written once over a dialect (SQLite or PostgreSQL). Both pass the same contract suite
 * (test/integration/noc-storage.contract.ts).
 */
export class SqlStore implements Storage {
  readonly kind: Dialect["kind"];

  constructor(private readonly db: Dialect) {
    this.kind = db.kind;
  }

  async init(): Promise<void> {
    await this.db.open();
    await migrate(this.db, await loadMigrations());
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  query(sql: string, params: unknown[]): Promise<DbRow[]> {
    return this.db.all(sql, params);
  }

  run(sql: string, params: unknown[]): Promise<number> {
    return this.db.run(sql, params);
  }

  private async all(sql: string, ...params: unknown[]): Promise<DbRow[]> {
    return this.db.all(sql, params);
  }

  async write(b: WriteBatch): Promise<void> {
    await this.db.transaction(async (q) => {
      await insert(q, rows.stations, b.stations);
      const live = b.liveness.map((l) => ({ id: l.id, last_seen: l.lastSeen, last_seq: l.lastSeq ?? null }));
      await q.updateMany(LIVENESS, live);
      await insert(q, rows.statusHistory, b.statusChanges);
      await insert(q, rows.linkHistory, b.linkChanges);
      await insert(q, rows.deviceHistory, b.deviceChanges);
      await insert(q, rows.powerHistory, b.powerChanges);
      await insert(q, rows.events, b.events);
      await insert(q, rows.outages, b.outages);
      await insert(q, rows.gaps, b.gaps);
    });
  }

  async loadStations(): Promise<StationRow[]> {
    return (await this.all("SELECT * FROM stations ORDER BY id")).map(rows.stations.decode);
  }

  async liveness(ids: string[]): Promise<Map<string, Liveness>> {
    const out = new Map<string, Liveness>();
    for (let i = 0; i < ids.length; i += IN_CHUNK) {
      const chunk = ids.slice(i, i + IN_CHUNK);
      const found = await this.db.all(
        `SELECT id, last_seen, last_seq FROM stations WHERE id IN (${marks(chunk.length)}) AND last_seen IS NOT NULL`,
        chunk,
      );
      for (const r of found) out.set(String(r.id), rows.toLiveness(r));
    }
    return out;
  }

  async loadOpenGaps(): Promise<GapRow[]> {
    return (await this.all(SQL.openGaps)).map(rows.gaps.decode);
  }

  async statusHistory(station: string, r: TimeRange) {
    return (await this.all(SQL.statusHistory, station, r.from, r.to, station, r.from)).map(
      rows.statusHistory.decode,
    );
  }

  async linkHistory(station: string, r: TimeRange) {
    return (await this.all(SQL.linkHistory, station, r.from, r.to, station, r.from)).map(
      rows.linkHistory.decode,
    );
  }

  async deviceHistory(station: string, r: TimeRange) {
    return (await this.all(SQL.deviceHistory, station, r.from, r.to)).map(rows.deviceHistory.decode);
  }

  async powerHistory(station: string, r: TimeRange) {
    return (await this.all(SQL.powerHistory, station, r.from, r.to)).map(rows.powerHistory.decode);
  }

  async outages(station: string, r: TimeRange) {
    return (await this.all(SQL.outages, station, r.to, r.from)).map(rows.outages.decode);
  }

  async recentEvents(station: string, limit: number) {
    return (await this.all(SQL.recentEvents, station, limit)).map(rows.events.decode);
  }

  async gaps(station: string, limit: number) {
    return (await this.all(SQL.gaps, station, limit)).map(rows.gaps.decode);
  }

  async historyForRange(r: TimeRange): Promise<Map<string, HistoryBundle>> {
    const [s, l, o] = await Promise.all([
      this.all(SQL.allStatus, r.from, r.to, r.from),
      this.all(SQL.allLinks, r.from, r.to, r.from),
      this.all(SQL.allOutages, r.to, r.from),
    ]);
    const status = rows.groupBy(s.map(rows.statusHistory.decode));
    const links = rows.groupBy(l.map(rows.linkHistory.decode));
    const outages = rows.groupBy(o.map(rows.outages.decode));
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

  async upsertDaily(list: DailyRow[]): Promise<void> {
    await this.db.transaction((q) => insert(q, rows.daily, list));
  }

  async periodTotals(fromDay: string, toDay: string): Promise<DailyRow[]> {
    const [t, d, l] = await Promise.all([
      this.all(SQL.periodTotals, fromDay, toDay),
      this.all(SQL.periodDistricts, fromDay, toDay),
      this.all(SQL.periodLinks, fromDay, toDay),
    ]);
    return rows.periodRows(fromDay, toDay, t, d, l);
  }

  async daily(fromDay: string, toDay: string, station?: string): Promise<DailyRow[]> {
    const found = station
      ? await this.all(SQL.dailyStation, fromDay, toDay, station)
      : await this.all(SQL.daily, fromDay, toDay);
    return found.map(rows.daily.decode);
  }

  async getMeta(key: string): Promise<string | undefined> {
    const row = (await this.all(SQL.getMeta, key))[0];
    return row ? String(row.value) : undefined;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.db.insertMany("meta", [{ key, value }], ["key"]);
  }

  async prune(before: number): Promise<number> {
    return this.db.transaction(async (q) => {
      let n = 0;
      for (const sql of SQL.prune)
        n += await q.run(sql, Array<number>(sql.split("?").length - 1).fill(before));
      return n;
    });
  }

  async writeAlerts(w: AlertWrite): Promise<void> {
    await this.db.transaction(async (q) => {
      await insert(q, alertRows.alerts, w.alerts);
      await insert(q, alertRows.alertEvents, w.events);
      await insert(q, alertRows.outbox, w.outbox);
      await insert(q, alertRows.maintenance, w.maintenance);
    });
  }

  async loadAlerts(resolvedSince: number, limit: number): Promise<AlertRow[]> {
    const found = await this.all(
      "SELECT data FROM alerts WHERE state <> 'resolved' OR resolved_at >= ? ORDER BY updated_at DESC LIMIT ?",
      resolvedSince,
      limit,
    );
    return found.map(alertRows.alerts.decode);
  }

  async alertEvents(alertId: string): Promise<AlertEventRow[]> {
    const found = await this.all("SELECT * FROM alert_events WHERE alert_id = ? ORDER BY at, id", alertId);
    return found.map(alertRows.alertEvents.decode);
  }

  async dueOutbox(now: number, limit: number): Promise<OutboxRow[]> {
    const found = await this.all(
      "SELECT data FROM notify_outbox WHERE state = 'pending' AND next_at <= ? ORDER BY next_at, created_at LIMIT ?",
      now,
      limit,
    );
    return found.map(alertRows.outbox.decode);
  }

  async loadMaintenance(after: number): Promise<MaintenanceRow[]> {
    const found = await this.all(
      "SELECT data FROM maintenance WHERE (ended_at IS NULL AND end_at > ?) OR ended_at > ? ORDER BY start_at",
      after,
      after,
    );
    return found.map(alertRows.maintenance.decode);
  }

  sizeBytes(): Promise<number> {
    return this.db.sizeBytes();
  }
}
