/**
 * What differs between the NOC's two databases, and nothing else: connecting, placeholders, column types,
 * bulk writes and transactions. The queries themselves are written once, in sql-store.ts.
 */

export type DbRow = Record<string, unknown>;
export type ColumnType = "text" | "int" | "real" | "bool";

/** Rows keyed by column name; every row of one call has the same columns. */
export type NamedRow = Record<string, unknown>;

/** Runs SQL written with `?` placeholders; the dialect numbers them when its driver wants `$1`. */
export interface Queryable {
  all(sql: string, params?: unknown[]): Promise<DbRow[]>;
  /** Returns the number of rows changed. */
  run(sql: string, params?: unknown[]): Promise<number>;
  /** Inserts, or with `key` upserts (the last row of a key wins), building the column list from the rows. */
  insertMany(table: string, rows: NamedRow[], key?: string[]): Promise<void>;
  /** Updates existing rows matched by the spec's key; rows that match none are ignored. */
  updateMany(spec: UpdateSpec, rows: NamedRow[]): Promise<void>;
}

export interface UpdateSpec {
  table: string;
  key: string;
  /** The columns to set and their types (PostgreSQL casts bulk values by them). */
  set: Record<string, ColumnType>;
  /** Columns that keep their stored value where the row has null. */
  keepWhenNull?: string[];
}

/** `a = <value>, b = COALESCE(<value>, <old>)` for an UpdateSpec. */
export function setClause(
  u: UpdateSpec,
  value: (col: string) => string,
  old: (col: string) => string,
): string {
  return Object.keys(u.set)
    .map((c) =>
      u.keepWhenNull?.includes(c) ? `${c} = COALESCE(${value(c)}, ${old(c)})` : `${c} = ${value(c)}`,
    )
    .join(", ");
}

export interface Dialect extends Queryable {
  readonly kind: "sqlite" | "postgres";
  /** DDL spelling of each column type, and of an auto-numbered `id` primary key. */
  readonly types: Record<ColumnType, string>;
  readonly serialId: string;
  open(): Promise<void>;
  close(): Promise<void>;
  /**
   * Runs `fn` in one transaction and serialises it against other transactions of this process. With
   * `exclusive`, also against other processes sharing the database (migrations).
   */
  transaction<T>(fn: (q: Queryable) => Promise<T>, opts?: { exclusive?: boolean }): Promise<T>;
  sizeBytes(): Promise<number>;
}

/** `INSERT ... VALUES (...), (...)` (with `ON CONFLICT ... DO UPDATE` for a key): the same in both dialects. */
export function insertSql(table: string, cols: string[], tuples: string[], key?: string[]): string {
  const base = `INSERT INTO ${table} (${cols.join(", ")}) VALUES ${tuples.join(", ")}`;
  if (!key) return base;
  const updates = cols.filter((c) => !key.includes(c)).map((c) => `${c} = excluded.${c}`);
  const action = updates.length ? `DO UPDATE SET ${updates.join(", ")}` : "DO NOTHING";
  return `${base} ON CONFLICT (${key.join(", ")}) ${action}`;
}

/** One statement may not upsert the same key twice (PostgreSQL refuses): keep each key's last row. */
export function lastPerKey(rows: NamedRow[], key?: string[]): NamedRow[] {
  if (!key || rows.length < 2) return rows;
  const byKey = new Map<string, NamedRow>();
  for (const r of rows) byKey.set(JSON.stringify(key.map((k) => r[k])), r);
  return byKey.size === rows.length ? rows : [...byKey.values()];
}

/** `?, ?, ?` for an `IN (...)` list. */
export const marks = (n: number): string => Array<string>(n).fill("?").join(", ");
