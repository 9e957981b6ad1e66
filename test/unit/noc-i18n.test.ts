/**
 * The NOC dashboard's catalogues (issue 18): the same keys in English and Hindi, the same placeholders,
 * every key the pages name present, and no key left that no page uses. The browser's own i18n.js runs
 * here in a VM context, so its formatter (plurals, lakh grouping, Latin digits) is the one tested.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EVENT_TYPES } from "../../contract/index.js";
import { ALERT_TITLE_CODES } from "../../noc/alerts/titles.js";
import { CAUSE_DETAIL_CODES } from "../../noc/probable-cause.js";
import { HALT_CODES } from "../../noc/rollouts/plan.js";
import { ERROR_CODES } from "../../noc/error-codes.js";
import { loadBrowser, PUBLIC } from "../support/noc-browser.js";

const browser = loadBrowser();
const { en, hi } = browser.NOC_CATALOGUES as { en: Record<string, string>; hi: Record<string, string> };
const pages = readdirSync(PUBLIC)
  .filter((f) => f.endsWith(".js") || f.endsWith(".html"))
  .filter((f) => f !== "i18n.js")
  .map((f) => ({ file: f, text: readFileSync(join(PUBLIC, f), "utf8") }));
const code = pages.map((p) => p.text).join("\n");
const namespaces = [...new Set(Object.keys(en).map((k) => k.split(".")[0]))];
// `status.${s}` and the like: a key is used when the code builds it from such a prefix.
const prefixes = [...code.matchAll(/t\(`([a-zA-Z]+(?:\.[a-zA-Z]+)*\.)\$\{/g)].map((m) => m[1] as string);

/** A message's own words: placeholders, and plural and select keys, left out; branches kept. */
function wordsOf(msg: string): string {
  return browser.walk(msg, (_name, type, rest) =>
    type === "plural" || type === "select"
      ? browser
          .pluralBranches(rest ?? "")
          .map(([, b]) => wordsOf(b))
          .join(" ")
      : "",
  );
}

describe("NOC dashboard catalogues", () => {
  it("have the same keys in English and Hindi", () => {
    expect(Object.keys(hi).sort()).toEqual(Object.keys(en).sort());
  });

  it("use the same placeholders in both languages", () => {
    const differ = Object.keys(en).filter(
      (k) =>
        JSON.stringify(browser.placeholders(en[k] as string)) !==
        JSON.stringify(browser.placeholders(hi[k] as string)),
    );
    expect(differ).toEqual([]);
  });

  it('hold every key the pages name (t("..."), data-i18n, key lists)', () => {
    // Any quoted string shaped like a key of one of the catalogues' namespaces is taken as a key.
    const pattern = new RegExp(`["'](?:${namespaces.join("|")})\\.[A-Za-z0-9.-]+["']`, "g");
    const named = [...new Set([...code.matchAll(pattern)].map((m) => m[0].slice(1, -1)))];
    expect(named.length).toBeGreaterThan(100);
    expect(named.filter((k) => !(k in en))).toEqual([]);
    // Each built prefix has keys behind it.
    expect(prefixes.filter((p) => !Object.keys(en).some((k) => k.startsWith(p)))).toEqual([]);
  });

  it("have no key that no page uses", () => {
    const unused = Object.keys(en).filter(
      (k) => !code.includes(`"${k}"`) && !prefixes.some((p) => k.startsWith(p)),
    );
    expect(unused).toEqual([]);
  });

  it("word every code the server makes: causes, titles, event types, rollout halts, errors", () => {
    const wanted = [
      ...CAUSE_DETAIL_CODES.map((c) => `causeDetail.${c}`),
      ...ALERT_TITLE_CODES.map((c) => `alertTitle.${c}`),
      ...EVENT_TYPES.map((type) => `event.${type}`),
      ...HALT_CODES.map((c) => `rolloutHalt.${c}`),
      ...ERROR_CODES.map((c) => `serverError.${c}`),
    ];
    expect(wanted.filter((k) => !(k in hi))).toEqual([]);
    expect(wanted.filter((k) => !(k in en))).toEqual([]);
    // And nothing under those prefixes that the server never sends (a code renamed on one side only).
    const made = Object.keys(en).filter((k) =>
      /^(causeDetail|alertTitle|event|rolloutHalt|serverError)\./.test(k),
    );
    expect(made.filter((k) => !wanted.includes(k))).toEqual([]);
  });

  it("leave no English text in the Hindi catalogue beyond names such as NOC and UPS", () => {
    const allowed = new Set([
      "NOC",
      "UPS",
      "MQTT",
      "CSV",
      "JSON",
      "API",
      "p50",
      "p99",
      "PC",
      "USB",
      "PoP",
      "CCTNS",
    ]);
    expect(wordsOf("{a, select, none {} other {x {b} y}}")).toBe(" x  y");
    const leftover = Object.entries(hi).flatMap(([k, v]) =>
      (wordsOf(v).match(/[A-Za-z][A-Za-z0-9]*/g) ?? [])
        .filter((w) => !allowed.has(w))
        .map((w) => `${k}: ${w}`),
    );
    expect(leftover).toEqual([]);
  });

  it("format every message in both languages with its placeholders filled", () => {
    for (const lang of ["en", "hi"]) {
      browser.setLang(lang);
      for (const k of Object.keys(en)) {
        const params = Object.fromEntries(browser.placeholders(en[k] as string).map((p) => [p, 2]));
        const text = browser.t(k, params);
        expect(text, k).not.toMatch(/[{}]/);
      }
    }
    browser.setLang("en");
  });
});

describe("the dashboard's number and plural formatting", () => {
  it("groups lakhs and crores with Latin digits in both languages", () => {
    browser.setLang("hi");
    expect(browser.fmtNum(100000)).toBe("1,00,000");
    expect(browser.fmtNum(12345678)).toBe("1,23,45,678");
    expect(browser.fmtNum(1234.5, 1)).toBe("1,234.5");
    expect(browser.fmtNum(100000)).not.toMatch(/[\u0966-\u096F]/); // no Devanagari digits
    browser.setLang("en");
    expect(browser.fmtNum(20005)).toBe("20,005");
    expect(browser.fmtNum(250000)).toBe("2,50,000");
  });

  it("chooses the plural form per language: Hindi 'one' covers 0 and 1", () => {
    browser.setLang("en");
    expect(browser.t("alerts.firingBadge", { n: 1 })).toBe("1 alert firing");
    expect(browser.t("alerts.firingBadge", { n: 0 })).toBe("0 alerts firing");
    expect(browser.t("stations.stuck", { n: 150000 })).toBe("1,50,000 bookings stuck");
    browser.setLang("hi");
    expect(browser.t("stations.stuck", { n: 0 })).toBe("0 बुकिंग अटकी");
    expect(browser.t("stations.stuck", { n: 3 })).toBe("3 बुकिंग अटकीं");
    expect(browser.t("pager.range", { from: 1, to: 50, total: 150000 })).toBe("1,50,000 में से 1–50");
    browser.setLang("en");
  });

  it("says which placeholder a message misses, and falls back to English for a key Hindi lacks", () => {
    expect(() => browser.t("pager.range", { from: 1 })).toThrow(/needs \{to\}/);
    browser.setLang("hi");
    delete hi["nav.fleet"];
    try {
      expect(browser.t("nav.fleet")).toBe("Fleet");
    } finally {
      hi["nav.fleet"] = "फ़्लीट";
      browser.setLang("en");
    }
  });
});
