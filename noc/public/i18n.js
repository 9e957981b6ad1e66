// @ts-check
// station-noc dashboard: the language of the page (issue 18). The catalogues (i18n/en.js, i18n/hi.js)
// load after this file and fill NOC_CATALOGUES; app.js and login.js call i18nStart() once they are in.
// The JSON API stays English; only what a person reads is translated, here in the browser.
"use strict";

/** The catalogues by language; a script's top-level const is seen by the scripts loaded after it. */
/** @type {Record<string, Record<string, string>>} */
const NOC_CATALOGUES = {};

const LANGS = ["en", "hi"];
const LANG_KEY = "noc.lang";
// Stations report in Indian time, and the NOC's ranking days are Indian days; /api/v1/me may name
// another zone (the NOC's --time-zone), which replaces this.
let timeZone = "Asia/Kolkata";
let lang = "en";

/** Stored choice, else the browser's first language we have, else English. */
function initialLang() {
  try {
    const saved = localStorage.getItem(LANG_KEY);
    if (saved && LANGS.includes(saved)) return saved;
  } catch {
    // storage refused (private mode, a policy): the browser's languages still decide
  }
  const wanted = navigator.languages?.length ? navigator.languages : [navigator.language];
  for (const l of wanted) {
    const base = String(l || "")
      .toLowerCase()
      .split("-")[0];
    if (LANGS.includes(base)) return base;
  }
  return "en";
}

// Latin digits in both languages (a form or a spreadsheet reads them), Indian lakh/crore grouping.
const LOCALES = { en: "en-IN", hi: "hi-IN-u-nu-latn" };
const locale = () => LOCALES[lang] || LOCALES.en;

/** A number as people here write it: 1,00,000 (lakh grouping), digits 0-9. */
function fmtNum(n, digits) {
  if (n === null || n === undefined || Number.isNaN(Number(n))) return "—";
  const o = digits === undefined ? {} : { minimumFractionDigits: digits, maximumFractionDigits: digits };
  return new Intl.NumberFormat(locale(), o).format(Number(n));
}

/** A time in the stations' zone, in the page's language; Hindi on the 24-hour clock (no Latin am/pm). */
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- the pages call it
function fmtTime(iso) {
  if (!iso) return "—";
  return new Date(iso).toLocaleString(locale(), {
    timeZone,
    dateStyle: "medium",
    timeStyle: "medium",
    ...(lang === "hi" ? { hourCycle: "h23" } : {}),
  });
}

function matchBrace(s, open) {
  let depth = 0;
  for (let j = open; j < s.length; j++) {
    if (s[j] === "{") depth++;
    else if (s[j] === "}" && --depth === 0) return j;
  }
  throw new Error(`unbalanced braces in "${s}"`);
}

/** `=0 {none} one {# item} other {# items}` → [["=0","none"], ["one","# item"], ...]; select keys may
 * hold hyphens (`on-battery {...}`). */
function pluralBranches(text) {
  const out = [];
  let i = 0;
  while (i < text.length) {
    const m = /^\s*(=?[\w-]+)\s*\{/.exec(text.slice(i));
    if (!m) break;
    const open = i + m[0].length - 1;
    const close = matchBrace(text, open);
    out.push([m[1], text.slice(open + 1, close)]);
    i = close + 1;
  }
  return out;
}

/** Walks a message: plain text and {name}, {name, number} and {name, plural, ...} arguments. */
function walk(msg, onArg) {
  let out = "";
  let i = 0;
  while (i < msg.length) {
    if (msg[i] !== "{") {
      out += msg[i++];
      continue;
    }
    const end = matchBrace(msg, i);
    const m = /^\s*(\w+)\s*(?:,\s*(\w+)\s*(?:,([\s\S]*))?)?$/.exec(msg.slice(i + 1, end));
    if (!m) throw new Error(`bad argument in "${msg}"`);
    out += onArg(m[1], m[2], m[3]);
    i = end + 1;
  }
  return out;
}

/** The argument names a message uses, sorted: both catalogues must agree on them. */
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- test/unit/noc-i18n.test.ts calls it
function placeholders(msg) {
  const names = new Set();
  const visit = (text) =>
    walk(text, (name, type, rest) => {
      names.add(name);
      if (type === "plural" || type === "select")
        for (const [, branch] of pluralBranches(rest || "")) visit(branch);
      return "";
    });
  visit(msg);
  return [...names].sort();
}

/**
 * ICU-style formatting: `{n}`, `{n, number}`, `{n, plural, =0 {...} one {# ...} other {# ...}}` and
 * `{s, select, a {...} other {...}}`, where the branch `none` takes an empty value (an optional part of
 * a server text: `{reason, select, none {} other {: {reason}}}`). Messages are our own text; arguments
 * go in as given, so a caller putting one into HTML escapes it first.
 */
function formatMessage(msg, params, loc) {
  return walk(msg, (name, type, rest) => {
    if (!(name in params)) throw new Error(`message "${msg}" needs {${name}}`);
    const v = params[name];
    if (type === "select") {
      const branches = pluralBranches(rest || "");
      // A value may come as HTML (a code or a station's words, marked up): its text is what is chosen on.
      const text = String(v ?? "").replace(/<[^>]*>/g, "");
      const key = text === "" ? "none" : text;
      const pick = branches.find(([k]) => k === key) || branches.find(([k]) => k === "other");
      if (!pick) throw new Error(`message "${msg}" has no "other" for {${name}}`);
      return formatMessage(pick[1], params, loc);
    }
    if (type === "plural") {
      const branches = pluralBranches(rest || "");
      const exact = branches.find(([k]) => k === `=${v}`);
      const cat = new Intl.PluralRules(loc).select(Number(v));
      const pick = exact || branches.find(([k]) => k === cat) || branches.find(([k]) => k === "other");
      if (!pick) throw new Error(`message "${msg}" has no "other" for {${name}}`);
      return formatMessage(pick[1].replace(/#/g, fmtNum(v)), params, loc);
    }
    return typeof v === "number" ? fmtNum(v) : String(v ?? "");
  });
}

/** The text of `key` in the page's language (English if the key is missing there, the key itself last). */
function t(key, params = {}) {
  const msg = (NOC_CATALOGUES[lang] || {})[key] ?? (NOC_CATALOGUES.en || {})[key];
  if (msg === undefined) return key;
  return formatMessage(msg, params, locale());
}

/** Whether the page's language has a text for `key` (the English catalogue does not stand in here). */
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- server-texts.js asks it
function hasText(key) {
  return key in (NOC_CATALOGUES[lang] || {});
}

/** Fills elements marked data-i18n (text), data-i18n-placeholder and data-i18n-title. */
function applyStatic(root = document) {
  document.documentElement.lang = lang;
  root.querySelectorAll("[data-i18n]").forEach((el) => {
    el.textContent = t(/** @type {HTMLElement} */ (el).dataset.i18n);
  });
  root.querySelectorAll("[data-i18n-placeholder]").forEach((el) => {
    /** @type {HTMLInputElement} */ (el).placeholder = t(
      /** @type {HTMLElement} */ (el).dataset.i18nPlaceholder,
    );
  });
  root.querySelectorAll("[data-i18n-title]").forEach((el) => {
    /** @type {HTMLElement} */ (el).title = t(/** @type {HTMLElement} */ (el).dataset.i18nTitle);
  });
  const titleKey = document.body?.dataset.titleKey;
  if (titleKey) document.title = t(titleKey);
}

/** Remembers the choice for this browser and redraws the fixed texts; `then` redraws the rest. */
function setLang(next, then) {
  if (!LANGS.includes(next)) return;
  lang = next;
  try {
    localStorage.setItem(LANG_KEY, next);
  } catch {
    // not remembered, but this page still switches
  }
  applyStatic();
  if (then) then();
}

/** Picks the language, translates the page, and wires the switch (#lang) to `onChange`. */
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- app.js and login.js call it
function i18nStart(onChange) {
  lang = initialLang();
  applyStatic();
  const select = /** @type {HTMLSelectElement | null} */ (document.getElementById("lang"));
  if (select) {
    select.value = lang;
    select.onchange = () => setLang(select.value, onChange);
  }
}

// eslint-disable-next-line @typescript-eslint/no-unused-vars -- app.js takes the NOC's zone from /me
function setTimeZone(zone) {
  if (zone) timeZone = zone;
}
