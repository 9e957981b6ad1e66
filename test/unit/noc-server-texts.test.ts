/**
 * Server-made texts in the dashboard's language (issue 18): the page words a cause detail, an alert
 * title and an event from their codes and parameters (noc/public/server-texts.js, run here as the page
 * runs it). In English it must say what the server's own English says, so the parameters carry all
 * the facts; in Hindi no English may be left beyond names, codes and the stations' own words; a code
 * the page does not know shows the server's English, marked lang="en".
 */
import { beforeEach, describe, expect, it } from "vitest";
import { eventSentence } from "../../contract/event-words.js";
import type { EventType } from "../../contract/index.js";
import { stationCondition } from "../../noc/alerts/conditions.js";
import { parseAlerts } from "../../noc/alerts/rules.js";
import { ALERT_TITLE_CODES, type AlertTitleCode } from "../../noc/alerts/titles.js";
import type { StationRow } from "../../noc/model.js";
import { causeDetail, guessCause, type CauseDetailCode } from "../../noc/probable-cause.js";
import { step, type RolloutState, type StationProgress } from "../../noc/rollouts/plan.js";
import { EVENT_DOCS } from "../../scripts/mqtt-docs/events.js";
import * as P from "../../scripts/sim/payloads.js";
import { loadBrowser } from "../support/noc-browser.js";

const browser = loadBrowser();
const NOW = Date.parse("2026-03-10T10:00:00Z");
const SINCE = "2026-03-10T09:00:00.000Z";
const ALLOWED = new Set(["NOC", "UPS", "USB", "PC", "PoP", "CCTNS", "MQTT", "p99"]);

/** What a reader sees of the HTML: tags dropped, entities read. */
const text = (html: string) =>
  html
    .replace(/<[^>]*>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
/** Latin words outside code, the stations' own words and names a Hindi page keeps. */
const latinLeft = (html: string, names: string) => {
  const own = new Set(names.match(/[A-Za-z][A-Za-z0-9]*/g) ?? []);
  const words =
    text(html.replace(/<code>.*?<\/code>|<span lang="en"[^>]*>.*?<\/span>/g, "")).match(
      /[A-Za-z][A-Za-z0-9]*/g,
    ) ?? [];
  return words.filter((w) => !ALLOWED.has(w) && !own.has(w));
};
/** The server's English with its RFC 3339 times as the page shows them. */
const localized = (s: string) => s.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, (iso) => browser.fmtTime(iso));
const DEVANAGARI = /[\u0900-\u097F]/;

beforeEach(() => browser.setLang("en"));

describe("event sentences", () => {
  const examples = Object.entries(EVENT_DOCS) as [EventType, { example: Record<string, unknown> }][];
  const variants: [EventType, Record<string, unknown>][] = [
    ...examples.map(([type, d]): [EventType, Record<string, unknown>] => [type, d.example]),
    // The optional parts: without them, and the other branch of each choice.
    ["link.up", { link: "mpls" }],
    ["failover", { from: "4g", to: "mpls", failback: true }],
    ["outage", { start: SINCE, end: SINCE, cause: "power" }],
    ["power.mains-lost", {}],
    ["power.battery-low", { runtimeS: 400 }],
    ["device.attached", { kind: "hid", path: "/dev/hidraw0", configured: false }],
    ["booking.forwarded", { booking: "bk-1", tcn: "T1", by: "cctns-client", waitS: 200_000 }],
    ["host.disk-low", { condition: "cleared", detail: "/ is 80 % full" }],
    ["uptime.daily", { date: "2026-03-09" }],
    ["printer.faulted", { device: "printer1", reason: "no-response" }],
    ["print.failed", { device: "printer1", template: "arrest-receipt", reason: "paper-out" }],
  ];

  it("say in English what contract/event-words.ts says, for every type's example and variants", () => {
    for (const [type, data] of variants) {
      const html = browser.eventHtml({ type, data }, () => "gist");
      expect(html, type).not.toContain('lang="en">');
      expect(text(html), type).toBe(eventSentence(type, data, (iso) => browser.fmtTime(iso)));
    }
  });

  it("read in Hindi for every type, with only names, codes and the stations' own words in Latin", () => {
    browser.setLang("hi");
    for (const [type, data] of variants) {
      const html = browser.eventHtml({ type, data }, () => "gist");
      expect(html, type).toMatch(DEVANAGARI);
      expect(html, type).not.toMatch(/[{}]/);
      expect(latinLeft(html, JSON.stringify(data)), type).toEqual([]);
    }
  });

  it("show the server's English, marked, for a type the page has no words for", () => {
    browser.setLang("hi");
    const e = { type: "radio.jammed", data: { at: SINCE }, text: `Jammed at ${SINCE}.` };
    expect(browser.eventHtml(e, () => "gist")).toBe(
      `<span lang="en">Jammed at ${browser.fmtTime(SINCE)}.</span>`,
    );
    expect(browser.eventHtml({ ...e, text: null }, () => "at: x")).toBe('<span lang="en">at: x</span>');
  });
});

describe("cause details", () => {
  const samples: Record<CauseDetailCode, Record<string, string | number>> = {
    "on-battery": { since: SINCE, batteryPct: 40 },
    "link-down": { link: "mpls", since: SINCE },
    "link-degraded": { link: "4g", since: SINCE },
    "on-backup-link": { link: "4g" },
    "connection-lost": {},
    "agent-stopped": {},
    "never-heard": {},
    "noc-not-running": {},
    "silent-no-will": { seconds: 95 },
  };

  it("say in English what the API's causeDetail says, and read in Hindi", () => {
    for (const [code, params] of Object.entries(samples) as [
      CauseDetailCode,
      Record<string, string | number>,
    ][]) {
      const d = causeDetail(code, params);
      const row = { causeDetail: d.text, causeDetailCode: d.code, causeDetailParams: d.params };
      browser.setLang("en");
      expect(text(browser.causeDetailHtml(row)), code).toBe(localized(d.text));
      browser.setLang("hi");
      const hi = browser.causeDetailHtml(row);
      expect(hi, code).toMatch(DEVANAGARI);
      expect(latinLeft(hi, JSON.stringify(params)), code).toEqual([]);
    }
    browser.setLang("en");
    // Without a battery figure, the optional part goes.
    const d = causeDetail("on-battery", { since: SINCE });
    expect(text(browser.causeDetailHtml({ causeDetailCode: d.code, causeDetailParams: d.params }))).toBe(
      localized(d.text),
    );
  });

  it("come from the Last Will's guess with their codes", () => {
    const power = guessCause({ links: {}, devices: {}, power: P.powerState("A", true, SINCE, NOW) });
    expect(power.detail).toMatchObject({ code: "on-battery", params: { since: SINCE } });
    expect(guessCause({ links: {}, devices: {} }).detail.code).toBe("connection-lost");
  });

  it("show the API's English, marked, for a code the page does not know or a row from before codes", () => {
    browser.setLang("hi");
    expect(browser.causeDetailHtml({ causeDetail: "gone fishing", causeDetailCode: "fishing" })).toBe(
      '<span lang="en">gone fishing</span>',
    );
    expect(browser.causeDetailHtml({ causeDetail: "never heard from" })).toBe(
      '<span lang="en">never heard from</span>',
    );
  });
});

describe("alert titles", () => {
  const rules = parseAlerts(
    `rules:
      - { name: dark, kind: station-dark, severity: critical }
      - { name: silent, kind: station-silent, severity: warning }
      - { name: backup, kind: on-backup, severity: info }
      - { name: battery, kind: on-battery, severity: warning }
      - { name: devices, kind: device-faulted, severity: warning }`,
    "t",
  ).rules;
  const rule = (kind: string) => rules.find((r) => r.kind === kind)!;
  const backup = P.linkState(
    "A",
    { name: "4g", role: "backup", state: "up", active: true, since: SINCE },
    NOW,
  );
  const base: StationRow = {
    id: "PS001",
    name: "Sitabuldi",
    registered: true,
    status: "up",
    statusSince: NOW,
    info: { links: {}, devices: {} },
  };
  const guessed = guessCause({ links: {}, devices: {}, power: P.powerState("A", true, SINCE, NOW) });
  const rows: [string, StationRow][] = [
    [
      "station-dark",
      {
        ...base,
        status: "down",
        cause: "power",
        causeDetail: guessed.detail.text,
        causeDetailCoded: guessed.detail,
      },
    ],
    ["station-dark", { ...base, status: "down", cause: "agent" }],
    ["station-silent", { ...base, status: "unknown", cause: "silent", ...silentDetail() }],
    ["on-backup", { ...base, info: { links: { "4g": backup }, devices: {} } }],
    ["on-battery", { ...base, info: { links: {}, devices: {}, power: P.powerState("A", true, SINCE, NOW) } }],
    [
      "device-faulted",
      {
        ...base,
        info: {
          links: {},
          devices: {
            printer1: P.deviceState(
              "A",
              { id: "printer1", kind: "printer", health: "faulted", since: SINCE, reason: "paper-out" },
              NOW,
            ),
          },
        },
      },
    ],
  ];

  function silentDetail() {
    const d = causeDetail("silent-no-will", { seconds: 120 });
    return { causeDetail: d.text, causeDetailCoded: d };
  }

  it("say in English what the engine's title says, and read in Hindi", () => {
    for (const [kind, row] of rows) {
      const c = stationCondition(rule(kind), row, NOW);
      expect(c, kind).toBeDefined();
      const alert = { title: c!.title, titleCode: c!.titleCode, titleParams: c!.titleParams };
      browser.setLang("en");
      expect(text(browser.alertTitleHtml(alert)), kind).toBe(localized(c!.title));
      browser.setLang("hi");
      const hi = browser.alertTitleHtml(alert);
      expect(hi, kind).toMatch(DEVANAGARI);
      expect(latinLeft(hi, "PS001 Sitabuldi 4g"), `${kind}: ${hi}`).toEqual([]);
    }
  });

  it("read in Hindi for every title code the engine makes", () => {
    const samples: Record<AlertTitleCode, Record<string, unknown>> = {
      "station-dark": { station: "PS001", status: "unknown", cause: "silent", detail: "" },
      "station-silent": { station: "PS001", detail: "" },
      "on-backup": { station: "PS001", link: "4g" },
      "device-faulted": { station: "PS001", devices: "printer1 paper-out" },
      "on-battery": { station: "PS001", state: "battery-low", batteryPct: "" },
      "availability-below.station": { name: "PS001", period: "today", pct: 91.5, belowPct: 95 },
      "availability-below.district": { name: "Nagpur", period: "month", pct: 91.5, belowPct: 95 },
      "sequence-loss": { station: "PS001", lost: 3 },
      flapping: { station: "PS001", times: 5, minutes: 30 },
      "power-incident.pop": { name: "ngp-core", n: 4 },
      "power-incident.district": { name: "Nagpur", n: 4 },
      "network-incident.pop": { name: "ngp-core", n: 4 },
      "network-incident.district": { name: "Nagpur", n: 4 },
      "noc-self.broker-disconnected": {},
      "noc-self.storage-errors": { n: 2 },
      "noc-self.collector-lag": { seconds: 75 },
    };
    expect(Object.keys(samples).sort()).toEqual([...ALERT_TITLE_CODES].sort());
    browser.setLang("hi");
    for (const [code, params] of Object.entries(samples)) {
      const hi = browser.alertTitleHtml({ title: "English", titleCode: code, titleParams: params });
      expect(hi, code).toMatch(DEVANAGARI);
      expect(latinLeft(hi, "PS001 Nagpur ngp core 4g"), `${code}: ${hi}`).toEqual([]);
    }
  });

  it("show the engine's English, marked, for an unknown code, an unknown nested detail, an old alert", () => {
    browser.setLang("hi");
    const title = `PS001 dark since ${SINCE}`;
    const shown = `<span lang="en">PS001 dark since ${browser.fmtTime(SINCE)}</span>`;
    expect(browser.alertTitleHtml({ title })).toBe(shown);
    expect(browser.alertTitleHtml({ title, titleCode: "meteor-strike", titleParams: {} })).toBe(shown);
    const nested = { code: "fishing", params: {} };
    const params = { station: "PS001", status: "down", cause: "unknown", detail: nested };
    expect(browser.alertTitleHtml({ title, titleCode: "station-dark", titleParams: params })).toBe(shown);
  });
});

describe("rollout halt reasons", () => {
  /** A one-station ring whose station ended as `outcome`: the plan halts the rollout. */
  function halted(outcome: StationProgress["outcome"]): RolloutState {
    const state: RolloutState = {
      spec: {
        id: "r1",
        version: "0.2.0",
        rings: [{ name: "pilot", stations: ["PS001"] }],
        soakMs: 0,
        maxFailurePct: 0,
        stationDeadlineMs: 60_000,
      },
      status: "running",
      ring: 0,
      ringSoakStartedAt: null,
      stations: { PS001: { ring: 0, sentAt: NOW, onTargetAt: null, outcome, reason: "apt failed" } },
    };
    step(state, () => ({ online: true, version: "0.1.0" }), NOW);
    expect(state.status).toBe("halted");
    return state;
  }
  const view = (s: RolloutState) => ({
    haltReason: s.haltReason,
    haltReasonCode: s.haltCode,
    haltReasonParams: s.haltParams,
  });

  it("say in English what the plan's haltReason says, and read in Hindi", () => {
    const states = [halted("rolled-back"), halted("failed")];
    const byHand = {
      haltReason: "halted by ops-admin",
      haltReasonCode: "halted-by",
      haltReasonParams: { who: "ops-admin" },
    };
    for (const r of [...states.map(view), byHand]) {
      browser.setLang("en");
      expect(text(browser.haltReasonHtml(r))).toBe(r.haltReason);
      browser.setLang("hi");
      const hi = browser.haltReasonHtml(r);
      expect(hi, r.haltReason).toMatch(DEVANAGARI);
      expect(latinLeft(hi, "PS001 pilot ops admin"), hi).toEqual([]);
    }
    expect(states.map((s) => s.haltCode)).toEqual(["station-rolled-back", "ring-failed"]);
  });

  it("show the English, marked, for a rollout halted before codes", () => {
    browser.setLang("hi");
    expect(browser.haltReasonHtml({ haltReason: "2 of 3 failed", haltReasonCode: null })).toBe(
      '<span lang="en">2 of 3 failed</span>',
    );
  });
});
