/**
 * The NOC API's route table: path parameters reach the handler decoded, an unknown path is 404, a known
 * path with the wrong method is 405 naming the allowed one, a bad escape or station id is 400, and
 * commands need the operator role (authentication itself is the gate's: test/integration/noc-auth.test.ts).
 * Real fleet and SQLite store; no broker (no command is sent).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../noc/auth/roles.js";
import { Fleet } from "../../noc/fleet.js";
import { Api, HttpError } from "../../noc/http/api.js";
import type { StationCommands } from "../../noc/station-commands.js";
import { CollectorStats } from "../../noc/stats.js";
import { SqliteStorage } from "../../noc/storage/index.js";
import { WriteBuffer } from "../../noc/write-buffer.js";
import { loadBrowser } from "../support/noc-browser.js";

const NOW = Date.parse("2025-03-10T06:00:00Z");
const dir = mkdtempSync(join(tmpdir(), "noc-api-"));
const storage = new SqliteStorage(join(dir, "noc.db"));
let api: Api;

beforeAll(async () => {
  await storage.init();
  const stats = new CollectorStats();
  const fleet = new Fleet(
    new WriteBuffer(storage, stats, { livenessFlushMs: 1000, maxPending: 1000 }),
    stats,
    {
      silentAfterMs: 60_000,
      registry: new Map([["PS-01", { name: "Station one", district: "Pune" }]]),
    },
  );
  fleet.load([], [], NOW);
  api = new Api({
    fleet,
    storage,
    stats,
    // Never reached: every command below is refused before it would be sent.
    commands: {} as StationCommands,
    timeZone: "Asia/Kolkata",
    now: () => NOW,
    audit: async () => undefined,
    status: () => ({ instance: "test" }),
  });
});
afterAll(async () => {
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

const ADMIN: Principal = { name: "a", role: "admin", via: "token" };
const VIEWER: Principal = { name: "v", role: "viewer", via: "token" };
const NASHIK: Principal = { name: "n", role: "operator", district: "Nashik", via: "token" };

async function status(method: string, path: string, who: Principal = VIEWER, body = ""): Promise<number> {
  try {
    await api.handle(method, path, {}, Buffer.from(body), who);
    return 200;
  } catch (e) {
    if (e instanceof HttpError) return e.status;
    throw e;
  }
}

describe("NOC API route table", () => {
  it("passes decoded path parameters to the station routes", async () => {
    const r = await api.handle("GET", "/api/v1/stations/PS%2D01", {}, Buffer.alloc(0), VIEWER);
    expect(r).toMatchObject({ json: { id: "PS-01", name: "Station one" } });
    const ev = await api.handle(
      "GET",
      "/api/v1/stations/PS%2D01/events",
      { limit: "5" },
      Buffer.alloc(0),
      VIEWER,
    );
    expect(ev).toEqual({ json: { station: "PS-01", events: [] } });
  });

  it("answers 404, 405, 400 as a client expects", async () => {
    expect(await status("GET", "/api/v1/nope")).toBe(404);
    expect(await status("GET", "/api/v2/summary")).toBe(404);
    expect(await status("GET", "/api/v1/stations/PS%2D01/nope")).toBe(404);
    expect(await status("GET", "/api/v1/stations/PS99")).toBe(404);
    expect(await status("POST", "/api/v1/summary")).toBe(405);
    expect(await status("DELETE", "/api/v1/stations")).toBe(405);
    expect(await status("GET", "/api/v1/collector/reset-lag")).toBe(405);
    expect(await status("GET", "/api/v1/stations/%E0%A4")).toBe(400);
    expect(await status("GET", "/api/v1/stations/a+b")).toBe(400);
    await expect(api.handle("POST", "/api/v1/summary", {}, Buffer.alloc(0), ADMIN)).rejects.toThrow(
      /takes GET/,
    );
  });

  it("refuses commands below the operator role, and unknown commands or stations above it", async () => {
    const path = "/api/v1/stations/PS%2D01/commands/diagnose";
    expect(await status("POST", path, VIEWER)).toBe(403);
    expect(await status("POST", "/api/v1/stations/PS%2D01/commands/format-disk", ADMIN)).toBe(400);
    expect(await status("POST", "/api/v1/stations/PS99/commands/diagnose", ADMIN)).toBe(404);
    expect(await status("POST", path, ADMIN, "{not json")).toBe(400);
    expect(await status("POST", "/api/v1/collector/reset-lag", VIEWER)).toBe(403);
    expect(await status("POST", "/api/v1/collector/reset-lag", ADMIN)).toBe(200);
  });

  it("holds a district-scoped user to their district on every station route", async () => {
    expect(await status("GET", "/api/v1/stations/PS-01", NASHIK)).toBe(403);
    expect(await status("GET", "/api/v1/stations/PS-01/timeline", NASHIK)).toBe(403);
    expect(await status("GET", "/api/v1/stations/PS-01/events", NASHIK)).toBe(403);
    expect(await status("POST", "/api/v1/stations/PS-01/commands/diagnose", NASHIK)).toBe(403);
    expect(await status("GET", "/api/v1/collector", NASHIK)).toBe(403);
    const list = await api.handle("GET", "/api/v1/stations", { district: "Pune" }, Buffer.alloc(0), NASHIK);
    expect(list).toMatchObject({ json: { total: 0 } });
    const sum = await api.handle("GET", "/api/v1/summary", {}, Buffer.alloc(0), NASHIK);
    expect(sum).toMatchObject({ json: { total: 0, districts: [] } });
  });

  it("gives the errors a person reads a code the dashboard words, saying what the English says", async () => {
    const browser = loadBrowser();
    const refused = async (method: string, path: string, who: Principal, query = {}) => {
      try {
        await api.handle(method, path, query, Buffer.alloc(0), who);
      } catch (e) {
        if (e instanceof HttpError) return e;
      }
      throw new Error(`${path} was not refused`);
    };
    const errors = await Promise.all([
      refused("GET", "/api/v1/stations/PS99", VIEWER),
      refused("POST", "/api/v1/collector/reset-lag", VIEWER),
      refused("GET", "/api/v1/stations/PS-01", NASHIK),
      refused("GET", "/api/v1/collector", NASHIK),
      refused("GET", "/api/v1/nope", VIEWER),
      refused("GET", "/api/v1/stations/PS-01/timeline", VIEWER, { from: "x" }),
    ]);
    expect(errors.map((e) => e.coded?.code)).toEqual([
      "no-station",
      "needs-role",
      "other-district",
      "collector-all-districts",
      "not-found",
      "invalid-input",
    ]);
    for (const e of errors) {
      const shown = { message: e.message, code: e.coded?.code, params: e.coded?.params };
      browser.setLang("en");
      expect(browser.serverErrorHtml(shown).replace(/<[^>]*>/g, "")).toBe(e.message);
      browser.setLang("hi");
      expect(browser.serverErrorHtml(shown), e.message).toMatch(/[\u0900-\u097F]/);
    }
    browser.setLang("hi");
    expect(browser.serverErrorHtml({ message: "teapot" })).toBe('<span lang="en">teapot</span>');
  });
});
