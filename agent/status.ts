import { existsSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { AvailabilityWindow, DeviceState, LinkState, Outage } from "../contract/index.js";
import type { Note } from "./i18n/note.js";
import { sendJson } from "./local-api.js";
import type { LocalRoute } from "./ports.js";
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
  /** Plain-words problems of the station PC itself (full disk, failing drive...); empty when fine. */
  pc?: string[];
  /** The same as notes (key and values, agent/i18n/host-en.ts), so the CLI can say them in Hindi. */
  pcNotes?: Note[];
  /** Only when read from disk with the agent stopped: when it stopped, or its last heartbeat. */
  lastRun?: { stoppedMs: number | null; heartbeatMs: number };
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
      if (run) snap.lastRun = { stoppedMs: run.stopped_ms, heartbeatMs: run.heartbeat_ms };
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

export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} days`;
}
