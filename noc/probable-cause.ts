import type { ProbableCause, StationInfo } from "./model.js";

export interface CauseGuess {
  cause: ProbableCause;
  link?: string;
  detail: string;
}

const ON_BATTERY = new Set(["on-battery", "battery-low", "shutdown-imminent"]);

/**
 * The NOC's live guess when a station's Last Will arrives, from the last things it reported: on battery
 * means power; a failed link (or running on the backup) means network; otherwise unknown. The station's
 * own outage record, sent when it is back, replaces the guess in the availability figures.
 */
export function guessCause(info: StationInfo): CauseGuess {
  const p = info.power;
  if (p && (p.source === "battery" || ON_BATTERY.has(p.state))) {
    const pct = p.batteryPct === null ? "" : `, battery ${Math.round(p.batteryPct)}%`;
    return { cause: "power", detail: `was on battery since ${p.since}${pct}` };
  }
  const links = Object.values(info.links);
  const failed = links
    .filter((l) => l.state === "down" || l.state === "degraded")
    .sort((a, b) => (a.role === b.role ? 0 : a.role === "primary" ? -1 : 1));
  const first = failed[0];
  if (first) {
    return {
      cause: "network",
      link: first.link,
      detail: `link ${first.link} ${first.state} since ${first.since}`,
    };
  }
  const active = links.find((l) => l.active);
  if (active?.role === "backup") {
    return { cause: "network", link: active.link, detail: `was running on backup link ${active.link}` };
  }
  return { cause: "unknown", detail: "connection lost; the station reports the cause when it is back" };
}
