/**
 * The NOC dashboard's i18n.js, both catalogues and server-texts.js, as the page loads them, in a VM
 * context with just enough of a browser: unit tests run the page's own formatter and wording.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createContext, runInContext } from "node:vm";

export const PUBLIC = join(import.meta.dirname, "../../noc/public");

export interface Browser {
  NOC_CATALOGUES: Record<string, Record<string, string>>;
  placeholders(msg: string): string[];
  walk(msg: string, onArg: (name: string, type?: string, rest?: string) => string): string;
  pluralBranches(text: string): [string, string][];
  fmtTime(iso: string): string;
  causeDetailHtml(s: Record<string, unknown>): string;
  alertTitleHtml(a: Record<string, unknown>): string;
  eventHtml(e: Record<string, unknown>, gist: (d: unknown) => string): string;
  haltReasonHtml(r: Record<string, unknown>): string;
  serverErrorHtml(e: { message: string; code?: string; params?: Record<string, unknown> }): string;
  t(key: string, params?: Record<string, unknown>): string;
  fmtNum(n: number, digits?: number): string;
  setLang(lang: string): void;
}

export function loadBrowser(): Browser {
  const store = new Map<string, string>();
  const context = createContext({
    Intl,
    navigator: { languages: ["en-US"], language: "en-US" },
    localStorage: {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => store.set(k, v),
    },
    document: { documentElement: {}, querySelectorAll: () => [], body: { dataset: {} } },
  });
  for (const f of ["i18n.js", "i18n/en.js", "i18n/hi.js", "server-texts.js"])
    runInContext(readFileSync(join(PUBLIC, f), "utf8"), context, { filename: f });
  // Top-level const and function declarations of a script live in the context's global scope.
  return runInContext(
    `({ NOC_CATALOGUES, placeholders, walk, pluralBranches, t, fmtNum, fmtTime, setLang,
        causeDetailHtml, alertTitleHtml, eventHtml, haltReasonHtml, serverErrorHtml })`,
    context,
  ) as Browser;
}
