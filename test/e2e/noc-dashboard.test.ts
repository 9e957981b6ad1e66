// @needs chromium mosquitto
/**
 * The dashboard in a real browser (Debian's Chromium via playwright-core) against a real NOC, a real
 * Mosquitto and simulated stations, with 20,000 stored stations to show paging holds up.
 * Screenshots go to $NOC_SCREENSHOTS (default /tmp/noc-screens).
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NocApp } from "../../noc/app.js";
import { emptyAvailability, type DailyRow, type StationRow } from "../../noc/model.js";
import { emptyBatch, SqliteStorage } from "../../noc/storage/index.js";
import { StationSimulator } from "../../scripts/simulate-stations.js";
import { eventually, PrivateMosquitto } from "../support/mosquitto.js";
import { startTestNoc } from "../support/noc.js";

const ROOT = "cctns/ui";
const SHOTS = process.env.NOC_SCREENSHOTS ?? "/tmp/noc-screens";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const DISTRICTS = ["Pune", "Nagpur", "Nashik", "Thane", "Satara", "Sangli", "Solapur", "Latur"];

/** 20,000 stations already known to the NOC, and a month of hand-made availability for the ranking. */
async function seed(path: string): Promise<void> {
  const s = new SqliteStorage(path);
  await s.init();
  const now = Date.now();
  const stations: StationRow[] = [];
  for (let i = 0; i < 20_000; i++) {
    const district = DISTRICTS[i % DISTRICTS.length] as string;
    const down = i % 97 === 0;
    stations.push({
      id: `ST${String(i).padStart(5, "0")}`,
      name: `${district} PS ${i}`,
      district,
      registered: true,
      firstSeen: now - 40 * 86_400_000,
      lastSeen: now - (down ? 3_600_000 : 1000),
      status: down ? "down" : "up",
      statusSince: now - (down ? 3_600_000 + i * 1000 : 86_400_000),
      ...(down ? { cause: "power" as const, causeDetail: "was on battery" } : {}),
      lastSeq: 100,
      info: { links: {}, devices: {} },
    });
  }
  await s.write({ ...emptyBatch(), stations });
  // January 2025: uptime Satara 99.5 % > Pune 98 % > Nagpur 95 % (one day, one station each).
  const row = (station: string, district: string, upS: number, power: number, network: number): DailyRow => ({
    ...emptyAvailability(),
    station,
    district,
    day: "2025-01-15",
    windowS: 86_400,
    upS,
    down: { power, network, agent: 86_400 - upS - power - network, unattributed: 0 },
    networkLinks: network ? { mpls: network } : {},
  });
  await s.upsertDaily([
    row("ST00001", "Nagpur", 82_080, 4320, 0),
    row("ST00000", "Pune", 84_672, 0, 1728),
    row("ST00004", "Satara", 85_968, 432, 0),
  ]);
  await s.close();
}

describe("station-noc dashboard in Chromium", () => {
  const broker = new PrivateMosquitto();
  const dir = mkdtempSync(join(tmpdir(), "noc-ui-"));
  let noc: NocApp;
  let sim: StationSimulator;
  let ctx: BrowserContext;
  let page: Page;

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    await broker.start();
    await seed(join(dir, "noc.db"));
    noc = await startTestNoc({
      mqttUrl: broker.url,
      root: ROOT,
      instance: "noc-ui",
      storage: join(dir, "noc.db"),
      silentAfterS: 3600,
      rollupS: 3600,
    });
    sim = new StationSimulator({
      url: broker.url,
      root: ROOT,
      count: 5,
      prefix: "LIVE",
      firstIndex: 1,
      districts: 3,
      intervalMs: 2000,
      pool: 1,
      connectPerSecond: 50,
      keepaliveS: 10,
    });
    await sim.start();
    await eventually(
      () => noc.fleet.stations.size === 20_005 && noc.fleet.stations.get("LIVE00005")?.row.status === "up",
    );
    ctx = await chromium.launchPersistentContext(join(dir, "chromium-profile"), {
      executablePath: "/usr/bin/chromium",
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1366, height: 900 },
    });
    page = ctx.pages()[0] ?? (await ctx.newPage());
  }, 120_000);

  afterAll(async () => {
    await ctx?.close();
    await sim?.stop(false);
    await noc?.stop();
    await broker.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("loads the summary with every district and the fleet counts", async () => {
    await page.goto(noc.url);
    await page.waitForSelector("#districts tbody tr");
    const districts = await page.$$eval("#districts tbody tr td:first-child", (tds) =>
      tds.map((t) => t.textContent),
    );
    expect(districts).toEqual(expect.arrayContaining(["Pune", "Nagpur", "Nashik", "Satara"]));
    await expect.poll(() => page.textContent("#counts")).toContain("20,005");
    await page.waitForSelector("#live.on");
    await shot("1-summary");
  });

  it("shows a station that goes dark in the dark list within seconds, without a reload", async () => {
    await page.goto(`${noc.url}#/dark`);
    await page.waitForSelector("#dark-table tbody tr");
    // 20,000 stations, 207 of them down: one page of 50 rendered, not all.
    expect(await page.locator("#dark-table tbody tr").count()).toBe(50);
    await expect.poll(() => page.textContent(".pager")).toContain("of 207");
    await page.waitForSelector("#live.on");
    const st = sim.station("LIVE00002");
    await st.setPower(true);
    await eventually(() => noc.fleet.stations.get("LIVE00002")?.row.info.power?.source === "battery");
    const t0 = Date.now();
    sim.kill("LIVE00002");
    const row = page.locator('#dark-table tbody tr[data-id="LIVE00002"]');
    await row.waitFor({ timeout: 10_000 });
    const seconds = (Date.now() - t0) / 1000;
    expect(await row.textContent()).toContain("power");
    expect(seconds).toBeLessThan(10);
    await shot("2-dark-list");
  });

  it("orders the district ranking by uptime", async () => {
    await page.goto(`${noc.url}#/ranking?month=2025-01`);
    await page.waitForSelector("#ranking tbody tr");
    const rows = await page.$$eval("#ranking tbody tr", (trs) =>
      trs.map((tr) => [...tr.querySelectorAll("td")].slice(0, 4).map((td) => td.textContent?.trim())),
    );
    expect(rows).toEqual([
      ["1", "Satara", "1", "99.50 %"],
      ["2", "Pune", "1", "98.00 %"],
      ["3", "Nagpur", "1", "95.00 %"],
    ]);
    const csv = await (await fetch(new URL("/api/v1/ranking.csv?month=2025-01", noc.url))).text();
    expect(csv.split("\r\n")[1]).toMatch(/^2025-01,1,Satara,1,99\.500,/);
    await shot("3-ranking");
  });

  it("pages through 20,000 stations and opens a station's detail", async () => {
    await page.goto(`${noc.url}#/stations?district=Satara`);
    await page.waitForSelector("#stations-table tbody tr");
    await expect.poll(() => page.textContent(".pager")).toContain("of 2,500");
    await page.click('.pager button[data-p="next"]');
    await expect.poll(() => page.textContent(".pager")).toContain("51–100 of 2,500");
    // An outage whose data is long and full of characters that need escaping: the recent events keep
    // its cause in view and never show half an entity.
    const now = Date.now();
    await sim.station("LIVE00001").event("outage", {
      start: new Date(now - 120_000).toISOString(),
      end: new Date(now - 1000).toISOString(),
      durationS: 119,
      cause: "network",
      link: "mpls",
      evidence: { reason: `"no reply" <from> 'the data centre' & ${"x".repeat(200)}` },
    });
    await eventually(async () => {
      await noc.flush(true);
      return (await noc.storage.recentEvents("LIVE00001", 5)).some((e) => e.type === "outage");
    });
    await page.goto(`${noc.url}#/station/LIVE00001`);
    await page.waitForSelector(".timeline");
    expect(await page.textContent("main h1")).toContain("LIVE00001");
    expect(await page.locator("text=mpls").count()).toBeGreaterThan(0);
    const cell = page.locator("tr", { hasText: "outage" }).locator("code").first();
    expect(await cell.textContent()).toMatch(/^cause: network, link: mpls, .*…$/);
    expect(await cell.innerHTML()).not.toMatch(/&[a-z]*…|&#?\d*…/);
    await shot("4-station");
  });
});
