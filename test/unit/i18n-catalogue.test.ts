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
