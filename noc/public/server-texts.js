// @ts-check
// station-noc dashboard: texts the server and the stations make (issue 18), worded in the page's
// language from their stable codes and parameters: a dark station's cause detail (`causeDetail.*`), an
// alert's title (`alertTitle.*`) and an event's sentence (`event.<type>`, from the event's own type and
// data), why a rollout halted (`rolloutHalt.*`) and the API's errors (`serverError.*`). The JSON keeps the English words next to the codes; they are shown, marked lang="en", for a code
// this page has no text for. Uses only i18n.js, so test/unit/noc-i18n.test.ts runs it as the page does.
"use strict";

const esc = (v) =>
  String(v ?? "").replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c],
  );
// Server texts carry RFC 3339 times; show every one in this page's zone.
const ISO_TIME = /\b\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d)/g;
const IS_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d)$/;
const localizeTimes = (text) => String(text ?? "").replace(ISO_TIME, (x) => fmtTime(x));
/** Text the server wrote in English: shown as it is, and marked so for screen readers and tests. */
const english = (text) => `<span lang="en">${esc(text)}</span>`;

// Words a station wrote in its own English (a failure reason, the PC's message): shown as written.
const STATION_WORDS = new Set(["reason", "detail", "error", "product"]);
// Identifiers and codes (a USB path, a booking id, a template name): shown as code.
const CODE_WORDS = new Set([
  "after",
  "id",
  "booking",
  "bootId",
  "cause",
  "devices",
  "finger",
  "host",
  "kind",
  "movedTo",
  "path",
  "plan",
  "stage",
  "store",
  "tcn",
  "template",
  "version",
]);

/** A span of seconds in words: "2 h 5 min" (the English as contract/event-words.ts has it). */
function durationText(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return t("duration.seconds", { n: s });
  const m = Math.floor(s / 60);
  if (m < 60) return t("duration.minutes", { n: m });
  const h = Math.floor(m / 60);
  if (h < 48) return t("duration.hours", { h, m: m % 60 });
  return t("duration.days", { d: Math.floor(h / 24), h: h % 24 });
}

/** Thrown for a nested coded text the page has no words for: the whole text falls back to English. */
class UnknownCode extends Error {}

/**
 * Parameters made ready for a message, as HTML: times in the page's zone, seconds (`…S`) as a duration,
 * nested objects flattened (`previous.state` → `previous_state`), codes and station words marked up,
 * a nested coded text (an alert's `detail`) worded itself.
 */
function wordParams(params, prefix = "", out = {}) {
  for (const [k, v] of Object.entries(params || {})) {
    const name = `${prefix}${k}`;
    if (v === null || v === undefined) out[name] = "";
    else if (typeof v === "object" && typeof v.code === "string") {
      const text = causeDetailText(v.code, v.params);
      if (text === undefined) throw new UnknownCode(v.code);
      out[name] = text;
    } else if (Array.isArray(v)) out[name] = esc(v.join(", "));
    else if (typeof v === "object") wordParams(v, `${name}_`, out);
    else if (typeof v === "number")
      out[name] = /S$/.test(k)
        ? durationText(v)
        : k === "nocPct"
          ? fmtNum(Number(v.toFixed(1)), 1) // as the station's own sentence rounds it
          : /Pct$/.test(k)
            ? fmtNum(Math.round(v))
            : v;
    else if (typeof v === "boolean") out[name] = String(v);
    else if (IS_TIME.test(v)) out[name] = fmtTime(v);
    else if (v === "") out[name] = "";
    else if (STATION_WORDS.has(k)) out[name] = `<span lang="en" data-station-words>${esc(v)}</span>`;
    else if (CODE_WORDS.has(k)) out[name] = `<code>${esc(v)}</code>`;
    else out[name] = esc(v);
  }
  return out;
}

/** Every placeholder of the message present: an optional field the data lacks is empty. */
function filled(key, params) {
  const all = { ...params };
  for (const name of placeholders(NOC_CATALOGUES[lang][key])) if (!(name in all)) all[name] = "";
  return all;
}

/** A cause detail in the page's language, or undefined for a code it has no words for. */
function causeDetailText(code, params) {
  if (!code || !hasText(`causeDetail.${code}`)) return undefined;
  return t(`causeDetail.${code}`, filled(`causeDetail.${code}`, wordParams(params)));
}

/** A station's cause detail as HTML: its code worded, else the API's English. */
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- app.js and station.js show it
function causeDetailHtml(s) {
  return causeDetailText(s.causeDetailCode, s.causeDetailParams) ?? english(localizeTimes(s.causeDetail));
}

/** An alert's title as HTML: its code worded, else the engine's English title. */
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- alerts.js shows it
function alertTitleHtml(a) {
  const key = `alertTitle.${a.titleCode}`;
  if (a.titleCode && hasText(key)) {
    try {
      return t(`alertTitle.${a.titleCode}`, filled(key, wordParams(a.titleParams)));
    } catch (e) {
      if (!(e instanceof UnknownCode)) throw e;
    }
  }
  return english(localizeTimes(a.title));
}

/** An event as a sentence in HTML: its type's words, else the server's English, else the data's gist. */
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- station.js shows it
function eventHtml(e, gist) {
  const key = `event.${e.type}`;
  if (hasText(key)) return t(`event.${e.type}`, filled(key, wordParams(e.data)));
  return english(e.text ? localizeTimes(e.text) : gist(e.data));
}

/** Why a rollout halted, as HTML: its code worded, else the API's English. */
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- fleet.js shows it
function haltReasonHtml(r) {
  const key = `rolloutHalt.${r.haltReasonCode}`;
  if (r.haltReasonCode && hasText(key))
    return t(`rolloutHalt.${r.haltReasonCode}`, filled(key, wordParams(r.haltReasonParams)));
  return english(r.haltReason);
}

/** An API error body as an Error that keeps its code and parameters (noc/error-codes.ts). */
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- app.js's get and post throw it
function serverError(body, status) {
  return Object.assign(new Error(body.error || `HTTP ${status}`), { code: body.code, params: body.params });
}

/** An API error as HTML: its code worded, else its English message. */
function serverErrorHtml(e) {
  const key = `serverError.${e.code}`;
  if (e.code && hasText(key)) return t(`serverError.${e.code}`, filled(key, wordParams(e.params)));
  return english(e.message);
}

/** The same as plain text, for a browser dialog. */
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- alerts.js and fleet.js show it
function serverErrorText(e) {
  const box = document.createElement("div");
  box.innerHTML = serverErrorHtml(e);
  return box.textContent;
}
