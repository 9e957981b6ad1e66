/**
 * Schema migrations on both dialects: applied once and in order, recorded, adopted by a database made
 * before versioning, refused when the database is newer than the NOC, and serialised between two NOCs
 * starting at once.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Dialect } from "../../noc/storage/dialect.js";
import { loadMigrations, migrate, SchemaBuilder, type Migration } from "../../noc/storage/migrate.js";
import { up as initial } from "../../noc/storage/migrations/001-initial.js";
import { PostgresDialect, PostgresStorage } from "../../noc/storage/postgres.js";
import { SqliteWorkerStorage } from "../../noc/storage/sqlite-worker.js";
import { SqliteDialect, SqliteStorage } from "../../noc/storage/sqlite.js";
import { daily } from "../../noc/storage/rows.js";

const decodeDaily = daily.decode;

const PG_URL = process.env.NOC_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";
const dir = mkdtempSync(join(tmpdir(), "noc-migrate-"));
const schemas: string[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  const admin = new PostgresDialect({ connectionString: PG_URL });
  await admin.open();
  for (const s of schemas) await admin.run(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  await admin.close();
});

let n = 0;
/** Each call makes a new, empty database and returns how to open connections to it. */
const backends: [string, () => () => Dialect][] = [
  [
    "sqlite",
    () => {
      const path = join(dir, `m${++n}.db`);
      return () => new SqliteDialect(path);
    },
  ],
  [
    "postgres",
    () => {
      const schema = `noc_migrate_${process.pid}_${++n}`;
      schemas.push(schema);
      return () => new PostgresDialect({ connectionString: PG_URL, schema });
    },
  ],
];

/** Above every shipped migration, so the test holds as migrations are added. */
const NEXT = 1000;
const second: Migration = {
  version: NEXT,
  name: "example",
  up: async (s) => {
    await s.createTable("example_alerts", { id: "text", station: "text", opened_at: "int" }, { key: ["id"] });
    await s.addColumn("stations", "pop", "text");
  },
};

describe.each(backends)("migrations on %s", (_name, database) => {
  it("finds the shipped migrations in version order", async () => {
    const found = await loadMigrations();
    expect(found[0]).toMatchObject({ version: 1, name: "initial" });
    expect(found.map((m) => m.version)).toEqual([...found.map((m) => m.version)].sort((a, b) => a - b));
  });

  it("applies each migration once, in order, and records it", async () => {
    const db = database()();
    await db.open();
    const shipped = await loadMigrations();
    expect(await migrate(db, shipped)).toEqual(shipped.map((m) => m.version));
    expect(await migrate(db, [...shipped, second])).toEqual([NEXT]);
    expect(await migrate(db, [...shipped, second])).toEqual([]);
    await db.insertMany("example_alerts", [{ id: "a1", station: "S1", opened_at: 5 }], ["id"]);
    await db.insertMany("stations", [{ id: "S1", status: "up", status_since: 1, info: "{}", pop: "PoP-3" }]);
    expect(await db.all("SELECT pop FROM stations")).toEqual([{ pop: "PoP-3" }]);
    const recorded = await db.all("SELECT version, name FROM schema_migrations ORDER BY version");
    expect(recorded.map((r) => [Number(r.version), r.name])).toEqual([
      ...shipped.map((m) => [m.version, m.name]),
      [NEXT, "example"],
    ]);
    expect(recorded[0]).toMatchObject({ name: "initial" });
    await db.close();
  });

  it("adopts a database made before versioning, keeping its rows", async () => {
    const db = database()();
    await db.open();
    await db.transaction((q) => initial(new SchemaBuilder(db, q)));
    await db.insertMany("meta", [{ key: "k", value: "v" }], ["key"]);
    expect(await migrate(db, await loadMigrations())).toContain(1);
    expect(await db.all("SELECT value FROM meta")).toEqual([{ value: "v" }]);
    await db.close();
  });

  it("004 keeps daily rows computed before it: no planned time, and they still read", async () => {
    const db = database()();
    await db.open();
    const shipped = await loadMigrations();
    expect(shipped.map((m) => m.version)).toContain(4);
    await migrate(
      db,
      shipped.filter((m) => m.version < 4),
    );
    const before = {
      station: "S1",
      day: "2025-03-01",
      district: "Pune",
      window_s: 86_400,
      up_s: 80_000,
      unknown_s: 0,
      backup_s: 0,
      power_s: 6_400,
      network_s: 0,
      agent_s: 0,
      unattributed_s: 0,
      links: "{}",
    };
    await db.insertMany("daily", [before], ["station", "day"]);
    expect(await migrate(db, shipped)).toEqual(shipped.filter((m) => m.version >= 4).map((m) => m.version));
    const [row] = await db.all("SELECT * FROM daily");
    expect(decodeDaily(row!)).toMatchObject({ upS: 80_000, down: { power: 6_400 }, plannedS: 0 });
    await expect(db.run("UPDATE daily SET planned_s = NULL WHERE station = ?", ["S1"])).rejects.toThrow(
      /null/i,
    );
    await db.close();
  });

  it("refuses a database newer than this NOC and changes nothing", async () => {
    const db = database()();
    await db.open();
    const shipped = await loadMigrations();
    await migrate(db, [...shipped, second]);
    const known = shipped[shipped.length - 1]?.version;
    await expect(migrate(db, shipped)).rejects.toThrow(
      new RegExp(`schema version ${NEXT}, newer than this NOC knows \\(${known}\\)`),
    );
    await db.close();
  });

  it("a failing migration leaves no trace: neither its tables nor its version", async () => {
    const db = database()();
    await db.open();
    const broken: Migration = {
      version: NEXT,
      name: "broken",
      up: async (s) => {
        await s.createTable("half", { id: "text" }, { key: ["id"] });
        await s.q.run("SELECT * FROM no_such_table");
      },
    };
    await expect(migrate(db, [...(await loadMigrations()), broken])).rejects.toThrow(/no_such_table/);
    const shipped = await loadMigrations();
    expect(await migrate(db, shipped)).toEqual(shipped.map((m) => m.version));
    await expect(db.all("SELECT * FROM half")).rejects.toThrow(/half/);
    await db.close();
  });
});

it("a SqliteStorage opened twice on one file keeps working (init is idempotent)", async () => {
  const path = join(dir, "twice.db");
  const one = new SqliteStorage(path);
  await one.init();
  await one.setMeta("x", "1");
  await one.close();
  const two = new SqliteStorage(path);
  await two.init();
  expect(await two.getMeta("x")).toBe("1");
  await two.close();
});

/** Each on its own connection, as two NOC processes would be (SQLite: each on its own thread). */
it.each([
  ["sqlite", () => join(dir, "race.db"), (p: string) => new SqliteWorkerStorage(p)],
  [
    "postgres",
    () => {
      const schema = `noc_migrate_${process.pid}_race`;
      schemas.push(schema);
      return schema;
    },
    (schema: string) => new PostgresStorage({ connectionString: PG_URL, schema }),
  ],
] as const)(
  "two NOCs starting at once on %s: both start, each migration runs once",
  async (_n, where, open) => {
    const at = where();
    const stores = [open(at), open(at)];
    await Promise.all(stores.map((s) => s.init()));
    await stores[0]?.setMeta("both", "up");
    expect(await stores[1]?.getMeta("both")).toBe("up");
    await Promise.all(stores.map((s) => s.close()));
  },
);
