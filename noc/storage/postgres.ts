import pg from "pg";
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

const PG_TYPES = { text: "TEXT", int: "BIGINT", real: "DOUBLE PRECISION", bool: "BOOLEAN" } as const;
/** PostgreSQL caps bind parameters per statement at 65535. */
const MAX_PARAMS = 60_000;

// int8 (20) as a JS number: millisecond times and seqs stay far below 2^53.
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === 20
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
};

function numbered(sql: string): string {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
}

function ddl(t: TableDef): string[] {
  const cols = t.cols.map(([n, ty]) => `${n} ${PG_TYPES[ty]}`);
  if (t.serial) cols.unshift("id BIGSERIAL PRIMARY KEY");
  if (t.key) cols.push(`PRIMARY KEY (${t.key.join(", ")})`);
  return [
    `CREATE TABLE IF NOT EXISTS ${t.name} (${cols.join(", ")})`,
    ...t.indexes.map(
      (ix) => `CREATE INDEX IF NOT EXISTS ${t.name}_${ix.join("_")} ON ${t.name} (${ix.join(", ")})`,
    ),
  ];
}

export interface PostgresOptions {
  /** e.g. postgres://user@127.0.0.1:5432/noc */
  connectionString: string;
  /** Schema holding the NOC's tables (created when missing); several NOCs or tests can share a database. */
  schema?: string;
  poolSize?: number;
}

/** For a real state centre: the same tables as SQLite, batched multi-row upserts in one transaction. */
export class PostgresStorage implements Storage {
  readonly kind = "postgres" as const;
  private pool!: pg.Pool;
  private readonly schema: string;

  constructor(private readonly options: PostgresOptions) {
    this.schema = options.schema ?? "public";
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(this.schema)) throw new Error(`invalid schema name "${this.schema}"`);
  }

  async init(): Promise<void> {
    this.pool = new pg.Pool({
      connectionString: this.options.connectionString,
      max: this.options.poolSize ?? 4,
      options: `-c search_path=${this.schema}`,
      types,
    });
    // An idle client's error (server restart) must not crash the NOC; the next query reconnects.
    this.pool.on("error", () => undefined);
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      for (const t of TABLES) for (const sql of ddl(t)) await client.query(sql);
      await client.query("COMMIT");
    } catch (e) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool?.end();
  }

  private async all(sql: string, ...params: unknown[]): Promise<DbRow[]> {
    return (await this.pool.query(numbered(sql), params)).rows as DbRow[];
  }

  private async insertAll<T>(
    client: pg.PoolClient,
    name: string,
    rows: T[],
    values: (r: T) => unknown[],
  ): Promise<void> {
    if (rows.length === 0) return;
    const t = table(name);
    const names = t.cols.map(([n]) => n);
    let list = rows.map(values);
    if (t.key) {
      // One statement may not upsert the same key twice: keep the last row per key.
      const keyIdx = t.key.map((k) => names.indexOf(k));
      const byKey = new Map<string, unknown[]>();
      for (const v of list) byKey.set(JSON.stringify(keyIdx.map((i) => v[i])), v);
      list = [...byKey.values()];
    }
    const conflict = t.key
      ? ` ON CONFLICT (${t.key.join(", ")}) DO UPDATE SET ${names
          .filter((n) => !t.key?.includes(n))
          .map((n) => `${n} = EXCLUDED.${n}`)
          .join(", ")}`
      : "";
    const perStatement = Math.floor(MAX_PARAMS / names.length);
    for (let i = 0; i < list.length; i += perStatement) {
      const chunk = list.slice(i, i + perStatement);
      const params: unknown[] = [];
      const tuples = chunk.map((v) => `(${v.map((x) => (params.push(x), `$${params.length}`)).join(", ")})`);
      await client.query(
        `INSERT INTO ${t.name} (${names.join(", ")}) VALUES ${tuples.join(", ")}${conflict}`,
        params,
      );
    }
  }

  /** One UPDATE ... FROM (VALUES ...) per chunk instead of a statement per station. */
  private async updateLiveness(client: pg.PoolClient, rows: Liveness[]): Promise<void> {
    const byId = new Map(rows.map((r) => [r.id, r]));
    const list = [...byId.values()];
    for (let i = 0; i < list.length; i += MAX_PARAMS / 3) {
      const params: unknown[] = [];
      const tuples = list
        .slice(i, i + MAX_PARAMS / 3)
        .map(
          (r) => (
            params.push(r.id, r.lastSeen, r.lastSeq ?? null),
            `($${params.length - 2}, $${params.length - 1}::bigint, $${params.length}::bigint)`
          ),
        );
      await client.query(
        `UPDATE stations AS s SET last_seen = v.last_seen, last_seq = COALESCE(v.last_seq, s.last_seq)
         FROM (VALUES ${tuples.join(", ")}) AS v(id, last_seen, last_seq) WHERE s.id = v.id`,
        params,
      );
    }
  }

  private async tx(fn: (c: pg.PoolClient) => Promise<void>): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      await fn(client);
      await client.query("COMMIT");
    } catch (e) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  async write(b: WriteBatch): Promise<void> {
    await this.tx(async (c) => {
      await this.insertAll(c, "stations", b.stations, stationValues);
      await this.updateLiveness(c, b.liveness);
      await this.insertAll(c, "status_history", b.statusChanges, statusValues);
      await this.insertAll(c, "link_history", b.linkChanges, linkValues);
      await this.insertAll(c, "device_history", b.deviceChanges, deviceValues);
      await this.insertAll(c, "power_history", b.powerChanges, powerValues);
      await this.insertAll(c, "events", b.events, eventValues);
      await this.insertAll(c, "outages", b.outages, outageValues);
      await this.insertAll(c, "gaps", b.gaps, gapValues);
    });
  }

  async loadStations(): Promise<StationRow[]> {
    return (await this.all("SELECT * FROM stations ORDER BY id")).map(toStation);
  }

  async liveness(ids: string[]): Promise<Map<string, Liveness>> {
    const rows = await this.all(
      "SELECT id, last_seen, last_seq FROM stations WHERE id = ANY(?) AND last_seen IS NOT NULL",
      ids,
    );
    return new Map(rows.map((r) => [String(r.id), toLiveness(r)]));
  }

  async loadOpenGaps(): Promise<GapRow[]> {
    return (await this.all(SQL.openGaps)).map(toGap);
  }

  async statusHistory(station: string, r: TimeRange) {
    return (await this.all(SQL.statusHistory, station, r.from, r.to, station, r.from)).map(toStatus);
  }

  async linkHistory(station: string, r: TimeRange) {
    return (await this.all(SQL.linkHistory, station, r.from, r.to, station, r.from)).map(toLink);
  }

  async deviceHistory(station: string, r: TimeRange) {
    return (await this.all(SQL.deviceHistory, station, r.from, r.to)).map(toDevice);
  }

  async powerHistory(station: string, r: TimeRange) {
    return (await this.all(SQL.powerHistory, station, r.from, r.to)).map(toPower);
  }

  async outages(station: string, r: TimeRange) {
    return (await this.all(SQL.outages, station, r.to, r.from)).map(toOutage);
  }

  async recentEvents(station: string, limit: number) {
    return (await this.all(SQL.recentEvents, station, limit)).map(toEvent);
  }

  async gaps(station: string, limit: number) {
    return (await this.all(SQL.gaps, station, limit)).map(toGap);
  }

  async historyForRange(r: TimeRange): Promise<Map<string, HistoryBundle>> {
    const [s, l, o] = await Promise.all([
      this.all(SQL.allStatus, r.from, r.to, r.from),
      this.all(SQL.allLinks, r.from, r.to, r.from),
      this.all(SQL.allOutages, r.to, r.from),
    ]);
    const status = groupBy(s.map(toStatus));
    const links = groupBy(l.map(toLink));
    const outages = groupBy(o.map(toOutage));
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
    await this.tx((c) => this.insertAll(c, "daily", rows, dailyValues));
  }

  async periodTotals(fromDay: string, toDay: string): Promise<DailyRow[]> {
    const [t, d, l] = await Promise.all([
      this.all(SQL.periodTotals, fromDay, toDay),
      this.all(SQL.periodDistricts, fromDay, toDay),
      this.all(SQL.periodLinks, fromDay, toDay),
    ]);
    return periodRows(fromDay, toDay, t, d, l);
  }

  async daily(fromDay: string, toDay: string, station?: string): Promise<DailyRow[]> {
    const rows = station
      ? await this.all(SQL.dailyStation, fromDay, toDay, station)
      : await this.all(SQL.daily, fromDay, toDay);
    return rows.map(toDaily);
  }

  async getMeta(key: string): Promise<string | undefined> {
    const row = (await this.all(SQL.getMeta, key))[0];
    return row ? String(row.value) : undefined;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.tx((c) => this.insertAll(c, "meta", [[key, value]], (v) => v));
  }

  async prune(before: number): Promise<number> {
    let n = 0;
    await this.tx(async (c) => {
      for (const sql of SQL.prune) {
        const params = Array<number>(sql.split("?").length - 1).fill(before);
        n += (await c.query(numbered(sql), params)).rowCount ?? 0;
      }
    });
    return n;
  }

  async sizeBytes(): Promise<number> {
    const rows = await this.all(
      `SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) AS bytes FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relkind = 'r'`,
      this.schema,
    );
    return Number(rows[0]?.bytes ?? 0);
  }

  async query(sql: string, params: unknown[]): Promise<DbRow[]> {
    return this.all(sql, ...params);
  }

  async run(sql: string, params: unknown[]): Promise<number> {
    return (await this.pool.query(numbered(sql), params)).rowCount ?? 0;
  }

  /** Drops the schema and everything in it (tests). */
  async dropSchema(): Promise<void> {
    await this.pool.query(`DROP SCHEMA IF EXISTS ${this.schema} CASCADE`);
  }
}
