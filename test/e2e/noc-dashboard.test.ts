// @needs chromium mosquitto
/**
 * The dashboard in a real browser (Debian's Chromium via playwright-core) against a real NOC, a real
 * Mosquitto and simulated stations, with 20,000 stored stations to show paging holds up. Signed in as an
 * admin, then as a district viewer who sees one district and is refused the others (issue 14).
 * Screenshots go to $NOC_SCREENSHOTS (default /tmp/noc-screens).
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { launchChromium, signIn as signInAt } from "../support/chromium.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NocApp } from "../../noc/app.js";
import { emptyAvailability, type DailyRow, type StationRow } from "../../noc/model.js";
import { emptyBatch, SqliteStorage } from "../../noc/storage/index.js";
import { StationSimulator } from "../../scripts/simulate-stations.js";
import { eventually, PrivateMosquitto } from "../support/mosquitto.js";
import { startTestNoc } from "../support/noc.js";

const ROOT = "cctns/ui";
const SHOTS = process.env.NOC_SCREENSHOTS ?? "/tmp/noc-screens";
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
    // Half of Nagpur's power outage was inside a maintenance window: planned.
    { ...row("ST00001", "Nagpur", 82_080, 4320, 0), plannedS: 2160 },
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
  let token = "";
  const ADMIN = { user: "ops-admin", password: "admin-password-1" };
  const VIEWER = { user: "satara-it", password: "viewer-password-1" };

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
    ctx = await launchChromium(join(dir, "chromium-profile"));
    page = ctx.pages()[0] ?? (await ctx.newPage());
    await noc.auth.addUser(ADMIN.user, "admin", undefined, ADMIN.password);
    await noc.auth.addUser(VIEWER.user, "viewer", "Satara", VIEWER.password);
    token = await noc.auth.addToken("e2e-script", "viewer", undefined, "test");
  }, 120_000);

  const signIn = (who: { user: string; password: string }) => signInAt(page, noc.url, who);

  /** fetch() from inside the page: the browser's own cookie, as an attacker's script would have it. */
  const inPage = (path: string, init?: { method?: string; headers?: Record<string, string> }) =>
    page.evaluate(
      async ([p, i]) => {
        const r = await fetch(p, i);
        return { status: r.status, body: await r.text() };
      },
      [path, init ?? {}] as const,
    );

  afterAll(async () => {
    await ctx?.close();
    await sim?.stop(false);
    await noc?.stop();
    await broker.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("sends a browser without a session to the login page, and the API answers 401", async () => {
    await page.goto(noc.url);
    await page.waitForURL(/\/login$/);
    expect((await inPage("/api/v1/summary")).status).toBe(401);
    await page.fill('input[name="user"]', ADMIN.user);
    await page.fill('input[name="password"]', "wrong-password");
    await page.click('button[type="submit"]');
    await expect.poll(() => page.textContent("#login-error")).toContain("wrong user name or password");
  });

  it("loads the summary with every district and the fleet counts", async () => {
    await signIn(ADMIN);
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

  it("orders the district ranking by uptime, with planned down time apart", async () => {
    await page.goto(`${noc.url}#/ranking?month=2025-01`);
    await page.waitForSelector("#ranking tbody tr");
    const rows = await page.$$eval("#ranking tbody tr", (trs) =>
      trs.map((tr) => [...tr.querySelectorAll("td")].slice(0, 7).map((td) => td.textContent?.trim())),
    );
    // Rank, district, stations, uptime (planned left out), uptime with planned as down, planned and
    // unplanned down minutes. Nagpur: 82080 / (86400 - 2160) = 97.44 %, 95.00 % counting all of it.
    expect(rows).toEqual([
      ["1", "Satara", "1", "99.50 %", "99.50 %", "0", "7.2"],
      ["2", "Pune", "1", "98.00 %", "98.00 %", "0", "29"],
      ["3", "Nagpur", "1", "97.44 %", "95.00 %", "36", "36"],
    ]);
    const csv = await (
      await fetch(new URL("/api/v1/ranking.csv?month=2025-01", noc.url), {
        headers: { authorization: `Bearer ${token}` },
      })
    ).text();
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
    // The event reads as a sentence with its cause and link; the raw data, escaped, opens on demand.
    const event = page.locator("tr", { hasText: "outage" }).locator("details.event").first();
    expect(await event.locator("summary").textContent()).toMatch(/^Dark from .* on link mpls\.$/);
    const raw = await event.locator("pre").innerHTML();
    expect(raw).toContain("&lt;from&gt;");
    expect(raw).not.toContain("<from>");
    await shot("4-station");
  });

  it("refuses a POST without the CSRF token, takes it with the token, and audits it", async () => {
    const csrf = (JSON.parse((await inPage("/api/v1/me")).body) as { csrf: string }).csrf;
    const bare = await inPage("/api/v1/collector/reset-lag", { method: "POST" });
    expect(bare.status).toBe(403);
    expect(bare.body).toContain("CSRF");
    const wrong = await inPage("/api/v1/collector/reset-lag", {
      method: "POST",
      headers: { "x-csrf-token": "x" },
    });
    expect(wrong.status).toBe(403);
    const ok = await inPage("/api/v1/collector/reset-lag", {
      method: "POST",
      headers: { "x-csrf-token": csrf },
    });
    expect(ok.status).toBe(200);
    await page.goto(`${noc.url}#/collector`);
    await page.waitForSelector("main dl");
    expect(await page.textContent("main dl")).not.toContain("[object Object]");
    expect(await page.textContent("main dl")).toContain("sqlite");
    await page.goto(`${noc.url}#/audit`);
    await page.waitForSelector("main table tbody tr");
    const audit = await page.textContent("main table");
    expect(audit).toContain("collector.reset-lag");
    expect(audit).toContain(ADMIN.user);
    const csv = await inPage("/api/v1/audit.csv");
    expect(csv.body.split("\r\n")[0]).toBe("at,actor,action,target,detail,result,address");
    expect(csv.body).toMatch(/,login,/);
    await shot("5-audit");
  });

  it("a district viewer sees only that district, and gets 403 for another district's station", async () => {
    await page.click("#logout");
    await page.waitForURL(/\/login$/);
    expect((await inPage("/api/v1/summary")).status).toBe(401);
    await signIn(VIEWER);
    await page.waitForSelector("#districts tbody tr");
    const districts = await page.$$eval("#districts tbody tr td:first-child", (tds) =>
      tds.map((t) => t.textContent),
    );
    expect(districts).toEqual(["Satara"]);
    await expect.poll(() => page.textContent("#counts")).toContain("2,500");
    // The list asked for another district still holds Satara's stations only.
    await page.goto(`${noc.url}#/stations?district=Pune`);
    await page.waitForSelector("#stations-table tbody tr");
    const shown = await page.$$eval("#stations-table tbody tr td:nth-child(3)", (tds) => [
      ...new Set(tds.map((t) => t.textContent)),
    ]);
    expect(shown).toEqual(["Satara"]);
    // Through the API, not only the page: ST00000 is in Pune, ST00004 in Satara.
    expect((await inPage("/api/v1/stations/ST00000")).status).toBe(403);
    expect((await inPage("/api/v1/stations/ST00000/timeline")).status).toBe(403);
    expect((await inPage("/api/v1/stations/ST00004")).status).toBe(200);
    expect((await inPage("/api/v1/collector")).status).toBe(403);
    expect((await inPage("/api/v1/audit")).status).toBe(403);
    const ranking = JSON.parse((await inPage("/api/v1/ranking?month=2025-01")).body) as {
      ranks: { district: string }[];
    };
    expect(ranking.ranks.map((r) => r.district)).toEqual(["Satara"]);
    // A viewer may not send commands, and a POST without the CSRF token is refused before that.
    const csrf = (JSON.parse((await inPage("/api/v1/me")).body) as { csrf: string }).csrf;
    expect((await inPage("/api/v1/stations/ST00004/commands/rebirth", { method: "POST" })).status).toBe(403);
    const cmd = await inPage("/api/v1/stations/ST00004/commands/rebirth", {
      method: "POST",
      headers: { "x-csrf-token": csrf },
    });
    expect(cmd.status).toBe(403);
    expect(cmd.body).toContain("operator");
    await shot("6-district-viewer");
  });
});
