/**
 * `station-agent status` in plain words, in English or Hindi, for station staff who are not IT people.
 * Every word comes from agent/i18n; times are the process's local time (the CLI sets TZ to the station's).
 */
import type { DeviceState, LinkState } from "../contract/index.js";
import { CATALOGUES, translator, type Lang, type MessageKey, type Translate } from "./i18n/index.js";
import { isNote, wordNote } from "./i18n/note.js";
import { clockTime } from "./local-time.js";
import type { StatusSnapshot } from "./status.js";

export interface RenderOptions {
  now?: number;
  /** IANA zone the times are shown in; the caller sets TZ to it so Date's local getters agree. */
  timezone?: string;
  /** Print times in UTC (tests). */
  utc?: boolean;
  lang?: Lang;
}

const KNOWN_CAUSES = new Set(["power", "agent", "network"]);

/**
 * Plain words for station staff who are not IT people (English unless `lang` says otherwise). Kept out
 * of status.ts, which the daemon loads, so the daemon never carries the catalogues.
 */
export function renderStatus(s: StatusSnapshot, o: RenderOptions | number = {}): string {
  return renderStatusText(s, typeof o === "number" ? { now: o } : o);
}

export function renderStatusText(s: StatusSnapshot, o: RenderOptions = {}): string {
  const now = o.now ?? Date.now();
  const utc = o.utc ?? false;
  const t = translator(o.lang ?? "en");
  const at = (ms: number) => clockTime(ms, now, utc);
  const ago = (ms: number) => duration(t, ms);
  const lines: string[] = [];
  lines.push(
    s.name
      ? t("status.stationNamed", { station: s.station, name: s.name })
      : t("status.station", { station: s.station }),
  );
  if (s.running) lines.push(t("status.agent.running", { version: s.version ?? "?", pid: s.pid ?? "?" }));
  else if (s.lastRun?.stoppedMs) lines.push(t("status.agent.stoppedAt", { time: at(s.lastRun.stoppedMs) }));
  else if (s.lastRun) lines.push(t("status.agent.lastSign", { time: at(s.lastRun.heartbeatMs) }));
  else if (s.lastError) lines.push(t("status.agent.why", { reason: s.lastError }));
  else lines.push(t("status.agent.notRunning"));
  if (s.running) {
    if (s.connected)
      lines.push(
        s.connectedSince
          ? t("status.noc.connectedSince", { time: at(s.connectedSince), ago: ago(now - s.connectedSince) })
          : t("status.noc.connected"),
      );
    else
      lines.push(
        s.lastError ? t("status.noc.notConnectedWhy", { reason: s.lastError }) : t("status.noc.notConnected"),
      );
  }
  const ob = s.outbox;
  if (ob.depth === 0) lines.push(t("status.outbox.none"));
  else if (ob.oldestCreatedMs)
    lines.push(t("status.outbox.waitingOldest", { count: ob.depth, ago: ago(now - ob.oldestCreatedMs) }));
  else lines.push(t("status.outbox.waiting", { count: ob.depth }));
  if (ob.dropped.metrics + ob.dropped.events > 0)
    lines.push(t("status.dropped", { metrics: ob.dropped.metrics, events: ob.dropped.events }));
  if (s.lastOutage) {
    const o = s.lastOutage;
    const cause = KNOWN_CAUSES.has(o.cause) ? t(`cause.${o.cause}` as MessageKey) : o.cause;
    const p = { cause, time: at(Date.parse(o.start)), duration: ago(o.durationS * 1000) };
    lines.push(o.link ? t("status.outage.lastOnLink", { ...p, link: o.link }) : t("status.outage.last", p));
  } else lines.push(t("status.outage.none"));
  if (s.uptime)
    lines.push(t("status.uptime", { day: pct(s.uptime["24h"].nocPct), month: pct(s.uptime["30d"].nocPct) }));
  if (s.links.length === 0) lines.push(t("links.none"));
  for (const l of s.links) lines.push(linkLine(t, l, now, utc));
  for (const d of s.devices) lines.push(...deviceLines(t, o.lang ?? "en", d));
  lines.push(...pcLines(s, o.lang ?? "en"));
  if (s.clockSynced === false) lines.push(t("status.clock.unsynced"));
  lines.push(
    utc
      ? t("status.times.utc")
      : o.timezone
        ? t("status.times.zone", { zone: o.timezone })
        : t("status.times.local"),
  );
  return lines.join("\n");
}

/**
 * The PC's own problems (full disk, failing drive) from the agent's notes in the reader's language; the
 * English `pc` lines when the agent sent no notes or a note this CLI does not know (a newer agent).
 */
function pcLines(s: StatusSnapshot, lang: Lang): string[] {
  const english = s.pc ?? [];
  const notes = s.pcNotes;
  if (!Array.isArray(notes) || notes.length !== english.length) return english;
  const words = CATALOGUES[lang] as Record<string, string>;
  return notes.map((n, i) => (isNote(n) ? wordNote(n, (k) => words[k], lang) : undefined) ?? english[i]!);
}

function deviceLines(t: Translate, lang: Lang, d: DeviceState): string[] {
  const kind = ["fingerprint", "printer", "ups"].includes(d.kind)
    ? t(`kind.${d.kind}` as MessageKey)
    : d.kind;
  const health = t(`health.${d.health}` as MessageKey);
  const reason = d.reason && deviceReason(t, lang, d.reason);
  const lines = [
    reason
      ? t("status.deviceWhy", { kind, device: d.device, health, reason })
      : t("status.device", { kind, device: d.device, health }),
  ];
  const advice = adviceKey(d.kind, d.health);
  if (advice) lines.push(t("status.whatToDo", { advice: t(advice) }));
  return lines;
}

/** What staff can do about a device in this state, if anything. */
export function adviceKey(kind: string, health: DeviceState["health"]): MessageKey | undefined {
  if (health === "unavailable") return "advice.unavailable";
  if ((health === "absent" || health === "faulted") && ["fingerprint", "printer", "ups"].includes(kind))
    return `advice.${health}.${kind}` as MessageKey;
  return undefined;
}

const DEVICE_REASONS = new Set([
  "paper-out",
  "cover-open",
  "cutter-error",
  "unrecoverable-error",
  "offline",
  "no-response",
  "not-connected",
  "write-failed",
  "stopped",
]);

/**
 * A device's reason ("paper-out: ..." from the printer) for the reader. English keeps the driver's words
 * and detail as before. Hindi says a known reason and leaves out the driver's English detail; a reason it
 * does not know (a scanner's system error) is left out too, the health and advice say enough, and
 * `status --json` / `--lang en` keep it for the technician.
 */
export function deviceReason(t: Translate, lang: Lang, reason: string): string | undefined {
  if (lang === "en") return reason;
  const code = reason.split(":")[0]!.trim();
  return DEVICE_REASONS.has(code) ? t(`device.reason.${code}` as MessageKey) : undefined;
}

function linkLine(t: Translate, s: LinkState, now: number, utc: boolean): string {
  const who = t("link.who", {
    link: s.link,
    iface: s.interface,
    role: t(s.role === "primary" ? "role.primary" : "role.backup"),
  });
  const sinceMs = Date.parse(s.since);
  const since = Number.isFinite(sinceMs)
    ? t("link.since", { time: clockTime(sinceMs, now, utc), duration: duration(t, now - sinceMs) })
    : "";
  const use = t(s.active ? "link.inUse" : "link.standby");
  const f = s.figures;
  const figures =
    f && f.sent > 0
      ? f.rttMedianMs !== null
        ? t("link.lossDelay", { loss: num(f.lossPct), rtt: num(f.rttMedianMs) })
        : t("link.loss", { loss: num(f.lossPct) })
      : "";
  const reason = plainReason(t, s.reason);
  switch (s.state) {
    case "up":
      return t("link.up", { who, use, since, figures });
    case "degraded":
      return t("link.degraded", { who, use, since, reason, figures });
    case "down":
      return t(s.active ? "link.downActive" : "link.down", { who, since, reason });
    default:
      return s.reason ? t("link.cannotCheck", { who, reason }) : t("link.unchecked", { who });
  }
}

/** The link monitor's causes (English, machine-made), turned into what a person at the station can look at. */
export function plainReason(t: Translate, reason: string | undefined): string {
  if (!reason) return t("reason.none");
  const [first = "", ...rest] = reason.split("; ");
  const extra = rest.length ? ` (${rest.join("; ")})` : "";
  const known: Record<string, MessageKey> = {
    "no carrier": "reason.noCarrier",
    "gateway unreachable": "reason.gateway",
    "data centre unreachable while gateway answers": "reason.provider",
    "data centre unreachable": "reason.datacentre",
    "the agent is not running": "reason.agentStopped",
  };
  if (known[first]) return `${t(known[first])}${extra}`;
  const missing = /^interface (\S+) does not exist/.exec(first);
  if (missing) return `${t("reason.adapterMissing", { iface: missing[1]! })}${extra}`;
  const loss = /^loss ([\d.]+) %/.exec(first);
  if (loss) return `${t("reason.loss", { loss: loss[1]! })}${extra}`;
  const rtt = /^median RTT ([\d.]+) ms/.exec(first);
  if (rtt) return `${t("reason.slow", { rtt: rtt[1]! })}${extra}`;
  return reason;
}

function num(x: number): string {
  return x >= 10 ? String(Math.round(x)) : String(Math.round(x * 10) / 10);
}

function pct(p: number | null): string {
  return p === null ? "n/a" : `${p.toFixed(2)}%`;
}

export function duration(t: Translate, ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return t("duration.seconds", { n: s });
  const m = Math.floor(s / 60);
  if (m < 60) return t("duration.minutes", { n: m });
  const h = Math.floor(m / 60);
  if (h < 48)
    return m % 60 === 0 ? t("duration.hours", { n: h }) : t("duration.hoursMinutes", { h, m: m % 60 });
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? t("duration.days", { n: d }) : t("duration.daysHours", { d, h: h % 24 });
}
