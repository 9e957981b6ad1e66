import { z } from "zod";
import { unplannedDownS, uptimePct, uptimeRawPct, type Availability } from "./model.js";
import type { DistrictRank, StationPeriod } from "./ranking.js";

/**
 * `?lang=hi` on a CSV export (issue 18): the header row in Hindi, for people opening the file in a
 * spreadsheet. Only the headers change. The values are the same bytes in both languages: figures as
 * plain decimals (no lakh grouping, which a spreadsheet would read as text), and ids, link names and
 * audit codes as the API has them, so a script can read either file by column position.
 */
export const CsvLang = z.enum(["en", "hi"], { error: 'must be "en" or "hi"' }).default("en");
/** The `lang` of a CSV request's query. */
export const CsvLangQuery = z.object({ lang: CsvLang });
export type CsvLang = z.infer<typeof CsvLang>;

const HINDI_HEADERS: Record<string, string> = {
  month: "महीना",
  rank: "स्थान",
  district: "ज़िला",
  stations: "थाने",
  station: "थाना",
  name: "नाम",
  uptime_pct: "उपलब्धता %",
  accounted_min: "गिना गया समय (मिनट)",
  up_min: "चालू (मिनट)",
  outage_power_min: "बिजली से बंद (मिनट)",
  outage_network_min: "नेटवर्क से बंद (मिनट)",
  outage_network_by_link_min: "लिंकवार नेटवर्क बंद (मिनट)",
  outage_agent_min: "एजेंट बंद (मिनट)",
  dark_unattributed_min: "कारण बताए बिना संपर्क से बाहर (मिनट)",
  unknown_min: "अज्ञात (मिनट)",
  on_backup_min: "बैकअप पर (मिनट)",
  planned_down_min: "नियोजित बंद समय (मिनट)",
  unplanned_down_min: "अनियोजित बंद समय (मिनट)",
  uptime_raw_pct: "सकल उपलब्धता % (नियोजित बंद सहित)",
  at: "समय (UTC)",
  actor: "कौन",
  action: "कार्रवाई",
  target: "किस पर",
  detail: "विवरण",
  result: "परिणाम",
  address: "पता",
};

/** The header row; in Hindi each column's name, which must be in the table above. */
export function csvHeader(names: string[], lang: CsvLang): string {
  if (lang === "en") return csvLine(names);
  return csvLine(
    names.map((n) => {
      const hi = HINDI_HEADERS[n];
      if (hi === undefined) throw new Error(`no Hindi name for CSV column ${n}`);
      return hi;
    }),
  );
}

/**
 * The whole file. A Hindi file starts with a byte-order mark: without it a spreadsheet on Windows
 * reads UTF-8 as its local code page and the Devanagari headers turn to mojibake.
 */
export function csvFile(lines: string[], lang: CsvLang): string {
  return (lang === "hi" ? "\uFEFF" : "") + lines.join("\r\n") + "\r\n";
}

export function csvLine(values: (string | number | null | undefined)[]): string {
  return values
    .map((v) => {
      if (v === null || v === undefined) return "";
      const s = String(v);
      // Quote separators and quotes; prefix formula starters so a spreadsheet does not evaluate them.
      // A leading TAB or CR is one too: spreadsheets strip it and then read the formula behind it.
      const safe = /^[=+\-@\t\r]/.test(s) && typeof v === "string" ? `'${s}` : s;
      return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
    })
    .join(",");
}

const minutes = (s: number) => Math.round((s / 60) * 10) / 10;
const pct = (p: number | null) => (p === null ? "" : p.toFixed(3));

function figures(a: Availability): (string | number)[] {
  const links = Object.entries(a.networkLinks)
    .sort()
    .map(([l, s]) => `${l}:${minutes(s)}`)
    .join(" ");
  return [
    pct(uptimePct(a)),
    minutes(a.windowS),
    minutes(a.upS),
    minutes(a.down.power),
    minutes(a.down.network),
    links,
    minutes(a.down.agent),
    minutes(a.down.unattributed),
    minutes(a.unknownS),
    minutes(a.backupS),
    minutes(a.plannedS),
    minutes(unplannedDownS(a)),
    pct(uptimeRawPct(a)),
  ];
}

/** uptime_pct leaves planned down time out (the ranking's figure); uptime_raw_pct counts it. */
const FIGURE_HEADERS = [
  "uptime_pct",
  "accounted_min",
  "up_min",
  "outage_power_min",
  "outage_network_min",
  "outage_network_by_link_min",
  "outage_agent_min",
  "dark_unattributed_min",
  "unknown_min",
  "on_backup_min",
  // Added with maintenance windows; appended so that the columns before keep their places.
  "planned_down_min",
  "unplanned_down_min",
  "uptime_raw_pct",
];

export function rankingCsv(month: string, ranks: DistrictRank[], lang: CsvLang = "en"): string {
  const lines = [csvHeader(["month", "rank", "district", "stations", ...FIGURE_HEADERS], lang)];
  for (const r of ranks)
    lines.push(csvLine([month, r.rank, r.district, r.stations, ...figures(r.availability)]));
  return csvFile(lines, lang);
}

export function stationsCsv(
  month: string,
  rows: (StationPeriod & { name?: string })[],
  lang: CsvLang = "en",
): string {
  const lines = [csvHeader(["month", "station", "name", "district", ...FIGURE_HEADERS], lang)];
  for (const r of rows)
    lines.push(csvLine([month, r.station, r.name ?? "", r.district, ...figures(r.availability)]));
  return csvFile(lines, lang);
}
