// @needs chromium mosquitto fonts-lohit-deva
/**
 * The dashboard in Hindi (issue 18) in a real browser (Debian's Chromium) against a real NOC, Mosquitto
 * and simulated stations: the switch on the login page carries into the dashboard, every page reads in
 * Hindi (English is left only in an allow-list of names and in what the stations and server wrote,
 * which the page marks lang="en"), the choice survives a reload, a browser whose language is Hindi
 * starts in Hindi, and Devanagari is drawn with a real font and not as boxes. The font check is shown
 * to catch a machine without one: the same check in a Chromium that sees only a Latin font must fail.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { launchChromium } from "../support/chromium.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NocApp } from "../../noc/app.js";
import { parseAlerts } from "../../noc/alerts/rules.js";
import { emptyAvailability } from "../../noc/model.js";
import { StationSimulator } from "../../scripts/simulate-stations.js";
import { eventually, PrivateMosquitto } from "../support/mosquitto.js";
import { startTestNoc } from "../support/noc.js";

const ROOT = "cctns/hindi";
const SHOTS = process.env.NOC_SCREENSHOTS ?? "/tmp/noc-screens";
const ADMIN = { user: "ops-admin", password: "admin-password-1" };
/** Names that stay in Latin letters in a Hindi page: acronyms, the zone, the API path in the footer. */
const ALLOWED = ["NOC", "CCTNS", "UPS", "USB", "MQTT", "CSV", "JSON", "API", "api", "v1", "p50", "p99", "PC"];
const PAGES = [
  "#/",
  "#/dark",
  "#/stations",
  "#/ranking?month=2025-01",
  "#/station/LIVE00002",
  "#/alerts",
  "#/collector",
  "#/fleet",
  "#/audit",
];

const broker = new PrivateMosquitto();
const dir = mkdtempSync(join(tmpdir(), "noc-hindi-"));
let noc: NocApp;
let sim: StationSimulator;
let ctx: BrowserContext;
let page: Page;
/** Words of the data the page shows as it is: station ids and names, districts, links, devices. */
let dataWords = new Set<string>();

const launch = (profile: string, options: { locale?: string; env?: Record<string, string> } = {}) =>
  launchChromium(join(dir, profile), options);

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  await broker.start();
  noc = await startTestNoc({
    mqttUrl: broker.url,
    root: ROOT,
    instance: "noc-hindi",
    storage: join(dir, "noc.db"),
    rollupS: 3600,
    alertTickMs: 250,
    timeZone: "Asia/Kolkata",
    alerts: parseAlerts(
      "rules: [{ name: dark, kind: station-dark, severity: critical, correlate: false }]",
      "t",
    ),
  });
  sim = new StationSimulator({
    url: broker.url,
    root: ROOT,
    count: 3,
    prefix: "LIVE",
    firstIndex: 1,
    districts: 2,
    intervalMs: 2000,
    pool: 1,
    connectPerSecond: 50,
    keepaliveS: 2,
  });
  await sim.start();
  await eventually(() => [...noc.fleet.stations.values()].filter((s) => s.row.status === "up").length === 3);
  // One station dark on battery: a probable cause, an alert, an outage on the timeline; before it went,
  // a printer fault and a weak backup link, so that its events are of several types.
  await sim.station("LIVE00003").setDevice("printer1", "faulted", "paper-out");
  await sim.station("LIVE00003").setLink("4g", "degraded", false);
  await sim.station("LIVE00003").setPower(true);
  await eventually(() => noc.fleet.stations.get("LIVE00003")?.row.info.power?.source === "battery");
  sim.kill("LIVE00003");
  await eventually(() => noc.fleet.stations.get("LIVE00003")?.row.status === "down", 15_000);
  const words = (s: unknown) => String(s ?? "").match(/[A-Za-z][A-Za-z0-9]*/g) ?? [];
  dataWords = new Set([
    ...words(ADMIN.user),
    ...words("noc-hindi Asia/Kolkata"),
    ...[...noc.fleet.stations.values()].flatMap(({ row }) => [
      ...words(row.id),
      ...words(row.name),
      ...words(row.district),
      ...words(row.info.agentVersion),
      ...Object.keys(row.info.links).flatMap(words),
      ...Object.keys(row.info.devices).flatMap(words),
    ]),
  ]);
  // A month of figures for the ranking page: one district at 98 %, network down on link mpls.
  const district = noc.fleet.stations.get("LIVE00001")?.row.district ?? "";
  await noc.storage.upsertDaily([
    {
      ...emptyAvailability(),
      station: "LIVE00001",
      district,
      day: "2025-01-15",
      windowS: 86_400,
      upS: 84_672,
      down: { power: 0, network: 1728, agent: 0, unattributed: 0 },
      networkLinks: { mpls: 1728 },
    },
  ]);
  await noc.auth.addUser(ADMIN.user, "admin", undefined, ADMIN.password);
  ctx = await launch("profile", { locale: "en-US" });
  page = ctx.pages()[0] ?? (await ctx.newPage());
}, 120_000);

afterAll(async () => {
  await ctx?.close();
  await sim?.stop(false);
  await noc?.stop();
  await broker.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** Latin words in what the page shows (text, titles, placeholders), outside lang="en", code and pre. */
async function englishLeft(p: Page): Promise<string[]> {
  const found = await p.evaluate(() => {
    const out: string[] = [];
    const skip = (el: Element | null) => !!el?.closest('[lang="en"], code, pre, script, style');
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!skip(el) && el?.closest("[hidden]") === null) out.push(n.textContent ?? "");
    }
    for (const el of document.body.querySelectorAll("[title], [placeholder]"))
      if (!skip(el)) out.push(el.getAttribute("title") ?? "", el.getAttribute("placeholder") ?? "");
    out.push(document.title);
    return out;
  });
  return [...new Set(found.join(" ").match(/[A-Za-z][A-Za-z0-9]*/g) ?? [])].filter(
    (w) => !ALLOWED.includes(w) && !dataWords.has(w),
  );
}

/**
 * Latin words in the texts the server made (a dark station's cause detail, alert titles, event
 * sentences), counting what is marked lang="en": only codes and a station's own words (a failure
 * reason it sent) may stay. Also how many such texts there were, so that none found cannot pass.
 */
async function serverEnglishLeft(p: Page, selector: string): Promise<{ count: number; words: string[] }> {
  const found = await p.evaluate((sel) => {
    const texts = [...document.querySelectorAll(sel)].map((el) => {
      const copy = el.cloneNode(true) as Element;
      copy.querySelectorAll("code, pre, [data-station-words]").forEach((x) => x.remove());
      return copy.textContent ?? "";
    });
    return { count: texts.filter((x) => x.trim()).length, text: texts.join(" ") };
  }, selector);
  const words = [...new Set(found.text.match(/[A-Za-z][A-Za-z0-9]*/g) ?? [])].filter(
    (w) => !ALLOWED.includes(w) && !dataWords.has(w),
  );
  return { count: found.count, words };
}

describe("the NOC dashboard in Hindi", () => {
  it("switches to Hindi on the login page, and says a wrong password in Hindi", async () => {
    await page.goto(noc.url);
    await page.waitForURL(/\/login$/);
    expect(await page.textContent("h1")).toBe("Sign in");
    await page.selectOption("#lang", "hi");
    expect(await page.textContent("h1")).toBe("साइन इन");
    expect(await page.getAttribute("html", "lang")).toBe("hi");
    await page.fill('input[name="user"]', ADMIN.user);
    await page.fill('input[name="password"]', "wrong-password");
    await page.click('button[type="submit"]');
    // Password hashing is slow on purpose, and slower on a busy machine.
    await expect
      .poll(() => page.textContent("#login-error"), { timeout: 20_000 })
      .toBe("उपयोगकर्ता नाम या पासवर्ड गलत है");
    expect(await englishLeft(page)).toEqual([]);
    await page.fill('input[name="password"]', ADMIN.password);
    await page.click('button[type="submit"]');
    await page.waitForSelector("#logout");
  });

  it("reads in Hindi on every page, with no English left outside names and the stations' data", async () => {
    for (const hash of PAGES) {
      await page.goto(`${noc.url}${hash}`);
      await page.waitForSelector("main h1");
      await page.waitForLoadState("networkidle");
      if (hash === "#/alerts") await page.waitForSelector("#alerts-firing tbody tr[data-alert]");
      if (hash.startsWith("#/ranking"))
        expect(await page.textContent("#ranking tbody td.num b")).toBe("98.00 %");
      expect(await page.getAttribute("html", "lang"), hash).toBe("hi");
      expect(await englishLeft(page), hash).toEqual([]);
      await page.screenshot({ path: join(SHOTS, `hi-${hash.replace(/\W+/g, "-")}.png`) });
    }
    // Status words and causes come from the catalogue, not from the API's codes.
    await page.goto(`${noc.url}#/dark`);
    const row = page.locator('#dark-table tbody tr[data-id="LIVE00003"]');
    await row.waitFor();
    expect(await row.locator(".badge").first().textContent()).toBe("बंद");
    expect(await row.locator(".cause").textContent()).toBe("बिजली");
    expect(await page.textContent("footer")).toContain("समय Asia/Kolkata के अनुसार");
  });

  it("words a dark station's cause, a firing alert and a station's events in Hindi, not in English", async () => {
    const views: [string, string, string][] = [
      ["#/dark", "#dark-table .cause-detail", "#dark-table tbody tr"],
      ["#/alerts", "#alerts-firing tbody tr[data-alert] td:nth-child(2)", "#alerts-firing tr[data-alert]"],
      ["#/station/LIVE00003", ".cause-detail, details.event summary", "details.event"],
    ];
    const scan = async () => {
      const out: Record<string, { count: number; words: string[] }> = {};
      for (const [hash, selector, ready] of views) {
        await page.goto(`${noc.url}${hash}`);
        await page.waitForSelector(ready);
        await page.waitForLoadState("networkidle");
        out[hash] = await serverEnglishLeft(page, selector);
      }
      return out;
    };
    const hindi = await scan();
    for (const [hash, r] of Object.entries(hindi)) {
      expect(r.count, hash).toBeGreaterThan(0);
      expect(r.words, hash).toEqual([]);
    }
    // The station's events: its printer fault, weak link and mains lost, each as a Hindi sentence.
    expect(hindi["#/station/LIVE00003"]!.count).toBeGreaterThanOrEqual(4);
    await page.goto(`${noc.url}#/station/LIVE00003`);
    await page.waitForSelector("details.event");
    const sentences = await page.locator("details.event summary").allTextContents();
    expect(sentences.some((s) => s.includes("मुख्य बिजली गई"))).toBe(true);
    expect(sentences.some((s) => s.includes("ठीक से काम नहीं कर रहा"))).toBe(true);
    expect(await page.textContent(".cause-detail")).toMatch(/से बैटरी पर था/);
    // A refusal from the API reads in Hindi too: no such station.
    await page.goto(`${noc.url}#/station/NOSUCH9`);
    await page.waitForSelector("main p.error");
    expect(await page.textContent("main p.error")).toBe("विफल: NOSUCH9 नाम का कोई थाना नहीं");
    // The only Latin left is the id asked for.
    expect(await serverEnglishLeft(page, "main p.error")).toEqual({ count: 1, words: ["NOSUCH9"] });
    // The same scan on the English page finds the English words: it would catch an English text.
    await page.selectOption("#lang", "en");
    try {
      const english = await scan();
      for (const [hash, r] of Object.entries(english)) expect(r.words.length, hash).toBeGreaterThan(0);
      expect(english["#/dark"]!.words).toEqual(expect.arrayContaining(["was", "battery"]));
    } finally {
      await page.selectOption("#lang", "hi");
    }
  });

  it("keeps the choice across a reload, and English comes back with the switch", async () => {
    await page.goto(`${noc.url}#/`);
    await page.reload();
    await page.waitForSelector("#districts");
    expect(await page.textContent("main h1")).toBe("सारांश");
    expect(await page.inputValue("#lang")).toBe("hi");
    await page.selectOption("#lang", "en");
    await expect.poll(() => page.textContent("main h1")).toBe("Summary");
    expect(await page.textContent('nav a[data-nav="dark"]')).toBe("Dark stations");
    await page.reload();
    await page.waitForSelector("#districts");
    expect(await page.textContent("main h1")).toBe("Summary");
    await page.selectOption("#lang", "hi");
    await expect.poll(() => page.textContent("main h1")).toBe("सारांश");
  });

  it("starts in Hindi in a browser whose language is Hindi, with nothing chosen yet", async () => {
    const fresh = await launch("profile-hi", { locale: "hi-IN" });
    try {
      const p = fresh.pages()[0] ?? (await fresh.newPage());
      await p.goto(`${noc.url}login`);
      expect(await p.textContent("h1")).toBe("साइन इन");
    } finally {
      await fresh.close();
    }
  });
});

/** Screenshots of two different Devanagari words and of characters no font has, at the same size. */
async function devanagariDrawn(p: Page): Promise<{ distinct: boolean; notTofu: boolean; font: string }> {
  await p.setContent(`<!doctype html><meta charset="utf-8"><body style="margin:0;background:#fff">
    <style>div{font:48px sans-serif;color:#000;display:inline-block;padding:4px}</style>
    <div id="a">कखगघ</div><br><div id="b">चछजझ</div><br><div id="none">&#x0378;&#x0378;&#x0378;&#x0378;</div></body>`);
  const [a, b, none] = await Promise.all(["#a", "#b", "#none"].map((s) => p.locator(s).screenshot()));
  const cdp = await p.context().newCDPSession(p);
  const { root } = await cdp.send("DOM.getDocument");
  const { nodeId } = await cdp.send("DOM.querySelector", { nodeId: root.nodeId, selector: "#a" });
  await cdp.send("CSS.enable");
  const { fonts } = await cdp.send("CSS.getPlatformFontsForNode", { nodeId });
  await cdp.detach();
  return {
    // A missing font draws every letter as the same box: two different words come out the same.
    distinct: !a!.equals(b!),
    notTofu: !a!.equals(none!),
    font: fonts.map((f) => f.familyName).join(", "),
  };
}

describe("Devanagari rendering", () => {
  const families = () =>
    spawnSync("fc-list", [":lang=hi", "family"], { encoding: "utf8" })
      .stdout.split("\n")
      .flatMap((l) => l.split(","))
      .map((f) => f.trim())
      .filter(Boolean);

  it("has a Devanagari font installed (fc-list :lang=hi)", () => {
    expect(families().length).toBeGreaterThan(0);
  });

  it("draws Hindi with that font, not as boxes", async () => {
    const p = await ctx.newPage();
    try {
      const r = await devanagariDrawn(p);
      expect(r.distinct).toBe(true);
      expect(r.notTofu).toBe(true);
      expect(families()).toContain(r.font.split(", ")[0]);
      await p.screenshot({ path: join(SHOTS, "hi-devanagari.png") });
    } finally {
      await p.close();
    }
  });

  it("the same check catches a browser that has no Devanagari font (Latin font only)", async () => {
    const conf = join(dir, "latin-only.conf");
    writeFileSync(
      conf,
      `<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>
<dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>${join(dir, "fc-cache")}</cachedir></fontconfig>`,
    );
    const latin = await launch("profile-latin", {
      env: { ...process.env, FONTCONFIG_FILE: conf },
    });
    try {
      const p = latin.pages()[0] ?? (await latin.newPage());
      const r = await devanagariDrawn(p);
      expect(r.distinct).toBe(false);
      expect(families()).not.toContain(r.font.split(", ")[0]);
    } finally {
      await latin.close();
    }
  });
});
