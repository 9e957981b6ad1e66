/**
 * Turns rule conditions into alerts: pending (`for:` not over) -> firing -> acknowledged -> resolved,
 * with correlation into incidents, flap damping, maintenance and escalation. Every change goes to the
 * NOC store together with the notifications it causes (the outbox), in one transaction per tick, so a
 * crash can neither lose a notification nor send one twice from a replayed tick.
 */
import { randomUUID } from "node:crypto";
import type { Fleet, RegistryEntry } from "../fleet.js";
import type { Storage } from "../storage/index.js";
import { causeClass, stationCondition } from "./conditions.js";
import {
  emptyAlertWrite,
  type AlertRow,
  type AlertWrite,
  type MaintenanceRow,
  type Suppression,
} from "./model.js";
import { Notices } from "./notices.js";
import { emptyConfig, type AlertsConfig, type Rule, type Severity } from "./rules.js";
import { SelfWatch, type SelfFacts } from "./self-watch.js";
import type { AlertTitleCode } from "./titles.js";
import type { CodedParam } from "../model.js";

export interface EngineDeps {
  fleet: Fleet;
  storage: Storage;
  registry?: Map<string, RegistryEntry>;
  now: () => number;
  self: () => SelfFacts;
  /** Station availability today/month (percent), refreshed by the engine's caller. */
  availability?: () => { today: Map<string, AvailabilityFigure>; month: Map<string, AvailabilityFigure> };
  /** Told of windows created or ended, once they are stored: the availability figures they change. */
  maintenanceChanged?: (windows: MaintenanceRow[]) => Promise<void>;
}

export interface AvailabilityFigure {
  district?: string;
  upS: number;
  windowS: number;
  /** Planned down time, left out of the share (maintenance is not held against a station). */
  plannedS: number;
}

interface Candidate {
  key: string;
  rule: string;
  kind: string;
  severity: Severity;
  forMs: number;
  repeatMs?: number;
  resolveNotice: boolean;
  since: number;
  title: string;
  titleCode: AlertTitleCode;
  titleParams: Record<string, CodedParam>;
  station?: string;
  district?: string;
  stations?: string[];
  incident?: string;
  suppressed?: Suppression;
}

const SYSTEM = "station-noc";

export class AlertEngine {
  config: AlertsConfig = emptyConfig();
  /** Firing and acknowledged alerts by key. */
  readonly open = new Map<string, AlertRow>();
  maintenance: MaintenanceRow[] = [];
  private readonly flaps = new Map<string, number[]>();
  private readonly losses = new Map<string, { at: number; lost: number }>();
  private readonly selfWatch = new SelfWatch();
  private readonly notices: Notices;
  private w: AlertWrite = emptyAlertWrite();
  lastTickMs = 0;

  constructor(private readonly d: EngineDeps) {
    this.notices = new Notices(() => this.config);
    d.fleet.onChange((c) => {
      if (c.what !== "status" || c.status === "up") return;
      const list = (this.flaps.get(c.station) ?? []).filter((t) => c.since - t < this.config.flapping.within);
      list.push(c.since);
      this.flaps.set(c.station, list);
    });
    d.fleet.lossListeners.push((g) => {
      const prev = this.losses.get(g.station);
      this.losses.set(g.station, { at: d.now(), lost: (prev?.lost ?? 0) + Math.max(1, g.lost) });
    });
  }

  /** Loads open alerts and maintenance windows (a restart goes on where the last run stopped). */
  async start(): Promise<void> {
    const now = this.d.now();
    for (const a of await this.d.storage.loadAlerts(now, 100_000))
      if (a.state !== "resolved") this.open.set(a.key, a);
    this.maintenance = await this.d.storage.loadMaintenance(now - 86_400_000);
  }

  /** When the rules in use were loaded (start or the last good reload). */
  configLoadedAt = 0;

  setConfig(c: AlertsConfig): void {
    this.config = c;
    this.configLoadedAt = this.d.now();
  }

  private running: Promise<void> | undefined;
  private again = false;

  /** Evaluates every rule once and stores what changed; a call during a pass runs one more after it. */
  tick(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.pass().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        void this.tick().catch(() => undefined);
      }
    });
    return this.running;
  }

  private async pass(): Promise<void> {
    const started = performance.now();
    const now = this.d.now();
    const want = this.candidates(now);
    for (const c of want.values()) this.apply(c, now);
    for (const a of [...this.open.values()])
      if (!want.has(a.key)) this.resolve(a, now, SYSTEM, "condition ended");
    for (const a of this.open.values()) this.followUp(a, now);
    this.lastTickMs = performance.now() - started;
    await this.commit();
  }

  private async commit(): Promise<void> {
    const w = this.w;
    if (!w.alerts.length && !w.events.length && !w.outbox.length && !w.maintenance.length) return;
    this.w = emptyAlertWrite();
    await this.d.storage.writeAlerts(w);
    if (w.maintenance.length) await this.d.maintenanceChanged?.(w.maintenance);
  }

  private candidates(now: number): Map<string, Candidate> {
    const out = new Map<string, Candidate>();
    const cfg = this.config;
    const flapping = this.flapping(now);
    const dark: Candidate[] = [];
    for (const rule of cfg.rules) {
      if (rule.kind === "availability-below") this.availabilityBelow(rule, now, out);
      else if (rule.kind === "noc-self") {
        const c = this.selfWatch.check(rule, this.d.self(), now);
        if (c) out.set(`${rule.name}:noc`, { ...base(rule), key: `${rule.name}:noc`, ...c });
      } else if (rule.kind === "sequence-loss") {
        for (const [station, l] of this.losses) {
          // Loss is an event, not a state: the alert stays for `repeat` (or 1 h) and then resolves.
          if (now - l.at > (rule.repeat ?? 3_600_000)) this.losses.delete(station);
          else {
            const row = this.d.fleet.stations.get(station)?.row;
            if (rule.districts && !rule.districts.includes(row?.district ?? "")) continue;
            const key = `${rule.name}:${station}`;
            const title = `${station}: ${l.lost} event(s) lost for good (sequence gap the station could not resend)`;
            out.set(key, {
              ...base(rule),
              key,
              since: l.at,
              title,
              titleCode: "sequence-loss",
              titleParams: { station, lost: l.lost },
              station,
              district: row?.district,
            });
          }
        }
      } else {
        for (const { row } of this.d.fleet.stations.values()) {
          if (rule.districts && !rule.districts.includes(row.district ?? "")) continue;
          const cond = stationCondition(rule, row, now);
          if (!cond) continue;
          const key = `${rule.name}:${row.id}`;
          const c: Candidate = { ...base(rule), key, ...cond, station: row.id, district: row.district };
          if (rule.kind === "station-dark" && flapping.has(row.id)) continue;
          if (rule.kind === "station-dark" && rule.correlate) {
            c.forMs = Math.max(c.forMs, cfg.correlation.hold);
            dark.push({ ...c, kind: cond.cause ?? "unknown" });
          }
          out.set(key, c);
        }
      }
    }
    for (const station of flapping.keys()) {
      const row = this.d.fleet.stations.get(station)?.row;
      const key = `flapping:${station}`;
      const f = cfg.flapping;
      const times = flapping.get(station) as number[];
      out.set(key, {
        key,
        rule: "flapping",
        kind: "flapping",
        severity: f.severity,
        forMs: 0,
        resolveNotice: true,
        since: times[0] as number,
        title: `${station} flapping: dark ${times.length} times in ${Math.round(f.within / 60_000)} min`,
        titleCode: "flapping",
        titleParams: { station, times: times.length, minutes: Math.round(f.within / 60_000) },
        station,
        district: row?.district,
      });
    }
    this.correlate(dark, out, now);
    for (const c of out.values()) if (this.inMaintenance(c, now)) c.suppressed ??= "maintenance";
    return out;
  }

  /** Stations with at least `changes` dark transitions in the window (old ones forgotten). */
  private flapping(now: number): Map<string, number[]> {
    const f = this.config.flapping;
    const out = new Map<string, number[]>();
    for (const [station, list] of this.flaps) {
      const recent = list.filter((t) => now - t < f.within);
      if (recent.length === 0) this.flaps.delete(station);
      else if (recent.length >= f.changes || this.open.has(`flapping:${station}`)) out.set(station, recent);
    }
    return out;
  }

  /**
   * One incident per group (registry PoP label, else district) and cause class when at least K of its
   * stations went dark within T of each other; it holds every dark station of that group and class,
   * and stays open until the last of them is back. Member station alerts are recorded, not sent.
   */
  private correlate(dark: Candidate[], out: Map<string, Candidate>, now: number): void {
    const { minStations, within, severity } = this.config.correlation;
    const groups = new Map<string, Candidate[]>();
    for (const c of dark) {
      const cls = causeClass(c.kind);
      if (!cls || !c.station) continue;
      const pop = this.d.registry?.get(c.station)?.pop;
      const group = pop ? `pop:${pop}` : c.district ? `district:${c.district}` : undefined;
      if (!group) continue;
      const g = `${cls}:${group}`;
      groups.set(g, [...(groups.get(g) ?? []), c]);
    }
    for (const [g, members] of groups) {
      const key = `incident:${g}`;
      const stations = [...new Set(members.map((m) => m.station as string))].sort();
      const times = members.map((m) => m.since).sort((a, b) => a - b);
      let clusterStart: number | undefined;
      for (let i = 0, j = 0; j < times.length; j++) {
        while ((times[j] as number) - (times[i] as number) > within) i++;
        if (j - i + 1 >= minStations) {
          clusterStart = times[i];
          break;
        }
      }
      if (clusterStart === undefined && !this.open.has(key)) continue;
      const [cls, kind, ...rest] = g.split(":");
      const where = `${kind === "pop" ? "PoP" : "district"} ${rest.join(":")}`;
      const forMs = Math.min(...members.map((m) => m.forMs));
      out.set(key, {
        key,
        rule: "correlation",
        kind: cls === "power" ? "power-incident" : "network-incident",
        severity,
        forMs,
        resolveNotice: true,
        since: clusterStart ?? (times[0] as number),
        title: `${cls === "power" ? "Power" : "Network"} incident, ${where}: ${stations.length} stations dark`,
        titleCode: `${cls === "power" ? "power" : "network"}-incident.${kind === "pop" ? "pop" : "district"}`,
        titleParams: { name: rest.join(":"), n: stations.length },
        district: kind === "district" ? rest.join(":") : members[0]?.district,
        stations,
      });
      for (const m of members) {
        const c = out.get(m.key);
        if (c) Object.assign(c, { suppressed: "incident", incident: key });
      }
      void now;
    }
  }

  private availabilityBelow(
    rule: Extract<Rule, { kind: "availability-below" }>,
    now: number,
    out: Map<string, Candidate>,
  ) {
    const figures = this.d.availability?.()[rule.period];
    if (!figures) return;
    const sums = new Map<string, AvailabilityFigure & { id: string }>();
    for (const [station, f] of figures) {
      if (rule.districts && !rule.districts.includes(f.district ?? "")) continue;
      const id = rule.scope === "station" ? station : (f.district ?? "");
      const s = sums.get(id) ?? { id, district: f.district, upS: 0, windowS: 0, plannedS: 0 };
      s.upS += f.upS;
      s.windowS += f.windowS;
      s.plannedS += f.plannedS;
      sums.set(id, s);
    }
    for (const s of sums.values()) {
      const judged = s.windowS - s.plannedS;
      if (judged < 600) continue; // too little accounted (unplanned) time to judge
      const pct = (100 * s.upS) / judged;
      if (pct >= rule.belowPct) continue;
      const key = `${rule.name}:${s.id}`;
      const what = rule.scope === "station" ? s.id : `district ${s.id}`;
      out.set(key, {
        ...base(rule),
        key,
        since: this.open.get(key)?.startedAt ?? now,
        title: `${what} availability ${rule.period} ${pct.toFixed(1)}% < ${rule.belowPct}%`,
        titleCode: rule.scope === "station" ? "availability-below.station" : "availability-below.district",
        titleParams: {
          name: s.id,
          period: rule.period,
          pct: Math.round(pct * 10) / 10,
          belowPct: rule.belowPct,
        },
        ...(rule.scope === "station" ? { station: s.id } : {}),
        district: s.district,
      });
    }
  }

  private inMaintenance(c: Candidate, now: number): boolean {
    return this.maintenance.some(
      (m) =>
        m.endedAt === undefined &&
        m.startAt <= now &&
        now < m.endAt &&
        (m.scope === "all" ||
          (m.scope === "district" && m.target === c.district) ||
          (m.scope === "station" && (m.target === c.station || (c.stations ?? []).includes(m.target)))),
    );
  }

  private apply(c: Candidate, now: number): void {
    const a = this.open.get(c.key);
    if (!a) {
      if (now - c.since < c.forMs) return; // pending
      const alert: AlertRow = {
        id: randomUUID(),
        key: c.key,
        rule: c.rule,
        kind: c.kind,
        severity: c.severity,
        state: "firing",
        station: c.station,
        district: c.district,
        title: c.title,
        titleCode: c.titleCode,
        titleParams: c.titleParams,
        startedAt: c.since,
        firedAt: now,
        updatedAt: now,
        level: 0,
        suppressed: c.suppressed,
        stations: c.stations,
        incident: c.incident,
        repeatMs: c.repeatMs,
        resolveNotice: c.resolveNotice,
      };
      this.open.set(c.key, alert);
      this.event(
        alert,
        now,
        SYSTEM,
        "fired",
        c.suppressed ? `recorded, not sent (${c.suppressed})` : c.title,
      );
      if (!c.suppressed) this.notify(alert, now, "fire", 0);
      return;
    }
    let changed = false;
    if (a.title !== c.title || String(a.stations) !== String(c.stations)) {
      Object.assign(a, {
        title: c.title,
        titleCode: c.titleCode,
        titleParams: c.titleParams,
        stations: c.stations,
      });
      changed = true;
    }
    if (a.suppressed !== c.suppressed) {
      const was = a.suppressed;
      Object.assign(a, { suppressed: c.suppressed, incident: c.incident });
      this.event(a, now, SYSTEM, c.suppressed ? "suppressed" : "unsuppressed", c.suppressed ?? `was ${was}`);
      // Out of a maintenance window and still firing: now the contacts hear of it.
      if (!c.suppressed && a.state === "firing" && a.lastNotifiedAt === undefined)
        this.notify(a, now, "fire", 0);
      changed = true;
    }
    if (changed) this.save(a, now);
  }

  /** Escalation to the next contact list, and repeats, for firing unacknowledged alerts. */
  private followUp(a: AlertRow, now: number): void {
    if (a.state !== "firing" || a.suppressed || a.firstNotifiedAt === undefined) return;
    const steps = this.config.escalation;
    const next = steps[a.level + 1];
    if (next && now - a.firstNotifiedAt >= next.after) {
      a.level++;
      this.event(a, now, SYSTEM, "escalated", `to ${next.contacts.join(", ")}`);
      this.notify(a, now, "escalate", a.level);
      return;
    }
    if (a.repeatMs && a.lastNotifiedAt !== undefined && now - a.lastNotifiedAt >= a.repeatMs)
      this.notify(a, now, "repeat", a.level);
  }

  private resolve(a: AlertRow, now: number, actor: string, why: string): void {
    this.open.delete(a.key);
    const told = a.notified ?? [];
    Object.assign(a, { state: "resolved", resolvedAt: now });
    this.event(a, now, actor, "resolved", why);
    if (a.resolveNotice !== false && told.length > 0) this.notices.resolved(a, now, this.w);
    this.save(a, now);
  }

  private notify(a: AlertRow, now: number, reason: string, level: number): void {
    const n = this.notices.enqueue(a, now, reason, level, this.w);
    a.lastNotifiedAt = now;
    a.firstNotifiedAt ??= now;
    if (n === 0) this.event(a, now, SYSTEM, "no-recipient", `${reason}: no contact takes this alert`);
    this.save(a, now);
  }

  acknowledge(id: string, by: string, note: string | undefined): AlertRow | undefined {
    const a = [...this.open.values()].find((x) => x.id === id);
    if (!a || a.state !== "firing") return a;
    const now = this.d.now();
    Object.assign(a, { state: "acknowledged", ackedAt: now, ackedBy: by, ackNote: note });
    this.event(a, now, by, "acknowledged", note);
    this.save(a, now);
    return a;
  }

  addMaintenance(m: Omit<MaintenanceRow, "id" | "createdAt">): MaintenanceRow {
    const row: MaintenanceRow = { ...m, id: randomUUID(), createdAt: this.d.now() };
    this.maintenance.push(row);
    this.w.maintenance.push(row);
    return row;
  }

  endMaintenance(id: string, by: string): MaintenanceRow | undefined {
    const m = this.maintenance.find((x) => x.id === id);
    if (!m || m.endedAt !== undefined) return m;
    Object.assign(m, { endedAt: this.d.now(), endedBy: by });
    this.w.maintenance.push(m);
    return m;
  }

  /** Stores the changes made outside a tick (acknowledge, maintenance) now. */
  flush(): Promise<void> {
    return this.commit();
  }

  private save(a: AlertRow, now: number): void {
    a.updatedAt = now;
    const i = this.w.alerts.findIndex((x) => x.id === a.id);
    if (i >= 0) this.w.alerts[i] = { ...a };
    else this.w.alerts.push({ ...a });
  }

  private event(a: AlertRow, at: number, actor: string, action: string, detail?: string): void {
    this.w.events.push({ alertId: a.id, at, actor, action, detail });
  }
}

function base(rule: Rule) {
  return {
    rule: rule.name,
    kind: rule.kind,
    severity: rule.severity,
    forMs: rule.for,
    repeatMs: rule.repeat,
    resolveNotice: rule.resolveNotice,
  };
}
