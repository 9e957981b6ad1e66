/**
 * Alert rules over a real fleet and SQLite store: `for:` holds back blips, a PoP cut is one incident
 * (one notification, not 40), a flapping station is one alert, maintenance records without sending,
 * acknowledgement stops escalation, district officers hear only their district, and every change is
 * in the alert's history with who and when.
 */
import { rmSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { AlertEngine } from "../../noc/alerts/engine.js";
import { parseAlerts } from "../../noc/alerts/rules.js";
import type { RegistryEntry } from "../../noc/fleet.js";
import { AlertFleet } from "../support/alert-fleet.js";

const MIN = 60_000;
const RULES = `
dashboardUrl: https://noc.example/
rules:
  - name: dark
    kind: station-dark
    severity: critical
    for: 5m
  - name: battery
    kind: on-battery
    for: 10m
correlation: { minStations: 5, within: 5m }
flapping: { changes: 5, within: 10m }
channels:
  hook: { type: webhook, url: "http://127.0.0.1:9/hook" }
  mail: { type: email, host: 127.0.0.1, from: noc@example.in }
contacts:
  - { name: pune-it, districts: [Pune], targets: [{ channel: mail, to: it.pune@example.in }] }
  - { name: nashik-it, districts: [Nashik], targets: [{ channel: mail, to: it.nashik@example.in }] }
  - { name: state-noc, targets: [{ channel: hook }] }
escalation:
  - { after: 0m, contacts: [pune-it, nashik-it] }
  - { after: 15m, contacts: [state-noc] }
`;

function registry(): Map<string, RegistryEntry> {
  const r = new Map<string, RegistryEntry>();
  for (let i = 1; i <= 40; i++)
    r.set(`PUNE-${i}`, { name: `Pune ${i}`, district: "Pune", pop: "pune-swan-1" });
  for (let i = 1; i <= 3; i++) r.set(`NSK-${i}`, { name: `Nashik ${i}`, district: "Nashik" });
  return r;
}

let f: AlertFleet;
async function setup(yaml = RULES): Promise<AlertFleet> {
  f = new AlertFleet(registry(), yaml);
  await f.start();
  for (const id of f.registry.keys()) f.birth(id);
  await f.at(1000);
  return f;
}
afterEach(async () => {
  await f.storage.close();
  rmSync(f.dir, { recursive: true, force: true });
});

describe("alert rules", () => {
  it("a dark station fires only after for:, notifies its district, resolves with a notice", async () => {
    await setup();
    f.will("NSK-1");
    await f.at(4 * MIN);
    expect(f.engine.open.size).toBe(0); // a blip shorter than for: is no alert
    await f.at(1 * MIN + 1000);
    const [a] = [...f.engine.open.values()];
    expect(a).toMatchObject({ rule: "dark", state: "firing", station: "NSK-1", district: "Nashik" });
    let out = await f.outbox();
    expect(out.map((o) => [o.channel, o.recipient, o.reason])).toEqual([
      ["mail", "it.nashik@example.in", "fire"],
    ]);
    expect(out[0]?.payload.link).toBe("https://noc.example/#/station/NSK-1");
    f.birth("NSK-1");
    await f.at(1000);
    expect(f.engine.open.size).toBe(0);
    out = await f.outbox();
    expect(out.filter((o) => o.reason === "resolve").map((o) => o.recipient)).toEqual([
      "it.nashik@example.in",
    ]);
    const history = await f.storage.alertEvents(a!.id);
    expect(history.map((e) => e.action)).toEqual(["fired", "resolved"]);
  });

  it("a 40-station PoP cut is one incident and one notification; recovery closes it", async () => {
    await setup();
    for (let i = 1; i <= 40; i++) {
      f.will(`PUNE-${i}`);
      if (i % 10 === 0) await f.at(1000);
    }
    await f.at(6 * MIN);
    const sent = [...f.engine.open.values()].filter((a) => !a.suppressed);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ rule: "correlation", kind: "network-incident", severity: "critical" });
    expect(sent[0]?.stations).toHaveLength(40);
    expect(sent[0]?.title).toContain("PoP pune-swan-1: 40 stations dark");
    expect([...f.engine.open.values()].filter((a) => a.suppressed === "incident")).toHaveLength(40);
    expect(await f.outbox()).toHaveLength(1);
    for (let i = 1; i <= 39; i++) f.birth(`PUNE-${i}`);
    await f.at(1000);
    expect([...f.engine.open.values()].find((a) => a.rule === "correlation")?.stations).toEqual(["PUNE-40"]);
    f.birth("PUNE-40");
    await f.at(1000);
    expect(f.engine.open.size).toBe(0);
    const out = await f.outbox();
    expect(out.map((o) => o.reason)).toEqual(["fire", "resolve"]);
  });

  it("power cuts across a district form a power incident", async () => {
    await setup();
    for (let i = 1; i <= 6; i++) {
      f.power(`PUNE-${i}`, true);
      f.will(`PUNE-${i}`);
    }
    await f.at(6 * MIN);
    const sent = [...f.engine.open.values()].filter((a) => !a.suppressed);
    expect(sent.map((a) => a.kind)).toEqual(["power-incident"]);
  });

  it("a station going down and up 5 times in 10 minutes is one flapping alert", async () => {
    await setup();
    for (let i = 0; i < 6; i++) {
      f.will("NSK-2");
      await f.at(30_000);
      f.birth("NSK-2");
      await f.at(30_000);
    }
    f.will("NSK-2");
    await f.at(6 * MIN);
    const open = [...f.engine.open.values()];
    expect(open.map((a) => a.rule)).toEqual(["flapping"]);
    expect(await f.outbox()).toHaveLength(1);
  });

  it("inside a maintenance window alerts are recorded, not sent; after it they are sent", async () => {
    await setup();
    f.engine.addMaintenance({
      scope: "district",
      target: "Nashik",
      startAt: f.t,
      endAt: f.t + 30 * MIN,
      reason: "UPS swap",
      createdBy: "asha",
    });
    f.will("NSK-3");
    await f.at(6 * MIN);
    const [a] = [...f.engine.open.values()];
    expect(a).toMatchObject({ suppressed: "maintenance", state: "firing" });
    expect(await f.outbox()).toHaveLength(0);
    await f.at(25 * MIN);
    expect(a?.suppressed).toBeUndefined();
    expect((await f.outbox()).map((o) => o.recipient)).toEqual(["it.nashik@example.in"]);
  });

  it("an unacknowledged alert escalates to the next list; an acknowledged one does not", async () => {
    await setup();
    f.will("NSK-1");
    f.will("PUNE-1");
    await f.at(6 * MIN);
    const nsk = [...f.engine.open.values()].find((a) => a.station === "NSK-1")!;
    f.engine.acknowledge(nsk.id, "ravi", "on my way");
    await f.at(16 * MIN);
    const out = await f.outbox();
    const escalations = out.filter((o) => o.reason === "escalate");
    expect(escalations.map((o) => [o.payload.station, o.channel])).toEqual([["PUNE-1", "hook"]]);
    // District officers hear only their district: Pune's alert went to Pune's list, not Nashik's.
    expect(
      out.filter((o) => o.payload.station === "PUNE-1" && o.reason === "fire").map((o) => o.recipient),
    ).toEqual(["it.pune@example.in"]);
    const history = await f.storage.alertEvents(nsk.id);
    expect(history.find((e) => e.action === "acknowledged")).toMatchObject({
      actor: "ravi",
      detail: "on my way",
    });
  });

  it("open alerts survive a restart without firing again", async () => {
    await setup();
    f.will("NSK-1");
    await f.at(6 * MIN);
    const before = await f.outbox();
    const engine = new AlertEngine({
      fleet: f.fleet,
      storage: f.storage,
      registry: f.registry,
      now: () => f.t,
      self: () => ({ ingestLagP99Ms: null, flushErrors: 0, brokerConnected: true }),
    });
    engine.setConfig(parseAlerts(RULES, "test.yaml"));
    await engine.start();
    expect([...engine.open.keys()]).toEqual(["dark:NSK-1"]);
    await engine.tick();
    expect(await f.outbox()).toHaveLength(before.length);
  });
});

describe("rules file", () => {
  it("names the path of each mistake", () => {
    expect(() =>
      parseAlerts("rules:\n  - { name: a, kind: station-dark, for: 5 minutes }\n", "r.yaml"),
    ).toThrow(/r\.yaml: rules\.0\.for: "5 minutes" is not a duration/);
    expect(() => parseAlerts("rules: [ { name: a, kind: nope } ]", "r.yaml")).toThrow(
      /r\.yaml: rules\.0\.kind/,
    );
    expect(() =>
      parseAlerts("contacts: [ { name: x, targets: [ { channel: sms1, to: '9' } ] } ]", "r.yaml"),
    ).toThrow(/contacts\.0\.targets\.0\.channel: no channel sms1/);
    expect(() => parseAlerts("rules: [\n", "r.yaml")).toThrow(/r\.yaml line \d+: not valid YAML/);
  });

  it("reads durations and defaults", () => {
    const c = parseAlerts("rules: [ { name: a, kind: on-backup, for: 2h, repeat: 30m } ]", "r.yaml");
    expect(c.rules[0]).toMatchObject({ for: 7_200_000, repeat: 1_800_000, severity: "warning" });
    expect(c.correlation.within).toBe(300_000);
  });
});
