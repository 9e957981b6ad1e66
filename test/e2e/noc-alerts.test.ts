// @needs chromium mosquitto
/**
 * The Alerts page in a real browser (Debian's Chromium) against a real NOC and Mosquitto: a station goes
 * dark, its alert appears, the operator acknowledges it from the page, and only the unacknowledged
 * alert of another dark station escalates to the next contact list; the recovery resolves the first.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { launchChromium, signIn } from "../support/chromium.js";
import { afterAll, beforeAll, expect, it } from "vitest";
import { defaultOptions, NocApp } from "../../noc/app.js";
import { parseAlerts } from "../../noc/alerts/rules.js";
import { StationSimulator } from "../../scripts/simulate-stations.js";
import { eventually, freePort, PrivateMosquitto } from "../support/mosquitto.js";

const quiet = {
  warn: () => undefined,
  info: () => undefined,
  error: () => undefined,
  debug: () => undefined,
} as never;
const broker = new PrivateMosquitto();
const dir = mkdtempSync(join(tmpdir(), "noc-ui-alerts-"));
const hooks: { path: string; station?: string; reason: string }[] = [];
let hookServer: Server;
let noc: NocApp;
let sim: StationSimulator;
let ctx: BrowserContext;
let page: Page;

beforeAll(async () => {
  await broker.start();
  const port = await freePort();
  hookServer = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const p = JSON.parse(body) as { station?: string; reason: string };
      hooks.push({ path: req.url ?? "", station: p.station, reason: p.reason });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => hookServer.listen(port, "127.0.0.1", r));
  noc = new NocApp(
    defaultOptions({
      mqttUrl: broker.url,
      root: "cctns/uialerts",
      instance: "noc-ui-alerts",
      storage: join(dir, "noc.db"),
      httpPort: 0,
      rollupS: 3600,
      adminToken: "op-token",
      alertTickMs: 250,
      notifyTickMs: 100,
      alerts: parseAlerts(
        `
rules:
  - { name: dark, kind: station-dark, severity: critical, for: 1s, correlate: false }
channels:
  first: { type: webhook, url: "http://127.0.0.1:${port}/district-it" }
  second: { type: webhook, url: "http://127.0.0.1:${port}/state-noc" }
contacts:
  - { name: district-it, targets: [{ channel: first }] }
  - { name: state-noc, targets: [{ channel: second }] }
escalation:
  - { after: 0s, contacts: [district-it] }
  - { after: 25s, contacts: [state-noc] }
`,
        "test",
      ),
    }),
    { log: quiet },
  );
  await noc.start();
  await noc.ready;
  sim = new StationSimulator({
    url: broker.url,
    root: "cctns/uialerts",
    count: 3,
    prefix: "LIVE",
    firstIndex: 1,
    districts: 2,
    intervalMs: 0,
    pool: 1,
    connectPerSecond: 50,
    keepaliveS: 2,
  });
  await sim.start();
  await eventually(() => [...noc.fleet.stations.values()].filter((s) => s.row.status === "up").length === 3);
  ctx = await launchChromium(join(dir, "profile"));
  page = ctx.pages()[0] ?? (await ctx.newPage());
  // Acknowledging asks for a note.
  page.on("dialog", (d) => void d.accept("checking the PoP"));
  await noc.auth.addUser("asha", "operator", undefined, "operator-password-1");
  await signIn(page, noc.url, { user: "asha", password: "operator-password-1" });
}, 120_000);

afterAll(async () => {
  await ctx?.close();
  await sim?.stop(false);
  await noc?.stop();
  hookServer?.close();
  await broker.dispose();
  rmSync(dir, { recursive: true, force: true });
});

it("dark -> alert on the page -> acknowledged (no escalation) -> resolved on recovery", async () => {
  await page.goto(new URL("#/alerts", noc.url).href);
  await page.waitForSelector("#alerts-firing");
  sim.kill("LIVE00002");
  sim.kill("LIVE00003");
  const row = page.locator("#alerts-firing tr", { hasText: "LIVE00002" });
  await row.waitFor({ timeout: 30_000 });
  await expect.poll(() => page.textContent("#alert-count"), { timeout: 15_000 }).toBe("2");
  await row.getByRole("button", { name: "Acknowledge" }).click();
  const acked = page.locator("#alerts-acked tr", { hasText: "LIVE00002" });
  await acked.waitFor({ timeout: 15_000 });
  expect(await acked.textContent()).toContain("acknowledged by asha");

  // The unacknowledged one escalates to the state NOC; the acknowledged one never does.
  await eventually(
    () => hooks.some((h) => h.path === "/state-noc" && h.station === "LIVE00003"),
    60_000,
    200,
  );
  expect(
    hooks
      .filter((h) => h.path === "/district-it" && h.reason === "fire")
      .map((h) => h.station)
      .sort(),
  ).toEqual(["LIVE00002", "LIVE00003"]);
  expect(hooks.some((h) => h.path === "/state-noc" && h.station === "LIVE00002")).toBe(false);

  await sim.revive("LIVE00002");
  await page.locator("#alerts-resolved tr", { hasText: "LIVE00002" }).waitFor({ timeout: 30_000 });
  const resolved = page.locator("#alerts-resolved tr", { hasText: "LIVE00002" });
  await resolved.getByRole("button", { name: "History" }).click();
  await page.waitForSelector("#alert-history tr");
  const history = await page.textContent("#alert-history");
  expect(history).toContain("acknowledged");
  expect(history).toContain("asha");
  expect(history).toContain("resolved");
}, 120_000);

it("a window planned from the page with a past start shows the station's dark time as planned", async () => {
  // LIVE00003 has been dark since the test above (never revived), well over the 25 s escalation wait.
  expect(noc.fleet.stations.get("LIVE00003")?.row.status).toBe("down");
  await page.goto(new URL("#/alerts", noc.url).href);
  await page.waitForSelector("#new-window");
  const twoHoursAgo = await page.evaluate(() => {
    const d = new Date(Date.now() - 2 * 3600_000);
    d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
    return d.toISOString().slice(0, 16);
  });
  await page.selectOption('#new-window select[name="scope"]', "station");
  await page.fill('#new-window input[name="target"]', "LIVE00003");
  await page.fill('#new-window input[name="start"]', twoHoursAgo);
  await page.fill('#new-window input[name="hours"]', "3");
  await page.fill('#new-window input[name="reason"]', "PoP router swap, entered late");
  await page.click('#new-window button[type="submit"]');
  const stored = await eventually(async () =>
    (await noc.storage.loadMaintenance(0)).find((m) => m.target === "LIVE00003"),
  );
  // Minutes as the page gave them (datetime-local has no seconds).
  expect(Math.abs(stored.startAt - (Date.now() - 2 * 3600_000))).toBeLessThan(5 * 60_000);
  expect(stored.endAt - stored.startAt).toBe(3 * 3600_000);

  await noc.rollup.tick();
  await page.goto(new URL("#/station/LIVE00003", noc.url).href);
  const today = page.locator("#station-days tbody tr", { hasText: "(so far)" });
  await today.waitFor();
  const cells = (await today.locator("td").allTextContents()).map((t) => t.trim());
  // Day, uptime (planned left out), raw uptime, planned minutes.
  expect(Number(cells[3])).toBeGreaterThan(0.3);
  expect(parseFloat(cells[1]!)).toBeGreaterThan(parseFloat(cells[2]!));
}, 60_000);
