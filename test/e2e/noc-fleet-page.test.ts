// @needs chromium mosquitto
/**
 * The dashboard's Fleet page in Chromium against a real NOC and Mosquitto, with simulated stations: agent
 * versions, a config release, a rollout's rings, and the Halt button (an operator's action, audited).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { launchChromium, signIn } from "../support/chromium.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NocApp } from "../../noc/app.js";
import { StationSimulator } from "../../scripts/simulate-stations.js";
import { eventually, PrivateMosquitto } from "../support/mosquitto.js";
import { startTestNoc } from "../support/noc.js";

const ROOT = "cctns/fleetui";

describe("the Fleet page", () => {
  const broker = new PrivateMosquitto();
  const dir = mkdtempSync(join(tmpdir(), "noc-fleet-ui-"));
  let noc: NocApp;
  let sim: StationSimulator;
  let ctx: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    await broker.start();
    noc = await startTestNoc({
      mqttUrl: broker.url,
      root: ROOT,
      instance: "noc-fleet-ui",
      storage: join(dir, "noc.db"),
      commandTimeoutS: 2,
      fleetTickMs: 60_000,
    });
    sim = new StationSimulator({
      url: broker.url,
      root: ROOT,
      count: 3,
      prefix: "FL",
      firstIndex: 1,
      districts: 2,
      intervalMs: 2000,
      pool: 1,
      connectPerSecond: 50,
      keepaliveS: 10,
    });
    await sim.start();
    await eventually(
      () => [...noc.fleet.stations.values()].filter((l) => l.row.status === "up").length === 3,
    );
    const ops = noc.fleetOps!;
    await ops.config.release({
      version: "cfg-7",
      scope: { kind: "all" },
      settings: { log: { level: "warn" } },
      by: "it-admin",
    });
    // A pilot ring naming a station that is not there holds the rollout: running, nothing sent.
    await ops.rollouts.start({
      version: "0.2.0-1",
      rings: [
        { name: "pilot", stations: ["FL-ABSENT"] },
        { name: "rest", all: true },
      ],
      soakMin: 30,
      maxFailurePct: 5,
      deadlineS: 180,
      by: "it-admin",
    });
    await noc.auth.addUser("noc-operator", "operator", undefined, "operator-password-1");
    ctx = await launchChromium(join(dir, "chromium-profile"));
    page = ctx.pages()[0] ?? (await ctx.newPage());
  }, 120_000);

  afterAll(async () => {
    await ctx?.close();
    await sim?.stop(false);
    await noc?.stop();
    await broker.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("lists versions, the release and the rollout's rings, and an operator halts it", async () => {
    await signIn(page, noc.url, { user: "noc-operator", password: "operator-password-1" });
    await page.click('nav a[data-nav="fleet"]');
    await page.waitForSelector("button[data-halt]");
    const text = (await page.textContent("#main")) ?? "";
    expect(text).toContain("cfg-7");
    expect(text).toContain("all stations");
    expect(text).toMatch(/pilot: 0 of 0/);
    expect(text).toMatch(/rest: 0 of 3 on the new version/);
    page.once("dialog", (d) => void d.accept());
    await page.click("button[data-halt]");
    await expect.poll(() => page.textContent("#main")).toContain("halted by noc-operator");
    expect(await page.$("button[data-halt]")).toBeNull();
    const audit = await noc.auth.auditLog({ limit: 20, offset: 0 });
    expect(audit.map((a) => `${a.actor} ${a.action}`)).toContain("noc-operator fleet.rollout.halt");
  }, 120_000);
});
