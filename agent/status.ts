import { existsSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { AvailabilityWindow, DeviceState, LinkState, Outage } from "../contract/index.js";
import { sendJson } from "./local-api.js";
import type { LocalRoute } from "./ports.js";
import { describeLinks } from "./links/describe.js";

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
  /** Plain-words problems of the station PC itself (full disk, failing drive...); empty when fine. */
  pc?: string[];
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
          ? `agent stopped at ${new Date(run.stopped_ms).toISOString()}`
          : `agent not running; last heartbeat ${new Date(run.heartbeat_ms).toISOString()}`;
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

/** Plain words for station staff who are not IT people. */
export function renderStatus(s: StatusSnapshot, now = Date.now()): string {
  const lines: string[] = [];
  lines.push(`Station ${s.station}${s.name ? ` (${s.name})` : ""}`);
  if (!s.running)
    lines.push("Agent: NOT RUNNING. Ask the district technician to run: systemctl start station-agent");
  else lines.push(`Agent: running (version ${s.version}, pid ${s.pid})`);
  if (s.running) {
    if (s.connected)
      lines.push(
        `State NOC: CONNECTED${s.connectedSince ? ` since ${local(s.connectedSince)} (${ago(now - s.connectedSince)})` : ""}`,
      );
    else
      lines.push(
        `State NOC: NOT CONNECTED${s.lastError ? ` (${s.lastError})` : ""}. Reports are kept and sent when the link returns.`,
      );
  }
  const ob = s.outbox;
  lines.push(
    ob.depth === 0
      ? "Reports waiting to be sent: none"
      : `Reports waiting to be sent: ${ob.depth}${ob.oldestCreatedMs ? `, oldest from ${ago(now - ob.oldestCreatedMs)} ago` : ""}`,
  );
  if (ob.dropped.metrics + ob.dropped.events > 0) {
    lines.push(
      `Reports dropped because storage was full: ${ob.dropped.metrics} samples, ${ob.dropped.events} events`,
    );
  }
  if (s.lastOutage) {
    const o = s.lastOutage;
    lines.push(
      `Last outage: ${CAUSE_WORDS[o.cause] ?? o.cause}${o.link ? ` on link ${o.link}` : ""}, ${local(Date.parse(o.start))} for ${ago(o.durationS * 1000)}`,
    );
  } else lines.push("Last outage: none recorded");
  if (s.uptime) {
    const d = s.uptime["24h"];
    const m = s.uptime["30d"];
    lines.push(
      `Connected to NOC: ${fmtPct(d.nocPct)} of the last 24 h, ${fmtPct(m.nocPct)} of the last 30 days`,
    );
  }
  lines.push(...describeLinks(s.links, now));
  for (const d of s.devices)
    lines.push(`Device ${d.device} (${d.kind}): ${d.health}${d.reason ? ` - ${d.reason}` : ""}`);
  lines.push(...(s.pc ?? []));
  if (s.clockSynced === false)
    lines.push("Clock: not synchronised yet (times may be wrong; reports are marked)");
  return lines.join("\n");
}

function fmtPct(p: number | null): string {
  return p === null ? "n/a" : `${p.toFixed(2)}%`;
}

function local(ms: number): string {
  return new Date(ms).toLocaleString("en-IN", { hour12: false });
}

export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} days`;
}
