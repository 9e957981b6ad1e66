/**
 * What a notice says, in the contact's language (issue 18): the email subject, plain and HTML bodies,
 * and the title an SMS template is filled with. The English texts are as they always were. The Hindi
 * ones say what happened from the alert's kind, station and district, in the stations' zone; the
 * engine's own title (English, with the cause detail) follows in the body as the detail.
 */
import type { NotificationPayload } from "../alerts/model.js";

export type Language = "en" | "hi";

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The lines of a body: label, value; empty values are left out. */
type Rows = [string, string][];

function plainOf(head: string, rows: Rows, link: [string, string] | undefined, foot: string): string {
  return [
    head,
    "",
    ...rows.filter(([, v]) => v).map(([k, v]) => `${k}: ${v}`),
    link ? `${link[0]}: ${link[1]}` : "",
    "",
    foot,
  ]
    .filter((l, i, all) => l !== "" || all[i - 1] !== "")
    .join("\n");
}

function htmlOf(lang: Language, head: string, rows: Rows, link: [string, string] | undefined, foot: string) {
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"></head><body><h2>${esc(head)}</h2><table>${rows
    .filter(([, v]) => v)
    .map(([k, v]) => `<tr><th align="left">${esc(k)}</th><td>${esc(v)}</td></tr>`)
    .join(
      "",
    )}</table>${link ? `<p><a href="${esc(link[1])}">${esc(link[0])}</a></p>` : ""}<p style="color:#777">${esc(foot)}</p></body></html>`;
}

// ---- English ----

export function subject(p: NotificationPayload): string {
  const what = p.reason === "resolve" ? "RESOLVED" : p.severity.toUpperCase();
  return `[${what}] ${p.title}`;
}

export function plainText(p: NotificationPayload): string {
  return [
    subject(p),
    "",
    `Rule: ${p.rule}   Severity: ${p.severity}   Since: ${p.startedAt}`,
    p.district ? `District: ${p.district}` : "",
    p.stations?.length ? `Stations (${p.stations.length}): ${p.stations.join(", ")}` : "",
    p.link ? `Open: ${p.link}` : "",
    "",
    `Alert ${p.alertId} (${p.reason})`,
  ]
    .filter((l, i, all) => l !== "" || all[i - 1] !== "")
    .join("\n");
}

export function html(p: NotificationPayload): string {
  const rows: Rows = [
    ["Rule", p.rule],
    ["Severity", p.severity],
    ["Since", p.startedAt],
    ["District", p.district ?? ""],
    ["Stations", p.stations?.join(", ") ?? ""],
  ];
  return htmlOf(
    "en",
    subject(p),
    rows,
    p.link ? ["Open in the NOC dashboard", p.link] : undefined,
    `Alert ${p.alertId} (${p.reason})`,
  );
}

// ---- Hindi ----

const SEVERITY_HI: Record<string, string> = { critical: "गंभीर", warning: "चेतावनी", info: "सूचना" };
const REASON_HI: Record<string, string> = {
  fire: "पहली सूचना",
  repeat: "दोबारा सूचना",
  escalate: "आगे भेजी गई सूचना",
  resolve: "सुलझने की सूचना",
};

/** What happened, in Hindi, from the alert's kind: short enough for a Unicode SMS. */
export function hindiHeadline(p: NotificationPayload): string {
  const st = p.station ? `थाना ${p.station}` : p.district ? `ज़िला ${p.district}` : "सभी थाने";
  const n = p.stations?.length ?? 0;
  const where = p.district ? `, ज़िला ${p.district}` : "";
  switch (p.kind) {
    case "station-dark":
      return `${st} संपर्क से बाहर`;
    case "station-silent":
      return `${st} मौन, स्थिति अज्ञात`;
    case "on-backup":
      return `${st} बैकअप लिंक पर`;
    case "device-faulted":
      return `${st}: उपकरण खराब`;
    case "on-battery":
      return `${st} UPS बैटरी पर`;
    case "availability-below":
      return `${st}: उपलब्धता सीमा से कम`;
    case "sequence-loss":
      return `${st}: कुछ घटनाएँ हमेशा के लिए खो गईं`;
    case "noc-self":
      return "राज्य NOC में समस्या";
    case "flapping":
      return `${st} बार-बार संपर्क खो रहा है`;
    case "power-incident":
      return `बिजली की घटना${where}: ${n} थाने संपर्क से बाहर`;
    case "network-incident":
      return `नेटवर्क की घटना${where}: ${n} थाने संपर्क से बाहर`;
    default:
      return `अलर्ट ${p.rule}: ${st}`;
  }
}

export function hindiSubject(p: NotificationPayload): string {
  const what = p.reason === "resolve" ? "सुलझा" : (SEVERITY_HI[p.severity] ?? p.severity);
  return `[${what}] ${hindiHeadline(p)}`;
}

/** A time in the stations' zone, Hindi words with digits 0-9, on the 24-hour clock (CLDR's Hindi
 * 12-hour clock writes "am"/"pm" in Latin letters). */
export function hindiTime(iso: string, timeZone: string): string {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return iso;
  return new Intl.DateTimeFormat("hi-IN-u-nu-latn", {
    timeZone,
    dateStyle: "medium",
    timeStyle: "short",
    hourCycle: "h23",
  }).format(t);
}

function hindiRows(p: NotificationPayload, timeZone: string): Rows {
  return [
    ["गंभीरता", SEVERITY_HI[p.severity] ?? p.severity],
    ["कब से", hindiTime(p.startedAt, timeZone)],
    ["ज़िला", p.district ?? ""],
    ["थाने", p.stations?.length ? `(${p.stations.length}) ${p.stations.join(", ")}` : ""],
    ["नियम", p.rule],
    ["विवरण (अंग्रेज़ी में)", p.title],
  ];
}

const hindiFoot = (p: NotificationPayload) => `अलर्ट ${p.alertId} (${REASON_HI[p.reason] ?? p.reason})`;

export function hindiPlainText(p: NotificationPayload, timeZone: string): string {
  const link: [string, string] | undefined = p.link ? ["खोलें", p.link] : undefined;
  return plainOf(hindiSubject(p), hindiRows(p, timeZone), link, hindiFoot(p));
}

export function hindiHtml(p: NotificationPayload, timeZone: string): string {
  const link: [string, string] | undefined = p.link ? ["NOC डैशबोर्ड में खोलें", p.link] : undefined;
  return htmlOf("hi", hindiSubject(p), hindiRows(p, timeZone), link, hindiFoot(p));
}

/** Subject, plain text and HTML of an email in the payload's language. */
export function emailTexts(
  p: NotificationPayload,
  timeZone: string,
): { subject: string; text: string; html: string } {
  return p.language === "hi"
    ? { subject: hindiSubject(p), text: hindiPlainText(p, timeZone), html: hindiHtml(p, timeZone) }
    : { subject: subject(p), text: plainText(p), html: html(p) };
}

/** {title} and {severity} of an SMS template in the payload's language. */
export function smsWords(p: NotificationPayload): { title: string; severity: string } {
  if (p.language === "hi")
    return {
      title: p.reason === "resolve" ? `सुलझा: ${hindiHeadline(p)}` : hindiHeadline(p),
      severity: SEVERITY_HI[p.severity] ?? p.severity,
    };
  return {
    title: p.reason === "resolve" ? `RESOLVED ${p.title}` : p.title,
    severity: p.severity.toUpperCase(),
  };
}
