/**
 * The access-control store (users, sessions, API tokens, audit; migration 002) on every backend the NOC
 * runs on: SQLite in-process, SQLite on its worker thread, and the real PostgreSQL of this machine.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthError, AuthStore } from "../../noc/auth/store.js";
import {
  PostgresStorage,
  SqliteStorage,
  SqliteWorkerStorage,
  type Storage,
} from "../../noc/storage/index.js";

const PG_URL = process.env.NOC_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";
const dir = mkdtempSync(join(tmpdir(), "noc-auth-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const backends: [string, () => Storage][] = [
  ["sqlite", () => new SqliteStorage(join(dir, "a.db"))],
  ["sqlite-worker", () => new SqliteWorkerStorage(join(dir, "b.db"))],
  ["postgres", () => new PostgresStorage({ connectionString: PG_URL, schema: `noc_auth_${process.pid}` })],
];

describe.each(backends)("access-control store on %s", (_name, make) => {
  let storage: Storage;
  let clock = Date.parse("2026-03-10T10:00:00Z");
  let store: AuthStore;

  beforeAll(async () => {
    storage = make();
    await storage.init();
    store = new AuthStore(storage, () => clock);
  });
  afterAll(async () => {
    if (storage instanceof PostgresStorage) await storage.dropSchema();
    await storage.close();
  });

  it("keeps users with scrypt hashes, roles and districts", async () => {
    await store.addUser("asha", "operator", "Pune", "asha-password-1");
    await store.addUser("proxy-user", "viewer", undefined);
    await expect(store.addUser("asha", "viewer", undefined, "another-pass-1")).rejects.toThrow(AuthError);
    await expect(store.addUser("bad name", "viewer", undefined, "another-pass-1")).rejects.toThrow(AuthError);
    expect(await store.checkPassword("asha", "asha-password-1")).toMatchObject({
      role: "operator",
      district: "Pune",
    });
    expect(await store.checkPassword("asha", "wrong-password")).toBeUndefined();
    expect(await store.checkPassword("proxy-user", "")).toBeUndefined();
    expect(await store.checkPassword("nobody", "whatever-1234")).toBeUndefined();
    const rows = await storage.query("SELECT pw_hash FROM users WHERE name = ?", ["asha"]);
    expect(String(rows[0]?.pw_hash)).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(String(rows[0]?.pw_hash)).not.toContain("asha-password-1");
    expect((await store.users()).map((u) => [u.name, u.hasPassword])).toEqual([
      ["asha", true],
      ["proxy-user", false],
    ]);
  });

  it("sessions time out when idle, and a password change ends them", async () => {
    const s = await store.createSession("asha");
    expect(await store.session(s.cookie, 30 * 60_000, 12 * 3600_000)).toMatchObject({
      name: "asha",
      csrf: s.csrf,
    });
    clock += 20 * 60_000;
    expect(await store.session(s.cookie, 30 * 60_000, 12 * 3600_000)).toBeDefined();
    clock += 20 * 60_000; // 20 minutes since the last use: still within 30
    expect(await store.session(s.cookie, 30 * 60_000, 12 * 3600_000)).toBeDefined();
    clock += 31 * 60_000;
    expect(await store.session(s.cookie, 30 * 60_000, 12 * 3600_000)).toBeUndefined();
    const t = await store.createSession("asha");
    await store.setPassword("asha", "asha-password-2");
    expect(await store.session(t.cookie, 30 * 60_000, 12 * 3600_000)).toBeUndefined();
    // Only the hash of the cookie is stored.
    const ids = await storage.query("SELECT id FROM sessions", []);
    expect(JSON.stringify(ids)).not.toContain(t.cookie);
  });

  it("tokens keep a role and district, are stored hashed, and can be revoked", async () => {
    const secret = await store.addToken("prom", "viewer", "Pune", "test");
    expect(await store.token(secret)).toMatchObject({ name: "token:prom", role: "viewer", district: "Pune" });
    expect(JSON.stringify(await storage.query("SELECT * FROM api_tokens", []))).not.toContain(secret);
    await store.deleteToken("prom");
    expect(await store.token(secret)).toBeUndefined();
  });

  it("the audit log lists newest first with paging", async () => {
    for (let i = 0; i < 5; i++) {
      clock += 1000;
      await store.audit({
        actor: "asha",
        action: `a${i}`,
        target: "PS-1",
        detail: "",
        result: "ok",
        address: "::1",
      });
    }
    const page = await store.auditLog({ limit: 2, offset: 1 });
    expect(page.map((e) => e.action)).toEqual(["a3", "a2"]);
  });
});
