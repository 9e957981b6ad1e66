// @needs mosquitto tzdata
/**
 * Planned down time end to end: real Mosquitto, the real NOC, simulated stations. Two stations of two
 * districts lose their connections (the broker publishes their Last Wills) for the same seconds; one
 * of them is inside a maintenance window planned for its district. The NOC's own rollup (every second
 * here) then shows that station's dark seconds as planned, the other's as unplanned, in the station's
 * days, the month's list, the ranking and the CSV.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { NocApp } from "../../noc/app.js";
import { dayKey } from "../../noc/time.js";
import { StationSimulator } from "../../scripts/simulate-stations.js";
import { eventually, PrivateMosquitto } from "../support/mosquitto.js";
import { startTestNoc } from "../support/noc.js";

const ROOT = "cctns/planned";
const TOKEN = "planned-mosquitto-token";
const broker = new PrivateMosquitto();
const dir = mkdtempSync(join(tmpdir(), "noc-planned-mq-"));
let noc: NocApp;
let sim: StationSimulator;

beforeAll(async () => {
  await broker.start();
  noc = await startTestNoc({
    mqttUrl: broker.url,
    root: ROOT,
    storage: join(dir, "noc.db"),
    adminToken: TOKEN,
    rollupS: 1,
    silentAfterS: 600,
  });
  sim = new StationSimulator({
    url: broker.url,
    root: ROOT,
    count: 2,
    prefix: "PL",
    firstIndex: 1,
    districts: 2,
    intervalMs: 0,
    pool: 1,
    connectPerSecond: 100,
    keepaliveS: 10,
  });
  await sim.start();
  await eventually(
    () =>
      noc.fleet.stations.size === 2 && [...noc.fleet.stations.values()].every((s) => s.row.status === "up"),
  );
});

afterAll(async () => {
  await sim?.stop(false);
  await noc?.stop();
  await broker.dispose();
  rmSync(dir, { recursive: true, force: true });
});

async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const r = await fetch(new URL(`/api/v1/${path}`, noc.url), {
    ...init,
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
  });
  if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return (path.includes(".csv") ? r.text() : r.json()) as Promise<T>;
}

interface Figures {
  uptimePct: number | null;
  uptimeRawPct: number | null;
  unplannedDownS: number;
  availability: { plannedS: number; windowS: number; upS: number; down: { unattributed: number } };
}

it("a station dark inside its district's window shows that time as planned; the other's is not", async () => {
  const [planned, other] = ["PL00001", "PL00002"].map((id) => noc.fleet.stations.get(id)!.row);
  expect(planned!.district).not.toBe(other!.district);
  await api("maintenance", {
    method: "POST",
    body: JSON.stringify({
      scope: "district",
      target: planned!.district,
      end: new Date(Date.now() + 3600_000).toISOString(),
      reason: "UPS swap",
    }),
  });

  sim.kill(planned!.id);
  sim.kill(other!.id);
  await eventually(() => planned!.status === "down" && other!.status === "down");
  await sleep(3000);
  await sim.revive(planned!.id);
  await sim.revive(other!.id);
  await eventually(() => planned!.status === "up" && other!.status === "up");

  // The NOC's rollup runs every second; wait for one after both are back.
  const month = dayKey(Date.now(), "Asia/Kolkata").slice(0, 7);
  const list = await eventually(async () => {
    const r = await api<{ items: (Figures & { station: string })[] }>(`availability?month=${month}`);
    const p = r.items.find((i) => i.station === planned!.id);
    const o = r.items.find((i) => i.station === other!.id);
    return p && o && p.availability.plannedS > 0 && o.unplannedDownS >= 2.5 && { p, o };
  }, 20_000);
  const { p, o } = list;
  // Dark about 3 s (the Last Will until the new birth), all of it inside the window.
  expect(p.availability.plannedS).toBeGreaterThanOrEqual(2.5);
  expect(p.availability.plannedS).toBeCloseTo(p.availability.down.unattributed, 6);
  expect(p.unplannedDownS).toBeCloseTo(0, 6);
  // Planned time is out of the share: nothing else was down, so 100 %; the raw figure is below.
  expect(p.uptimePct).toBeCloseTo(
    (100 * p.availability.upS) / (p.availability.windowS - p.availability.plannedS),
    6,
  );
  expect(p.uptimeRawPct!).toBeLessThan(p.uptimePct!);
  expect(o.availability.plannedS).toBe(0);
  expect(o.uptimeRawPct).toBeCloseTo(o.uptimePct!, 9);

  // The station's days, the ranking (planned apart) and the CSV say the same.
  const days = await api<{ days: (Figures["availability"] & { day: string })[] }>(
    `stations/${planned!.id}/availability`,
  );
  expect(days.days.at(-1)?.plannedS).toBeGreaterThanOrEqual(2.5);
  const ranking = await api<{ ranks: (Figures & { district: string })[] }>(`ranking?month=${month}`);
  const byDistrict = new Map(ranking.ranks.map((r) => [r.district, r]));
  expect(byDistrict.get(planned!.district!)?.availability.plannedS).toBeGreaterThanOrEqual(2.5);
  expect(byDistrict.get(other!.district!)?.availability.plannedS).toBe(0);
  expect(byDistrict.get(other!.district!)?.unplannedDownS).toBeGreaterThanOrEqual(2.5);
  const csv = await api<string>(`ranking.csv?month=${month}`);
  const [head] = csv.split("\r\n");
  expect(head!.endsWith(",on_backup_min,planned_down_min,unplanned_down_min,uptime_raw_pct")).toBe(true);
}, 90_000);
