import { join } from "node:path";
import type { AvailabilityWindow, Outage, OutageCause } from "../contract/index.js";
import { openDurableDb, type Db } from "./sqlite.js";

export interface BootInfo {
  bootId: string;
  bootMs: number;
}

export interface LedgerOutage extends Outage {
  id: number;
}

/** Evidence the link monitor adds to a `network` outage. */
export type NetworkEvidence = (
  startMs: number,
  endMs: number,
) => {
  link?: string;
  reason?: string;
  details?: Record<string, unknown>;
};

/** Dark intervals shorter than this are blips: they still count in availability, but are not outage records. */
const MIN_OUTAGE_MS = 5000;
/** Boot-to-agent-start shorter than this belongs to the power outage (systemd brings the agent up after boot). */
const BOOT_GRACE_MS = 120_000;

interface RunRow {
  id: number;
  boot_id: string;
  boot_ms: number;
  started_ms: number;
  heartbeat_ms: number;
  stopped_ms: number | null;
  stop_cause: string | null;
  disconnected_since_ms: number | null;
  power_json: string | null;
  seq_high: number;
}

/**
 * The uptime ledger: boots, agent runs with heartbeats, broker-connected intervals and the classified
 * outages. synchronous=NORMAL: a power cut may lose the last heartbeat or two, which only shortens what
 * we know by one heartbeat interval; it cannot corrupt the file (WAL).
 */
export class Ledger {
  readonly db: Db;
  readonly movedAside?: { to: string; error: string };
  /** Drops the moved-aside marker once `storage.corrupt` is in the outbox. */
  readonly movedAsideReported: () => void;
  private runId = 0;
  private disconnectedSince: number | null = null;
  private connectionId: number | null = null;

  constructor(
    dir: string,
    private readonly now: () => number = Date.now,
  ) {
    const opened = openDurableDb(join(dir, "ledger.db"), "NORMAL", (db) => {
      db.exec(`
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY, boot_id TEXT NOT NULL, boot_ms INTEGER NOT NULL,
          started_ms INTEGER NOT NULL, heartbeat_ms INTEGER NOT NULL, stopped_ms INTEGER, stop_cause TEXT,
          disconnected_since_ms INTEGER, power_json TEXT, seq_high INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE IF NOT EXISTS connections (id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL,
          connected_ms INTEGER NOT NULL, disconnected_ms INTEGER);
        CREATE TABLE IF NOT EXISTS outages (id INTEGER PRIMARY KEY, start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL,
          cause TEXT NOT NULL, link TEXT, evidence TEXT NOT NULL, published INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE IF NOT EXISTS battery (id INTEGER PRIMARY KEY, start_ms INTEGER NOT NULL, end_ms INTEGER);
      `);
    });
    this.db = opened.db;
    if (opened.movedAside) this.movedAside = opened.movedAside;
    this.movedAsideReported = opened.reported;
  }

  /** Classify the gap since the previous run, then open this run. Returns the new outage records. */
  recordStart(boot: BootInfo): LedgerOutage[] {
    const now = this.now();
    const prev = this.db.prepare<[], RunRow>("SELECT * FROM runs ORDER BY id DESC LIMIT 1").get();
    const created: LedgerOutage[] = [];
    this.db.transaction(() => {
      this.db.prepare("INSERT OR IGNORE INTO meta(key, value) VALUES ('first_seen_ms', ?)").run(now);
      if (prev) {
        const prevEnd = prev.stopped_ms ?? prev.heartbeat_ms;
        const lastPower = prev.power_json ? (JSON.parse(prev.power_json) as unknown) : undefined;
        // The previous run ended while the broker was unreachable: that part of the dark interval was network.
        if (prev.disconnected_since_ms !== null) {
          this.closeOpenConnections(prev.id, prev.disconnected_since_ms);
          const o = this.addOutage(prev.disconnected_since_ms, prevEnd, "network", undefined, {
            reason: "broker-unreachable",
            until: "agent stopped",
          });
          if (o) created.push(o);
        } else {
          this.closeOpenConnections(prev.id, prevEnd);
        }
        const common = {
          lastHeartbeat: new Date(prev.heartbeat_ms).toISOString(),
          cleanStop: prev.stopped_ms !== null,
          ...(prev.stop_cause ? { stopCause: prev.stop_cause } : {}),
          ...(lastPower ? { powerAtLastHeartbeat: lastPower } : {}),
        };
        if (prev.boot_id !== boot.bootId) {
          const agentLate = now - boot.bootMs > BOOT_GRACE_MS;
          const end = agentLate ? Math.max(boot.bootMs, prevEnd) : now;
          const o = this.addOutage(prevEnd, end, "power", undefined, {
            ...common,
            previousBootId: prev.boot_id,
            bootId: boot.bootId,
            bootTime: new Date(boot.bootMs).toISOString(),
            bootToAgentS: Math.round((now - boot.bootMs) / 1000),
          });
          if (o) created.push(o);
          if (agentLate) {
            const a = this.addOutage(boot.bootMs, now, "agent", undefined, {
              reason: "agent started late after boot",
            });
            if (a) created.push(a);
          }
        } else {
          const o = this.addOutage(prevEnd, now, "agent", undefined, {
            ...common,
            reason: prev.stopped_ms !== null ? "agent stopped" : "agent died (no clean stop)",
          });
          if (o) created.push(o);
        }
        this.db.prepare("UPDATE battery SET end_ms = ? WHERE end_ms IS NULL").run(prevEnd);
      }
      const r = this.db
        .prepare(
          "INSERT INTO runs(boot_id, boot_ms, started_ms, heartbeat_ms, disconnected_since_ms) VALUES (?, ?, ?, ?, ?)",
        )
        .run(boot.bootId, boot.bootMs, now, now, now);
      this.runId = Number(r.lastInsertRowid);
      this.disconnectedSince = now;
    })();
    return created;
  }

  heartbeat(seqHigh: number, power?: unknown): void {
    this.db
      .prepare(
        "UPDATE runs SET heartbeat_ms = ?, power_json = ?, seq_high = ?, disconnected_since_ms = ? WHERE id = ?",
      )
      .run(
        this.now(),
        power === undefined ? null : JSON.stringify(power),
        seqHigh,
        this.disconnectedSince,
        this.runId,
      );
  }

  connected(evidence?: NetworkEvidence): LedgerOutage[] {
    const now = this.now();
    const created: LedgerOutage[] = [];
    this.db.transaction(() => {
      if (this.disconnectedSince !== null) {
        const start = this.disconnectedSince;
        const ev = evidence?.(start, now) ?? {};
        const o = this.addOutage(start, now, "network", ev.link, {
          reason: ev.reason ?? "broker-unreachable",
          ...(ev.details ?? {}),
        });
        if (o) created.push(o);
      }
      this.disconnectedSince = null;
      const r = this.db
        .prepare("INSERT INTO connections(run_id, connected_ms) VALUES (?, ?)")
        .run(this.runId, now);
      this.connectionId = Number(r.lastInsertRowid);
      this.db
        .prepare("UPDATE runs SET disconnected_since_ms = NULL, heartbeat_ms = ? WHERE id = ?")
        .run(now, this.runId);
    })();
    return created;
  }

  disconnected(): void {
    if (this.disconnectedSince !== null) return;
    const now = this.now();
    this.disconnectedSince = now;
    this.db.transaction(() => {
      if (this.connectionId !== null) {
        this.db
          .prepare("UPDATE connections SET disconnected_ms = ? WHERE id = ?")
          .run(now, this.connectionId);
      }
      this.db.prepare("UPDATE runs SET disconnected_since_ms = ? WHERE id = ?").run(now, this.runId);
    })();
    this.connectionId = null;
  }

  onBattery(onBattery: boolean): void {
    const open = this.db.prepare<[], { id: number }>("SELECT id FROM battery WHERE end_ms IS NULL").get();
    if (onBattery && !open) this.db.prepare("INSERT INTO battery(start_ms) VALUES (?)").run(this.now());
    if (!onBattery && open)
      this.db.prepare("UPDATE battery SET end_ms = ? WHERE id = ?").run(this.now(), open.id);
  }

  recordStop(cause: string): void {
    const now = this.now();
    this.db.transaction(() => {
      if (this.connectionId !== null) {
        this.db
          .prepare("UPDATE connections SET disconnected_ms = ? WHERE id = ?")
          .run(now, this.connectionId);
      }
      this.db
        .prepare(
          "UPDATE runs SET stopped_ms = ?, stop_cause = ?, heartbeat_ms = ?, disconnected_since_ms = NULL WHERE id = ?",
        )
        .run(now, cause, now, this.runId);
    })();
    this.connectionId = null;
  }

  unpublishedOutages(): LedgerOutage[] {
    return this.db
      .prepare<[], OutageRow>("SELECT * FROM outages WHERE published = 0 ORDER BY start_ms")
      .all()
      .map(toOutage);
  }

  markPublished(id: number): void {
    this.db.prepare("UPDATE outages SET published = 1 WHERE id = ?").run(id);
  }

  lastOutage(): LedgerOutage | undefined {
    const row = this.db.prepare<[], OutageRow>("SELECT * FROM outages ORDER BY end_ms DESC LIMIT 1").get();
    return row ? toOutage(row) : undefined;
  }

  /** The highest seq the previous runs reported: a fresh outbox (after corruption) starts above it. */
  seqHighWater(): number {
    return this.db.prepare<[], { s: number | null }>("SELECT max(seq_high) AS s FROM runs").get()?.s ?? 0;
  }

  connectedSince(): number | null {
    if (this.connectionId === null) return null;
    return (
      this.db
        .prepare<[number], { c: number }>("SELECT connected_ms AS c FROM connections WHERE id = ?")
        .get(this.connectionId)?.c ?? null
    );
  }

  /** Availability over [from, to]: powered, agent running, NOC (broker) reachable. */
  availability(from: number, to: number): AvailabilityWindow {
    const firstSeen =
      this.db.prepare<[], { value: number }>("SELECT value FROM meta WHERE key = 'first_seen_ms'").get()
        ?.value ?? to;
    const start = Math.max(from, firstSeen);
    const covered = Math.max(0, to - start);
    const outageS = { power: 0, agent: 0, network: 0 };
    const rows = this.db
      .prepare<[number, number], { start_ms: number; end_ms: number; cause: OutageCause }>(
        "SELECT start_ms, end_ms, cause FROM outages WHERE end_ms > ? AND start_ms < ?",
      )
      .all(start, to);
    for (const r of rows) outageS[r.cause] += overlap(r.start_ms, r.end_ms, start, to) / 1000;
    const conns = this.db
      .prepare<[number, number], { connected_ms: number; disconnected_ms: number | null }>(
        "SELECT connected_ms, disconnected_ms FROM connections WHERE coalesce(disconnected_ms, 9e15) > ? AND connected_ms < ?",
      )
      .all(start, to);
    let connectedMs = 0;
    for (const c of conns) {
      const end = c.disconnected_ms ?? (this.connectionId !== null ? to : c.connected_ms);
      connectedMs += overlap(c.connected_ms, end, start, to);
    }
    const battery = this.db
      .prepare<[number, number], { start_ms: number; end_ms: number | null }>(
        "SELECT start_ms, end_ms FROM battery WHERE coalesce(end_ms, 9e15) > ? AND start_ms < ?",
      )
      .all(start, to);
    const onBatteryS = battery.reduce((s, b) => s + overlap(b.start_ms, b.end_ms ?? to, start, to), 0) / 1000;
    const pct = (darkS: number) =>
      covered > 0 ? round2(100 * Math.max(0, 1 - (darkS * 1000) / covered)) : null;
    return {
      coveredS: Math.round(covered / 1000),
      poweredPct: pct(outageS.power),
      agentPct: pct(outageS.power + outageS.agent),
      nocPct: covered > 0 ? round2(Math.min(100, (100 * connectedMs) / covered)) : null,
      outageS: {
        power: Math.round(outageS.power),
        agent: Math.round(outageS.agent),
        network: Math.round(outageS.network),
      },
      onBatteryS: Math.round(onBatteryS),
    };
  }

  private addOutage(
    start: number,
    end: number,
    cause: OutageCause,
    link: string | undefined,
    evidence: Record<string, unknown>,
  ): LedgerOutage | undefined {
    if (end - start < MIN_OUTAGE_MS) return undefined;
    const r = this.db
      .prepare("INSERT INTO outages(start_ms, end_ms, cause, link, evidence) VALUES (?, ?, ?, ?, ?)")
      .run(start, end, cause, link ?? null, JSON.stringify(evidence));
    return toOutage({
      id: Number(r.lastInsertRowid),
      start_ms: start,
      end_ms: end,
      cause,
      link: link ?? null,
      evidence: JSON.stringify(evidence),
    });
  }

  private closeOpenConnections(runId: number, at: number): void {
    this.db
      .prepare("UPDATE connections SET disconnected_ms = ? WHERE run_id = ? AND disconnected_ms IS NULL")
      .run(at, runId);
  }

  close(): void {
    this.db.close();
  }
}

interface OutageRow {
  id: number;
  start_ms: number;
  end_ms: number;
  cause: OutageCause;
  link: string | null;
  evidence: string;
}

function toOutage(r: OutageRow): LedgerOutage {
  return {
    id: r.id,
    start: new Date(r.start_ms).toISOString(),
    end: new Date(r.end_ms).toISOString(),
    durationS: Math.round((r.end_ms - r.start_ms) / 1000),
    cause: r.cause,
    ...(r.link ? { link: r.link } : {}),
    evidence: JSON.parse(r.evidence) as Record<string, unknown>,
  };
}

function overlap(a0: number, a1: number, b0: number, b1: number): number {
  return Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
