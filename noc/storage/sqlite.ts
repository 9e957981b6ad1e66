import Database from "better-sqlite3";
import {
  insertSql,
  lastPerKey,
  setClause,
  type ColumnType,
  type DbRow,
  type Dialect,
  type NamedRow,
  type Queryable,
  type UpdateSpec,
} from "./dialect.js";
import { SqlStore } from "./sql-store.js";

/** better-sqlite3 binds booleans only as numbers. */
const bind = (values: unknown[]): unknown[] => values.map((v) => (typeof v === "boolean" ? (v ? 1 : 0) : v));

/**
 * better-sqlite3 is synchronous: each statement runs to completion, so bulk writes are one prepared
 * statement run per row (as fast as SQLite goes) and need no chunking.
 */
export class SqliteDialect implements Dialect {
  readonly kind = "sqlite" as const;
  readonly types: Record<ColumnType, string> = {
    text: "TEXT",
    int: "INTEGER",
    real: "REAL",
    bool: "INTEGER",
  };
  readonly serialId = "id INTEGER PRIMARY KEY AUTOINCREMENT";
  private db: Database.Database | undefined;
  private readonly stmts = new Map<string, Database.Statement>();
  /** One connection: a transaction must not begin while another awaits inside its body. */
  private txTail: Promise<unknown> = Promise.resolve();

  constructor(private readonly path: string) {}

  async open(): Promise<void> {
    if (this.db?.open) return;
    this.stmts.clear();
    const db = new Database(this.path);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("busy_timeout = 5000");
    this.db = db;
  }

  async close(): Promise<void> {
    if (this.db?.open) this.db.close();
    this.db = undefined;
  }

  private stmt(sql: string): Database.Statement {
    if (!this.db) throw new Error("storage not initialised");
    let s = this.stmts.get(sql);
    if (!s) this.stmts.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  async all(sql: string, params: unknown[] = []): Promise<DbRow[]> {
    return this.stmt(sql).all(...bind(params)) as DbRow[];
  }

  async run(sql: string, params: unknown[] = []): Promise<number> {
    return this.stmt(sql).run(...bind(params)).changes;
  }

  async insertMany(table: string, rows: NamedRow[], key?: string[]): Promise<void> {
    const first = rows[0];
    if (!first) return;
    const cols = Object.keys(first);
    const s = this.stmt(insertSql(table, cols, [`(${cols.map(() => "?").join(", ")})`], key));
    for (const r of lastPerKey(rows, key)) s.run(...bind(cols.map((c) => r[c])));
  }

  async updateMany(u: UpdateSpec, rows: NamedRow[]): Promise<void> {
    if (!rows.length) return;
    const cols = [...Object.keys(u.set), u.key];
    const s = this.stmt(
      `UPDATE ${u.table} SET ${setClause(
        u,
        () => "?",
        (c) => c,
      )} WHERE ${u.key} = ?`,
    );
    for (const r of rows) s.run(...bind(cols.map((c) => r[c])));
  }

  transaction<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    const run = this.txTail.then(async () => {
      // IMMEDIATE takes the write lock up front, so two processes migrating one file queue instead of
      // failing half way with SQLITE_BUSY.
      await this.run("BEGIN IMMEDIATE");
      try {
        const out = await fn(this);
        await this.run("COMMIT");
        return out;
      } catch (e) {
        if (this.db?.inTransaction) await this.run("ROLLBACK");
        throw e;
      }
    });
    this.txTail = run.catch(() => undefined);
    return run;
  }

  /** Bytes in use (pages minus free pages, WAL content included): growth, not file-size noise. */
  async sizeBytes(): Promise<number> {
    if (!this.db) throw new Error("storage not initialised");
    const pages = Number(this.db.pragma("page_count", { simple: true }));
    const free = Number(this.db.pragma("freelist_count", { simple: true }));
    const size = Number(this.db.pragma("page_size", { simple: true }));
    return (pages - free) * size;
  }
}

/** Embedded default: one file, WAL, no set-up. */
export class SqliteStorage extends SqlStore {
  constructor(path: string) {
    super(new SqliteDialect(path));
  }
}
