import type { LinkState } from "../../contract/index.js";
import { clockTime } from "../local-time.js";

/**
 * Plain-words lines for `station-agent status`, read by station staff who are not IT people:
 * what each link is doing, whether it is the one in use, and what to check when it is not working.
 * Times are the process's local time (station time in the daemon); `utc` prints them in UTC (tests).
 */
export function describeLinks(states: readonly LinkState[], now = Date.now(), utc = false): string[] {
  if (states.length === 0) return ["Network links: none configured."];
  return states.map((s) => describeLink(s, now, utc));
}

export function describeLink(s: LinkState, now = Date.now(), utc = false): string {
  const who = `${s.link} (${s.interface}, ${s.role} link)`;
  const since = Date.parse(s.since);
  const when = Number.isFinite(since)
    ? ` since ${clockTime(since, now, utc)} (${duration(now - since)})`
    : "";
  const use = s.active ? "in use" : "standby";
  const f = s.figures;
  const numbers =
    f && f.sent > 0
      ? ` Loss ${fmt(f.lossPct)} %${f.rttMedianMs !== null ? `, typical delay ${fmt(f.rttMedianMs)} ms` : ""}.`
      : "";
  switch (s.state) {
    case "up":
      return `${who}: working, ${use}${when}.${numbers}`;
    case "degraded":
      return `${who}: working poorly, ${use}${when}: ${plainReason(s.reason)}.${numbers}`;
    case "down":
      return `${who}: NOT WORKING${when}: ${plainReason(s.reason)}.${s.active ? " It is still the link in use." : ""}`;
    default:
      return `${who}: ${s.reason ? `cannot be checked: ${s.reason}` : "not checked yet"}.`;
  }
}

/** The monitor's causes, turned into what a person at the station can look at. */
export function plainReason(reason: string | undefined): string {
  if (!reason) return "no reason recorded";
  const [first, ...rest] = reason.split("; ");
  const extra = rest.length ? ` (${rest.join("; ")})` : "";
  const r = first ?? "";
  if (r === "no carrier")
    return `no signal on the cable: it is unplugged, or the router/modem is off${extra}`;
  if (r === "gateway unreachable") return `the local router/modem does not answer${extra}`;
  if (r === "data centre unreachable while gateway answers") {
    return `the local router answers, but the state data centre cannot be reached: a fault at the service provider${extra}`;
  }
  if (r === "data centre unreachable") return `the state data centre cannot be reached${extra}`;
  const missing = /^interface (\S+) does not exist/.exec(r);
  if (missing) return `the network adapter ${missing[1]} is missing (USB modem unplugged?)${extra}`;
  const loss = /^loss ([\d.]+) %/.exec(r);
  if (loss) return `many messages are lost (${loss[1]} %)${extra}`;
  const rtt = /^median RTT ([\d.]+) ms/.exec(r);
  if (rtt) return `it is slow (typical delay ${rtt[1]} ms)${extra}`;
  return reason;
}

function fmt(x: number): string {
  return x >= 10 ? String(Math.round(x)) : String(Math.round(x * 10) / 10);
}

export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} days ${h % 24} h`;
}
