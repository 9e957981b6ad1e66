/**
 * Schema migrations: the files in ./migrations named `NNN-what.ts`, applied in order of NNN, each in the
 * same transaction as its row in `schema_migrations`. How to add one: ./README.md.
 */
import { readdirSync } from "node:fs";
import type { ColumnType, Dialect, Queryable } from "./dialect.js";

export interface TableOptions {
  /** Primary key columns (the upsert target). */
  key?: string[];
  /** An auto-numbered `id` primary key first (append-only history tables). */
  serial?: boolean;
  indexes?: string[][];
}

/** DDL in the dialect's own types, so one migration file serves SQLite and PostgreSQL. */
export class SchemaBuilder {
  constructor(
    private readonly dialect: Pick<Dialect, "types" | "serialId" | "kind">,
    /** Raw SQL for what the builder does not cover; `?` placeholders. */
    readonly q: Queryable,
  ) {}

  get kind(): Dialect["kind"] {
    return this.dialect.kind;
  }

  /** `IF NOT EXISTS` because databases made before versioning already hold the first tables. */
  async createTable(name: string, cols: Record<string, ColumnType>, opts: TableOptions = {}): Promise<void> {
    const defs = Object.entries(cols).map(([c, t]) => `${c} ${this.dialect.types[t]}`);
    if (opts.serial) defs.unshift(this.dialect.serialId);
    if (opts.key) defs.push(`PRIMARY KEY (${opts.key.join(", ")})`);
    await this.q.run(`CREATE TABLE IF NOT EXISTS ${name} (${defs.join(", ")})`);
    for (const ix of opts.indexes ?? []) await this.createIndex(name, ix);
  }

  async createIndex(table: string, cols: string[]): Promise<void> {
    await this.q.run(
      `CREATE INDEX IF NOT EXISTS ${table}_${cols.join("_")} ON ${table} (${cols.join(", ")})`,
    );
  }

  /** With `fill`, existing rows take that value and the column refuses NULL from then on. */
  async addColumn(table: string, name: string, type: ColumnType, fill?: number): Promise<void> {
    const rest = fill === undefined ? "" : ` NOT NULL DEFAULT ${Number(fill)}`;
    await this.q.run(`ALTER TABLE ${table} ADD COLUMN ${name} ${this.dialect.types[type]}${rest}`);
  }
}

export interface Migration {
  version: number;
  name: string;
  up(schema: SchemaBuilder): Promise<void>;
}

const FILE = /^(\d{3,})-([a-z0-9-]+)\.(?:ts|js)$/;
const DIR = new URL("./migrations/", import.meta.url);

/** The migration files in version order; a repeated version is a packaging mistake and stops the NOC. */
export async function loadMigrations(): Promise<Migration[]> {
  const found: Migration[] = [];
  for (const file of readdirSync(DIR).sort()) {
    const m = FILE.exec(file);
    if (!m) continue;
    const mod = (await import(new URL(file, DIR).href)) as { up?: Migration["up"] };
    if (typeof mod.up !== "function") throw new Error(`migration ${file} exports no up()`);
    found.push({ version: Number(m[1]), name: m[2] ?? file, up: mod.up });
  }
  found.sort((a, b) => a.version - b.version);
  for (let i = 1; i < found.length; i++)
    if (found[i]?.version === found[i - 1]?.version)
      throw new Error(`two migrations numbered ${found[i]?.version}`);
  return found;
}

/**
 * Applies the migrations this database has not had, all in one exclusive transaction: a second NOC
 * starting on the same database waits and then finds nothing to do. Returns the versions applied.
 */
export async function migrate(dialect: Dialect, migrations: Migration[]): Promise<number[]> {
  return dialect.transaction(
    async (q) => {
      const schema = new SchemaBuilder(dialect, q);
      await schema.createTable(
        "schema_migrations",
        { version: "int", name: "text", applied_at: "int" },
        {
          key: ["version"],
        },
      );
      const done = new Set(
        (await q.all("SELECT version FROM schema_migrations")).map((r) => Number(r.version)),
      );
      const newest = Math.max(0, ...done);
      const known = Math.max(0, ...migrations.map((m) => m.version));
      if (newest > known)
        throw new Error(`the database is at schema version ${newest}, newer than this NOC knows (${known})`);
      const applied: number[] = [];
      for (const m of migrations) {
        if (done.has(m.version)) continue;
        await m.up(schema);
        await q.insertMany("schema_migrations", [
          { version: m.version, name: m.name, applied_at: Date.now() },
        ]);
        applied.push(m.version);
      }
      return applied;
    },
    { exclusive: true },
  );
}
