/**
 * The agent's message catalogues (issue 18): every key in both languages, the same placeholders, no key
 * the code never uses, and the formatter's Indian number grouping and plurals (no Intl in the agent).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { en } from "../../agent/i18n/en.js";
import { formatMessage, groupDigits, placeholders } from "../../agent/i18n/format.js";
import { hi } from "../../agent/i18n/hi.js";
import { pickLang, translator } from "../../agent/i18n/index.js";
import { REASONS } from "../../drivers/fingerprint/quality-verdict.js";
import { englishLeftovers, withoutPlaceholders } from "../support/hindi-words.js";

const ROOT = join(import.meta.dirname, "../..");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === "i18n" ? [] : sources(p);
    return p.endsWith(".ts") && !p.endsWith(".test.ts") ? [readFileSync(p, "utf8")] : [];
  });
}

describe("agent catalogues", () => {
  it("have the same keys in English and Hindi", () => {
    expect(Object.keys(hi).sort()).toEqual(Object.keys(en).sort());
  });

  it("use the same placeholders in both languages", () => {
    const differ = Object.keys(en).filter(
      (k) =>
        JSON.stringify(placeholders(en[k as keyof typeof en])) !==
        JSON.stringify(placeholders(hi[k as keyof typeof hi])),
    );
    expect(differ).toEqual([]);
  });

  it("have no key the code never uses", () => {
    const code = sources(join(ROOT, "agent")).join("\n");
    // `kind.${d.kind}` and the like use every key under that prefix.
    const prefixes = [...code.matchAll(/`([a-z]+(?:\.[a-z]+)*)\.\$\{/g)].map((m) => `${m[1]}.`);
    const unused = Object.keys(en).filter(
      (k) => !code.includes(`"${k}"`) && !prefixes.some((p) => k.startsWith(p)),
    );
    expect(unused).toEqual([]);
  });

  it("format every message in both languages without a missing placeholder", () => {
    for (const lang of ["en", "hi"] as const) {
      const t = translator(lang);
      for (const k of Object.keys(en) as (keyof typeof en)[]) {
        const params = Object.fromEntries(placeholders(en[k]).map((p) => [p, 2]));
        expect(() => t(k, params)).not.toThrow();
      }
    }
  });
});

describe("Hindi catalogue", () => {
  it("keeps no English words but the kept technical ones, commands and option names", () => {
    const english = Object.entries(hi).flatMap(([k, v]) => {
      const left = englishLeftovers(withoutPlaceholders(v));
      return left.length ? [`${k}: ${left.join(" ")}`] : [];
    });
    expect(english).toEqual([]);
  });

  it("the check bites: the English catalogue run through it is full of leftovers", () => {
    const caught = Object.values(en).filter((v) => englishLeftovers(withoutPlaceholders(v)).length > 0);
    expect(caught.length).toBeGreaterThan(Object.keys(en).length * 0.8);
    expect(englishLeftovers("कंप्यूटर: the disk is 96 % full")).toEqual(["the", "disk", "is", "full"]);
    expect(englishLeftovers("थाना HR-PKL-0007, pid 812, /var/lib/x, mqtt.url")).toEqual([]);
  });

  it("says the same as English only where nothing but placeholders and kept words is in it", () => {
    const same = Object.keys(en).filter((k) => en[k as keyof typeof en] === hi[k as keyof typeof hi]);
    // The few that are the same are structure ("{kind} {device}: {health}") or a command to type.
    expect(
      same.filter((k) => englishLeftovers(withoutPlaceholders(en[k as keyof typeof en])).length > 0),
    ).toEqual([]);
  });

  it("words the quality reasons in English exactly as the driver does, so they cannot drift", () => {
    for (const [problem, words] of Object.entries(REASONS))
      expect(en[`quality.${problem}` as keyof typeof en]).toBe(words);
  });
});

describe("formatter without Intl", () => {
  it("groups digits the Indian way in Hindi, the international way in English, same digits", () => {
    expect(groupDigits(100000, "hi")).toBe("1,00,000");
    expect(groupDigits(12345678, "hi")).toBe("1,23,45,678");
    expect(groupDigits(999, "hi")).toBe("999");
    expect(groupDigits(100000, "en")).toBe("100,000");
    expect(groupDigits(-1234.5, "en")).toBe("-1,234.5");
  });

  it("chooses plural forms: Hindi 'one' is 0 and 1, English only 1", () => {
    const m = "{n, plural, one {# one} other {# other}}";
    expect(formatMessage(m, { n: 0 }, "hi")).toBe("0 one");
    expect(formatMessage(m, { n: 0 }, "en")).toBe("0 other");
    expect(formatMessage(m, { n: 1 }, "en")).toBe("1 one");
    expect(formatMessage(m, { n: 150000 }, "hi")).toBe("1,50,000 other");
    expect(formatMessage("{n, plural, =0 {none} other {#}}", { n: 0 }, "en")).toBe("none");
  });

  it("says which placeholder a message misses", () => {
    expect(() => formatMessage("a {b}", {}, "en")).toThrow(/needs \{b\}/);
  });

  it("picks the language: --lang, then the settings, then LANG", () => {
    expect(pickLang("hi", "en", {})).toBe("hi");
    expect(pickLang(undefined, "hi", {})).toBe("hi");
    expect(pickLang(undefined, undefined, { LANG: "hi_IN.UTF-8" })).toBe("hi");
    expect(pickLang(undefined, undefined, { LANG: "C.UTF-8" })).toBe("en");
  });
});
