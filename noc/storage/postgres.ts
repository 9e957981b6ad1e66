import pg from "pg";
import * as sql from "./dialect.js";
import { SqlStore } from "./sql-store.js";

/** PostgreSQL caps bind parameters per statement at 65535. */
const MAX_PARAMS = 60_000;

// int8 (20) as a JS number: millisecond times and seqs stay far below 2^53.
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === 20
      ? (v: string) => Number(v)
      : (pg.types.getTypeParser(oid, format as "text") as (
          v: string,
        ) => unknown)) as typeof pg.types.getTypeParser,
};

function numbered(sql: string): string {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
}

/** Queries on one client (inside a transaction) or on the pool. Bulk writes are multi-row statements. */
class PgQueries implements sql.Queryable {
  constructor(
    readonly types: Record<sql.ColumnType, string>,
    private readonly on: () => pg.Pool | pg.PoolClient,
  ) {}

  async all(sql: string, params: unknown[] = []): Promise<sql.DbRow[]> {
    return (await this.on().query(numbered(sql), params)).rows as sql.DbRow[];
  }

  async run(sql: string, params: unknown[] = []): Promise<number> {
    return (await this.on().query(numbered(sql), params)).rowCount ?? 0;
  }

  async insertMany(table: string, rows: sql.NamedRow[], key?: string[]): Promise<void> {
    const first = rows[0];
    if (!first) return;
    const cols = Object.keys(first);
    const list = sql.lastPerKey(rows, key);
    const perStatement = Math.floor(MAX_PARAMS / cols.length);
    for (let i = 0; i < list.length; i += perStatement) {
      const params: unknown[] = [];
      const tuples = list
        .slice(i, i + perStatement)
        .map((r) => `(${cols.map((c) => (params.push(r[c]), `$${params.length}`)).join(", ")})`);
      await this.on().query(sql.insertSql(table, cols, tuples, key), params);
    }
  }

  /** One `UPDATE ... FROM (VALUES ...)` per chunk instead of a statement per row. */
  async updateMany(u: sql.UpdateSpec, rows: sql.NamedRow[]): Promise<void> {
    const cols = [u.key, ...Object.keys(u.set)];
    const cast = (c: string): string => {
      const type = u.set[c];
      return type ? `::${this.types[type]}` : "";
    };
    const list = sql.lastPerKey(rows, [u.key]);
    const perStatement = Math.floor(MAX_PARAMS / cols.length);
    for (let i = 0; i < list.length; i += perStatement) {
      const params: unknown[] = [];
      const tuples = list
        .slice(i, i + perStatement)
        .map((r) => `(${cols.map((c) => (params.push(r[c]), `$${params.length}${cast(c)}`)).join(", ")})`);
      const sets = sql.setClause(
        u,
        (c) => `v.${c}`,
        (c) => `t.${c}`,
      );
      await this.on().query(
        `UPDATE ${u.table} AS t SET ${sets} FROM (VALUES ${tuples.join(", ")}) AS v(${cols.join(", ")})
         WHERE t.${u.key} = v.${u.key}`,
        params,
      );
    }
  }
}

export interface PostgresOptions {
  /** e.g. postgres://user@127.0.0.1:5432/noc */
  connectionString: string;
  /** Schema holding the NOC's tables (created when missing); several NOCs or tests can share a database. */
  schema?: string;
  poolSize?: number;
}

export class PostgresDialect extends PgQueries implements sql.Dialect {
  readonly kind = "postgres" as const;
  readonly serialId = "id BIGSERIAL PRIMARY KEY";
  readonly schema: string;
  private pool: pg.Pool | undefined;

  constructor(private readonly options: PostgresOptions) {
    const pgTypes = { text: "TEXT", int: "BIGINT", real: "DOUBLE PRECISION", bool: "BOOLEAN" } as const;
    super(pgTypes, () => {
      if (!this.pool) throw new Error("storage not initialised");
      return this.pool;
    });
    this.schema = options.schema ?? "public";
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(this.schema)) throw new Error(`invalid schema name "${this.schema}"`);
  }

  async open(): Promise<void> {
    if (this.pool) return;
    const pool = new pg.Pool({
      connectionString: this.options.connectionString,
      max: this.options.poolSize ?? 4,
      options: `-c search_path=${this.schema}`,
      types,
    });
    // An idle client's error (server restart) must not crash the NOC; the next query reconnects.
    pool.on("error", () => undefined);
    this.pool = pool;
    await this.transaction((q) => q.run(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`), { exclusive: true });
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.end();
  }

  async transaction<T>(fn: (q: sql.Queryable) => Promise<T>, opts: { exclusive?: boolean } = {}): Promise<T> {
    if (!this.pool) throw new Error("storage not initialised");
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      // Two NOCs starting on one schema would race to create the same tables; the second waits here.
      if (opts.exclusive) await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [this.schema]);
      const out = await fn(new PgQueries(this.types, () => client));
      await client.query("COMMIT");
      return out;
    } catch (e) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  /** The schema's tables and indexes. */
  async sizeBytes(): Promise<number> {
    const rows = await this.all(
      `SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) AS bytes FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relkind = 'r'`,
      [this.schema],
    );
    return Number(rows[0]?.bytes ?? 0);
  }
}

/** For a real state centre: several NOCs may share one database, each schema its own store. */
export class PostgresStorage extends SqlStore {
  private readonly pg: PostgresDialect;

  constructor(options: PostgresOptions) {
    const dialect = new PostgresDialect(options);
    super(dialect);
    this.pg = dialect;
  }

  /** Drops the schema and everything in it (tests). */
  async dropSchema(): Promise<void> {
    await this.pg.run(`DROP SCHEMA IF EXISTS ${this.pg.schema} CASCADE`);
  }
}
