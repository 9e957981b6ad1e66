import type { CodedText, ProbableCause, StationInfo } from "./model.js";

/**
 * Why the NOC thinks a station is not up, in words and as a stable code with parameters (issue 18):
 * the API keeps the English `causeDetail` as it always was and adds `causeDetailCode` and
 * `causeDetailParams`, which the dashboard words in its own language (noc/public/i18n, `causeDetail.*`).
 * Times in parameters are RFC 3339, so that each reader's page shows them in its own zone.
 */
const DETAIL_WORDS = {
  "on-battery": (p) =>
    `was on battery since ${p.since}${p.batteryPct === undefined ? "" : `, battery ${p.batteryPct}%`}`,
  "link-down": (p) => `link ${p.link} down since ${p.since}`,
  "link-degraded": (p) => `link ${p.link} degraded since ${p.since}`,
  "on-backup-link": (p) => `was running on backup link ${p.link}`,
  "connection-lost": () => "connection lost; the station reports the cause when it is back",
  "agent-stopped": () => "agent stopped (clean shutdown)",
  "never-heard": () => "never heard from",
  "noc-not-running": () => "NOC collector was not running",
  "silent-no-will": (p) => `silent for ${p.seconds}s without a Last Will`,
} satisfies Record<string, (p: Record<string, string | number>) => string>;

export type CauseDetailCode = keyof typeof DETAIL_WORDS;
/** Every code a dark or silent station's detail can carry (test/unit/noc-i18n.test.ts checks the catalogues). */
export const CAUSE_DETAIL_CODES = Object.keys(DETAIL_WORDS) as CauseDetailCode[];

/** A cause detail: its code and parameters, and the English words made from them. */
export function causeDetail(
  code: CauseDetailCode,
  params: Record<string, string | number> = {},
): CodedText & { text: string } {
  return { code, params, text: DETAIL_WORDS[code](params) };
}

export interface CauseGuess {
  cause: ProbableCause;
  link?: string;
  detail: CodedText & { text: string };
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
    const params: Record<string, string | number> = { since: p.since };
    if (p.batteryPct !== null) params.batteryPct = Math.round(p.batteryPct);
    return { cause: "power", detail: causeDetail("on-battery", params) };
  }
  const links = Object.values(info.links);
  const failed = links
    .filter((l) => l.state === "down" || l.state === "degraded")
    .sort((a, b) => (a.role === b.role ? 0 : a.role === "primary" ? -1 : 1));
  const first = failed[0];
  if (first) {
    const code = first.state === "down" ? "link-down" : "link-degraded";
    return {
      cause: "network",
      link: first.link,
      detail: causeDetail(code, { link: first.link, since: first.since }),
    };
  }
  const active = links.find((l) => l.active);
  if (active?.role === "backup") {
    return {
      cause: "network",
      link: active.link,
      detail: causeDetail("on-backup-link", { link: active.link }),
    };
  }
  return { cause: "unknown", detail: causeDetail("connection-lost") };
}
