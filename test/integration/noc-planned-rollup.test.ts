/**
 * Maintenance windows planned after the fact, or ended early, through the NOC's API: the days already
 * rolled up are recomputed, and a restart before the recompute does not forget it. Real SQLite and the
 * real NOC (no broker needed: the history is written to the store first); the NOC's clock is the test's.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, expect, it } from "vitest";
import { defaultOptions, NocApp } from "../../noc/app.js";
import type { DailyRow, StationRow, StatusChange } from "../../noc/model.js";
import { emptyBatch, SqliteStorage } from "../../noc/storage/index.js";
import { eventually, freePort } from "../support/mosquitto.js";

const H = 3600_000;
const DAY1 = "2025-03-11";
const DAY2 = "2025-03-12";
const at = (day: string, h: number) => Date.parse(`${day}T00:00:00+05:30`) + h * H;
const TOKEN = "planned-rollup-test-token";
const dir = mkdtempSync(join(tmpdir(), "noc-planned-"));
const db = join(dir, "noc.db");
let clock = at(DAY2, 11.5);
let noc: NocApp | undefined;

afterAll(async () => {
  await noc?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const station = (id: string, district: string, status: StationRow["status"], since: number): StationRow => ({
  id,
  district,
  registered: false,
  firstSeen: at("2025-03-10", 0),
  lastSeen: since,
  status,
  statusSince: since,
  info: { links: {}, devices: {} },
});
const change = (id: string, when: number, status: StatusChange["status"]): StatusChange => ({
  station: id,
  at: when,
  status,
});

/**
 * PN-1 (Pune): down 03-11 10:00-14:00, down again 03-12 from 11:00 on.
 * ST-1 (Satara): down 03-11 10:00-12:00.
 */
async function seed(): Promise<void> {
  const s = new SqliteStorage(db);
  await s.init();
  await s.write({
    ...emptyBatch(),
    stations: [station("PN-1", "Pune", "down", at(DAY2, 11)), station("ST-1", "Satara", "up", at(DAY1, 12))],
    statusChanges: [
      change("PN-1", at("2025-03-10", 0), "up"),
      change("PN-1", at(DAY1, 10), "down"),
      change("PN-1", at(DAY1, 14), "up"),
      change("PN-1", at(DAY2, 11), "down"),
      change("ST-1", at("2025-03-10", 0), "up"),
      change("ST-1", at(DAY1, 10), "down"),
      change("ST-1", at(DAY1, 12), "up"),
    ],
  });
  // The rollup last ran on 03-10: its first tick computes 03-10, 03-11 and today.
  await s.setMeta("rollup.lastDay", "2025-03-10");
  await s.close();
}

async function startNoc(): Promise<NocApp> {
  const app = new NocApp(
    defaultOptions({
      mqttUrl: `mqtt://127.0.0.1:${await freePort()}`,
      storage: db,
      httpPort: 0,
      adminToken: TOKEN,
      rollupS: 3600,
      // Far beyond the test: the store's history is what the station did; nothing is marked silent.
      silentAfterS: 86_400,
    }),
    { log: pino({ level: "silent" }), now: () => clock },
  );
  await app.start();
  return app;
}

async function api<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
  const r = await fetch(new URL(`/api/v1/${path}`, noc!.url), {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

type DayView = DailyRow & { uptimePct: number | null; uptimeRawPct: number | null; unplannedDownS: number };
async function dayOf(id: string, day: string): Promise<DayView | undefined> {
  const r = await api<{ days: DayView[] }>("GET", `stations/${id}/availability?month=2025-03`);
  return r.days.find((d) => d.day === day);
}

it("a window planned after the fact recomputes the past day, also across a restart", async () => {
  await seed();
  noc = await startNoc();
  await noc.rollup.tick();
  await eventually(async () => (await dayOf("PN-1", DAY1))?.down.unattributed === 4 * 3600);
  expect(await dayOf("PN-1", DAY1)).toMatchObject({ plannedS: 0, unplannedDownS: 4 * 3600 });

  // Yesterday 09:00-12:00 for the Pune district, entered today.
  await api("POST", "maintenance", {
    scope: "district",
    target: "Pune",
    start: new Date(at(DAY1, 9)).toISOString(),
    end: new Date(at(DAY1, 12)).toISOString(),
    reason: "UPS swap (entered late)",
  });
  expect(JSON.parse((await noc.storage.getMeta("rollup.dueDays")) ?? "[]")).toEqual([DAY1]);

  // Restarted before the next tick: the day is still due, and the first tick recomputes it.
  await noc.stop();
  noc = await startNoc();
  await noc.rollup.tick();
  await eventually(async () => (await dayOf("PN-1", DAY1))?.plannedS === 2 * 3600);
  const pn = (await dayOf("PN-1", DAY1))!;
  // 10:00-12:00 of the 10:00-14:00 outage was planned; 12:00-14:00 was not.
  expect(pn).toMatchObject({ upS: 20 * 3600, unplannedDownS: 2 * 3600 });
  expect(pn.uptimePct).toBeCloseTo((100 * 20) / 22, 9);
  expect(pn.uptimeRawPct).toBeCloseTo((100 * 20) / 24, 9);
  // Satara's station was down in the same hours: not its district's window.
  expect(await dayOf("ST-1", DAY1)).toMatchObject({ plannedS: 0, unplannedDownS: 2 * 3600 });
  expect(JSON.parse((await noc.storage.getMeta("rollup.dueDays")) ?? "[]")).toEqual([]);
});

it("a window ended early counts up to its end, not to its planned end", async () => {
  // Now 11:30 on 03-12; PN-1 has been down since 11:00. A window 10:00-20:00 for it.
  const w = await api<{ id: string }>("POST", "maintenance", {
    scope: "station",
    target: "PN-1",
    start: new Date(at(DAY2, 10)).toISOString(),
    end: new Date(at(DAY2, 20)).toISOString(),
    reason: "router replacement",
  });
  await noc!.rollup.tick();
  expect(await dayOf("PN-1", DAY2)).toMatchObject({ plannedS: 0.5 * 3600, unplannedDownS: 0 });

  // Ended at 12:00; an hour later the station is still down: that hour is not planned.
  clock = at(DAY2, 12);
  await api("POST", `maintenance/${w.id}/end`, {});
  clock = at(DAY2, 13);
  await noc!.rollup.tick();
  const pn = (await dayOf("PN-1", DAY2))!;
  expect(pn).toMatchObject({ windowS: 13 * 3600, upS: 11 * 3600, plannedS: 3600, unplannedDownS: 3600 });
  expect(pn.uptimePct).toBeCloseTo((100 * 11) / 12, 9);

  // The month's figures and the ranking agree with the days.
  const month = await api<{ items: { station: string; availability: { plannedS: number } }[] }>(
    "GET",
    "availability?month=2025-03",
  );
  expect(month.items.find((i) => i.station === "PN-1")?.availability.plannedS).toBe(2 * 3600 + 3600);
  const csv = await (
    await fetch(new URL("/api/v1/availability.csv?month=2025-03", noc!.url), {
      headers: { authorization: `Bearer ${TOKEN}` },
    })
  ).text();
  const [head, ...lines] = csv.trim().split("\r\n");
  const col = (name: string) => head!.split(",").indexOf(name);
  const pnLine = lines.find((l) => l.split(",")[1] === "PN-1")!.split(",");
  expect(pnLine[col("planned_down_min")]).toBe("180");
});

it("refuses a window longer than a month, or one starting over a month ago, and changes nothing", async () => {
  const post = (body: unknown) =>
    fetch(new URL("/api/v1/maintenance", noc!.url), {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const before = await api<{ windows: unknown[] }>("GET", "maintenance");
  const dueBefore = await noc!.storage.getMeta("rollup.dueDays");
  const day = 86_400_000;
  // A typo'd year: from now until 2206.
  const long = await post({ scope: "all", end: "2206-03-12T20:00:00+05:30", reason: "typo" });
  expect(long.status).toBe(400);
  expect(await long.json()).toMatchObject({ code: "window-too-long", params: { days: 31 } });
  const old = await post({
    scope: "district",
    target: "Pune",
    start: new Date(clock - 40 * day).toISOString(),
    end: new Date(clock - 39 * day).toISOString(),
    reason: "entered far too late",
  });
  expect(old.status).toBe(400);
  expect(await old.json()).toMatchObject({ code: "window-start-too-old" });
  expect((await api<{ windows: unknown[] }>("GET", "maintenance")).windows).toEqual(before.windows);
  expect(await noc!.storage.getMeta("rollup.dueDays")).toBe(dueBefore);
  // The longest allowed, starting as far back as allowed, is taken.
  const ok = await post({
    scope: "station",
    target: "PN-1",
    start: new Date(clock - 30 * day).toISOString(),
    end: new Date(clock + day).toISOString(),
    reason: "a month of works",
  });
  expect(ok.status).toBe(200);
});
