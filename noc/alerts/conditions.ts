/** Per-station rule conditions over the fleet's current truth: pure, no I/O. */
import type { StationRow } from "../model.js";
import type { Rule } from "./rules.js";
import type { CodedTitle } from "./titles.js";

export interface Condition extends CodedTitle {
  /** When the condition began (the NOC's clock). */
  since: number;
  title: string;
  /** station-dark: the cause class used by correlation. */
  cause?: string;
}

const DEVICE_KIND: Record<string, string> = { scanner: "fingerprint", printer: "printer", ups: "ups" };
const label = (row: StationRow) => (row.name ? `${row.id} (${row.name})` : row.id);
/** The cause detail as its code, else (a row stored before codes) its English words, else nothing. */
const detailOf = (row: StationRow) => row.causeDetailCoded ?? row.causeDetail ?? "";
const parsed = (iso: string | undefined, fallback: number) => {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(t) ? t : fallback;
};

/** The condition of a station rule on one station, or undefined when it does not hold. */
export function stationCondition(rule: Rule, row: StationRow, now: number): Condition | undefined {
  switch (rule.kind) {
    case "station-dark": {
      if (row.status === "up") return undefined;
      const cause = row.cause ?? "unknown";
      if (rule.causes && !(rule.causes as string[]).includes(cause)) return undefined;
      const how = row.status === "down" ? "dark" : "silent";
      return {
        since: row.statusSince,
        cause,
        title: `${label(row)} ${how} (${cause}${row.causeDetail ? `: ${row.causeDetail}` : ""})`,
        titleCode: "station-dark",
        titleParams: { station: label(row), status: row.status, cause, detail: detailOf(row) },
      };
    }
    case "station-silent":
      if (row.status !== "unknown") return undefined;
      return {
        since: row.statusSince,
        title: `${label(row)} silent or unknown: ${row.causeDetail ?? ""}`,
        titleCode: "station-silent",
        titleParams: { station: label(row), detail: detailOf(row) },
      };
    case "on-backup": {
      if (row.status !== "up") return undefined;
      const active = Object.values(row.info.links).find((l) => l.active && l.role === "backup");
      if (!active) return undefined;
      return {
        since: parsed(active.since, now),
        title: `${label(row)} on backup link ${active.link}`,
        titleCode: "on-backup",
        titleParams: { station: label(row), link: active.link },
      };
    }
    case "device-faulted": {
      if (row.status !== "up") return undefined;
      const kinds = rule.devices?.map((d) => DEVICE_KIND[d]);
      const bad = Object.values(row.info.devices).filter(
        (d) =>
          d.health === "faulted" &&
          (!kinds || kinds.includes(d.kind)) &&
          (!rule.reasons || rule.reasons.some((r) => (d.reason ?? "").startsWith(r))),
      );
      if (bad.length === 0) return undefined;
      const since = Math.min(...bad.map((d) => parsed(d.since, now)));
      const what = bad.map((d) => `${d.device} ${d.reason ?? "faulted"}`).join(", ");
      return {
        since,
        title: `${label(row)} device faulted: ${what}`,
        titleCode: "device-faulted",
        titleParams: { station: label(row), devices: what },
      };
    }
    case "on-battery": {
      const p = row.info.power;
      if (row.status !== "up" || !p || !(rule.states as string[]).includes(p.state)) return undefined;
      const pct = p.batteryPct === null ? "" : `, battery ${Math.round(p.batteryPct)}%`;
      return {
        since: parsed(p.since, now),
        title: `${label(row)} UPS ${p.state}${pct}`,
        titleCode: "on-battery",
        titleParams: {
          station: label(row),
          state: p.state,
          batteryPct: p.batteryPct === null ? "" : Math.round(p.batteryPct),
        },
      };
    }
    default:
      return undefined;
  }
}

/** Correlation class of a dark cause: a PoP cut leaves stations unable to say why, so unknown and
 * silent count with network; power is its own class; agent (a clean stop) is never correlated. */
export function causeClass(cause: string | undefined): "network" | "power" | undefined {
  if (cause === "power") return "power";
  if (cause === "network" || cause === "unknown" || cause === "silent" || cause === undefined)
    return "network";
  return undefined;
}
