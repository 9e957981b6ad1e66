import { existsSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { AvailabilityWindow, DeviceState, LinkState, Outage } from "../contract/index.js";
import { sendJson } from "./local-api.js";
import type { LocalRoute } from "./ports.js";
import { describeLinks } from "./links/describe.js";
import { clockTime } from "./local-time.js";

export interface StatusSnapshot {
  station: string;
  name: string | null;
  running: boolean;
  pid: number | null;
  version: string | null;
  broker: string | null;
  connected: boolean;
  connectedSince: number | null;
  lastError: string | null;
  outbox: {
    depth: number;
    bytes: number;
    oldestCreatedMs: number | null;
    lastSeq: number;
    dropped: { metrics: number; events: number };
  };
  lastOutage: Outage | null;
  uptime: { "24h": AvailabilityWindow; "7d": AvailabilityWindow; "30d": AvailabilityWindow } | null;
  clockSynced: boolean | null;
  links: LinkState[];
  devices: DeviceState[];
}

export function statusRoute(snapshot: () => StatusSnapshot): LocalRoute {
  return {
    method: "GET",
    path: "/v1/status",
    auth: false,
    handle: (_req, res) => sendJson(res, 200, snapshot()),
  };
}

/** When the agent is not running, `status` reads what it left in the state dir (read-only). */
export function readStatusFromDisk(station: string, dir: string): StatusSnapshot {
  const snap: StatusSnapshot = {
    station,
    name: null,
    running: false,
    pid: null,
    version: null,
    broker: null,
    connected: false,
    connectedSince: null,
    lastError: null,
    outbox: { depth: 0, bytes: 0, oldestCreatedMs: null, lastSeq: 0, dropped: { metrics: 0, events: 0 } },
    lastOutage: null,
    uptime: null,
    clockSynced: null,
    links: [],
    devices: [],
  };
  const outboxPath = join(dir, "outbox.db");
  if (existsSync(outboxPath)) {
    const db = new Database(outboxPath, { readonly: true, fileMustExist: true });
    try {
      const s = db
        .prepare<[], { d: number; b: number | null; o: number | null }>(
          "SELECT count(*) d, sum(size) b, min(created_ms) o FROM outbox",
        )
        .get()!;
      const meta = new Map(
        db
          .prepare<[], { key: string; value: number }>("SELECT key, value FROM meta")
          .all()
          .map((r) => [r.key, r.value]),
      );
      snap.outbox = {
        depth: s.d,
        bytes: s.b ?? 0,
        oldestCreatedMs: s.o,
        lastSeq: (meta.get("next_seq") ?? 1) - 1,
        dropped: { metrics: meta.get("dropped_metrics") ?? 0, events: meta.get("dropped_events") ?? 0 },
      };
    } finally {
      db.close();
    }
  }
  const ledgerPath = join(dir, "ledger.db");
  if (existsSync(ledgerPath)) {
    const db = new Database(ledgerPath, { readonly: true, fileMustExist: true });
    try {
      const o = db
        .prepare<
          [],
          { start_ms: number; end_ms: number; cause: Outage["cause"]; link: string | null; evidence: string }
        >("SELECT * FROM outages ORDER BY end_ms DESC LIMIT 1")
        .get();
      if (o) {
        snap.lastOutage = {
          start: new Date(o.start_ms).toISOString(),
          end: new Date(o.end_ms).toISOString(),
          durationS: Math.round((o.end_ms - o.start_ms) / 1000),
          cause: o.cause,
          ...(o.link ? { link: o.link } : {}),
          evidence: JSON.parse(o.evidence) as Record<string, unknown>,
        };
      }
      const run = db
        .prepare<[], { heartbeat_ms: number; stopped_ms: number | null }>(
          "SELECT * FROM runs ORDER BY id DESC LIMIT 1",
        )
        .get();
      if (run)
        snap.lastError = run.stopped_ms
          ? `stopped at ${clockTime(run.stopped_ms, Date.now())}`
          : `stopped without saying so; last sign of life at ${clockTime(run.heartbeat_ms, Date.now())}`;
    } finally {
      db.close();
    }
  }
  return snap;
}

const CAUSE_WORDS: Record<string, string> = {
  power: "power cut (the computer restarted)",
  agent: "the agent was not running",
  network: "network: could not reach the state data centre",
};

const KIND_WORDS: Record<string, string> = {
  fingerprint: "fingerprint scanner",
  printer: "slip printer",
  ups: "UPS (battery backup)",
};

/** What a person at the station can do about a device that is not ready. */
const DEVICE_ADVICE: Record<string, Record<string, string>> = {
  absent: {
    fingerprint:
      "Plug the scanner's USB cable back in (try another USB socket). If it still says absent, call the district technician.",
    printer:
      "Check that the printer is switched on and its cable is plugged in. If it still says absent, call the district technician.",
    ups: "Check the USB cable between the UPS and the computer. If it still says absent, call the district technician.",
  },
  faulted: {
    fingerprint:
      "Unplug the scanner, wait 10 seconds and plug it in again. If it stays faulty, call the district technician.",
    printer:
      "Check the paper and the cover, then switch the printer off and on. If it stays faulty, call the district technician.",
    ups: "Switch the UPS off and on when the power is back. If it stays faulty, call the district technician.",
  },
  unavailable: {
    any: "The computer does not allow the agent to use it. Call the district technician (run: station-agent doctor).",
  },
};

const HEALTH_WORDS: Record<string, string> = {
  ready: "ready",
  busy: "working",
  faulted: "NOT WORKING",
  absent: "NOT CONNECTED (absent)",
  unavailable: "CANNOT BE USED",
};

/** The configured links, as "not checked" states, for when the agent is stopped. */
export function linksFromConfig(
  station: string,
  links: readonly { name: string; interface: string; role: "primary" | "backup" }[],
  why: string,
  now = Date.now(),
): LinkState[] {
  const t = new Date(now).toISOString();
  return links.map((l) => ({
    station,
    link: l.name,
    interface: l.interface,
    role: l.role,
    state: "unknown",
    since: t,
    active: false,
    time: t,
    reason: why,
  }));
}

export interface RenderOptions {
  now?: number;
  /** IANA zone the times are shown in; the caller sets TZ to it so Date's local getters agree. */
  timezone?: string;
  /** Print times in UTC (tests). */
  utc?: boolean;
}

/** Plain words for station staff who are not IT people. */
export function renderStatus(s: StatusSnapshot, o: RenderOptions | number = {}): string {
  const opts = typeof o === "number" ? { now: o } : o;
  const now = opts.now ?? Date.now();
  const utc = opts.utc ?? false;
  const at = (t: number) => clockTime(t, now, utc);
  const lines: string[] = [];
  lines.push(`Station ${s.station}${s.name ? ` (${s.name})` : ""}`);
  if (!s.running)
    lines.push(
      `Agent: NOT RUNNING${s.lastError ? ` (${s.lastError})` : ""}. Ask the district technician to run: systemctl start station-agent`,
    );
  else lines.push(`Agent: running (version ${s.version}, pid ${s.pid})`);
  if (s.running) {
    if (s.connected)
      lines.push(
        `State NOC: CONNECTED${s.connectedSince ? ` since ${at(s.connectedSince)} (${ago(now - s.connectedSince)})` : ""}`,
      );
    else
      lines.push(
        `State NOC: NOT CONNECTED${s.lastError ? ` (${s.lastError})` : ""}. Nothing is lost: reports are kept on this computer and sent when the connection returns.`,
      );
  }
  const ob = s.outbox;
  lines.push(
    ob.depth === 0
      ? "Reports waiting to be sent: none"
      : `Reports waiting to be sent: ${ob.depth}${ob.oldestCreatedMs ? `, the oldest from ${ago(now - ob.oldestCreatedMs)} ago` : ""}`,
  );
  if (ob.dropped.metrics + ob.dropped.events > 0) {
    lines.push(
      `Reports thrown away because the disk was full: ${ob.dropped.metrics} readings, ${ob.dropped.events} events`,
    );
  }
  if (s.lastOutage) {
    const o = s.lastOutage;
    lines.push(
      `Last outage: ${CAUSE_WORDS[o.cause] ?? o.cause}${o.link ? ` on link ${o.link}` : ""}, at ${at(Date.parse(o.start))} for ${ago(o.durationS * 1000)}`,
    );
  } else lines.push("Last outage: none recorded");
  if (s.uptime) {
    const d = s.uptime["24h"];
    const m = s.uptime["30d"];
    lines.push(
      `Connected to NOC: ${fmtPct(d.nocPct)} of the last 24 h, ${fmtPct(m.nocPct)} of the last 30 days`,
    );
  }
  lines.push(...describeLinks(s.links, now, utc));
  for (const d of s.devices) {
    const kind = KIND_WORDS[d.kind] ?? d.kind;
    const reason = d.reason ? ` (${d.reason})` : "";
    lines.push(`${kind} ${d.device}: ${HEALTH_WORDS[d.health] ?? d.health}${reason}`);
    const advice = DEVICE_ADVICE[d.health];
    const tip = advice?.[d.kind] ?? advice?.any;
    if (tip) lines.push(`  What to do: ${tip}`);
  }
  if (s.clockSynced === false)
    lines.push(
      "Clock: not set from the internet yet, so times may be wrong. The NOC is told; nothing to do unless it lasts a day.",
    );
  lines.push(`Times are ${utc ? "UTC" : `station time (${opts.timezone ?? "this computer's time zone"})`}.`);
  return lines.join("\n");
}

function fmtPct(p: number | null): string {
  return p === null ? "n/a" : `${p.toFixed(2)}%`;
}

export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} days`;
}
