import { unplannedDownS, uptimePct, uptimeRawPct, type Availability } from "./model.js";
import type { DistrictRank, StationPeriod } from "./ranking.js";

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

export function rankingCsv(month: string, ranks: DistrictRank[]): string {
  const lines = [csvLine(["month", "rank", "district", "stations", ...FIGURE_HEADERS])];
  for (const r of ranks)
    lines.push(csvLine([month, r.rank, r.district, r.stations, ...figures(r.availability)]));
  return lines.join("\r\n") + "\r\n";
}

export function stationsCsv(month: string, rows: (StationPeriod & { name?: string })[]): string {
  const lines = [csvLine(["month", "station", "name", "district", ...FIGURE_HEADERS])];
  for (const r of rows)
    lines.push(csvLine([month, r.station, r.name ?? "", r.district, ...figures(r.availability)]));
  return lines.join("\r\n") + "\r\n";
}
