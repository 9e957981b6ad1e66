import type { DeviceState, LinkState, Outage, StatePayload } from "../contract/index.js";
import { MAX_DEVICES, MAX_LINKS } from "../contract/index.js";
import type { CodedText, GapRow, ProbableCause, StationRow, Status } from "./model.js";
import { causeDetail, guessCause } from "./probable-cause.js";
import { SeqTracker } from "./seq-tracker.js";
import type { CollectorStats } from "./stats.js";
import type { StationMessage } from "./validate.js";
import type { WriteBuffer } from "./write-buffer.js";

export interface RegistryEntry {
  name?: string;
  district?: string;
  /** The upstream link or SWAN point of presence the station hangs off (alert correlation). */
  pop?: string;
}

export interface FleetOptions {
  /** An up station not heard from for this long becomes unknown (silent without a Last Will). */
  silentAfterMs: number;
  /** When given, only these stations are accepted; others are counted as unknown stations. */
  registry?: Map<string, RegistryEntry>;
  /**
   * Several collectors share the stations ($share): this one manages only the stations it has heard
   * since it started ("owned"), and assumes nothing about the others.
   */
  shared?: boolean;
}

/** What the dashboard's live stream tells browsers. */
export interface FleetChange {
  station: string;
  district?: string;
  status: Status;
  since: number;
  cause?: ProbableCause;
  what: "status" | "device" | "new";
}

export interface Live {
  row: StationRow;
  seq: SeqTracker;
  /** When each link last changed, so a station-reported `since` never reorders the history. */
  linkAt: Map<string, number>;
  /** This collector hears the station (always true unless shared). */
  owned: boolean;
}

/**
 * Every station's current truth, in memory (20,000 stations is a few tens of MB), with the changes
 * handed to the write buffer. The collector feeds it validated messages; all times are the NOC's clock
 * except link/device `since`, which the station knows better.
 */
export class Fleet {
  readonly stations = new Map<string, Live>();
  private readonly listeners: ((c: FleetChange) => void)[] = [];
  /** Told of gaps that became permanent loss (alert rule sequence-loss). */
  readonly lossListeners: ((g: GapRow) => void)[] = [];
  /** (station, day-start ms) pairs whose availability must be recomputed: late outage records. */
  readonly outageSpans: { station: string; start: number; end: number }[] = [];

  constructor(
    private readonly out: WriteBuffer,
    private readonly stats: CollectorStats,
    private readonly options: FleetOptions,
  ) {}

  onChange(listener: (c: FleetChange) => void): () => void {
    this.listeners.push(listener);
    return () => this.listeners.splice(this.listeners.indexOf(listener) >>> 0, 1);
  }

  /** Loads stored stations and open gaps; registry stations never heard of start as unknown. */
  load(rows: StationRow[], openGaps: GapRow[], now: number): void {
    const gapsBy = new Map<string, GapRow[]>();
    for (const g of openGaps) gapsBy.set(g.station, [...(gapsBy.get(g.station) ?? []), g]);
    for (const row of rows)
      this.stations.set(row.id, {
        row,
        seq: new SeqTracker(row.id, row.lastSeq, gapsBy.get(row.id) ?? []),
        linkAt: new Map(),
        owned: !this.options.shared,
      });
    for (const [id, { pop: _pop, ...entry }] of this.options.registry ?? []) {
      const live = this.stations.get(id);
      if (live) {
        const name = entry.name ?? live.row.name;
        const district = entry.district ?? live.row.district;
        if (live.row.registered && live.row.name === name && live.row.district === district) continue;
        Object.assign(live.row, { registered: true, name, district });
        this.out.station(live.row, true);
      } else {
        const row: StationRow = {
          id,
          ...entry,
          registered: true,
          status: "unknown",
          statusSince: now,
          cause: "unknown",
          causeDetail: causeDetail("never-heard").text,
          causeDetailCoded: { code: "never-heard", params: {} },
          info: { links: {}, devices: {} },
        };
        this.stations.set(id, {
          row,
          seq: new SeqTracker(id, undefined),
          linkAt: new Map(),
          owned: !this.options.shared,
        });
        this.out.station(row, true);
        this.out.pending.statusChanges.push({
          station: id,
          at: now,
          status: "unknown",
          cause: "unknown",
          reason: "registered, never heard from",
        });
      }
    }
  }

  /** The NOC was not listening between `from` and now: what it believed "up" becomes unknown from `from`. */
  notListening(from: number): void {
    if (this.options.shared) return; // another collector of the group may well have been listening
    for (const { row } of this.stations.values()) {
      if (row.status !== "up") continue;
      this.setStatus(row, "unknown", from, "silent", causeDetail("noc-not-running"));
    }
  }

  known(id: string): boolean {
    return !this.options.registry || this.options.registry.has(id);
  }

  apply(
    m: StationMessage,
    now: number,
    retained: boolean,
  ): { duplicate?: boolean; gap?: GapRow; filled?: GapRow[] } {
    const live = this.ensure(m.station, now);
    const row = live.row;
    if (!retained) live.owned = true;
    // Anything the station itself sends now proves it is alive; a Last Will (offline state) does not.
    const offline = m.kind === "state" && !m.payload.online;
    if (!retained && !offline) {
      row.lastSeen = now;
      if (row.status !== "up")
        this.setStatus(row, "up", now, undefined, { text: m.kind === "state" ? "birth" : `heard ${m.kind}` });
    }
    switch (m.kind) {
      case "state":
        this.state(row, m.payload, now);
        return {};
      case "link":
        this.link(live, m.payload, now);
        return {};
      case "device":
        this.device(row, m.payload, now);
        return {};
      case "power": {
        const prev = row.info.power;
        row.info.power = m.payload;
        if (!prev || prev.state !== m.payload.state || prev.source !== m.payload.source) {
          const at = clampSince(m.payload.since, 0, now);
          this.out.pending.powerChanges.push({
            station: row.id,
            at,
            source: m.payload.source,
            state: m.payload.state,
          });
          this.out.station(row, true);
        }
        return {};
      }
      case "uptime":
        row.info.uptime = m.payload;
        this.out.station(row, false);
        return {};
      case "event":
      case "metrics":
        return this.durable(live, m, now);
    }
  }

  private ensure(id: string, now: number): Live {
    let live = this.stations.get(id);
    if (!live) {
      const row: StationRow = {
        id,
        registered: false,
        firstSeen: now,
        status: "unknown",
        statusSince: now,
        info: { links: {}, devices: {} },
      };
      live = { row, seq: new SeqTracker(id, undefined), linkAt: new Map(), owned: !this.options.shared };
      this.stations.set(id, live);
      this.emit(row, "new");
    }
    live.row.firstSeen ??= now;
    return live;
  }

  private state(row: StationRow, p: StatePayload, now: number): void {
    const info = row.info;
    if (p.online) {
      Object.assign(info, {
        bootId: p.bootId,
        bootTime: p.bootTime,
        agentVersion: p.agentVersion,
        configHash: p.configHash,
        startedAt: p.startedAt,
        clockSynced: p.clockSynced,
        offlineCause: undefined,
        configFragment: p.configFragment ?? null,
        ...(p.pc ? { pc: p.pc } : {}),
      });
      if (!row.registered) {
        row.name = p.name ?? row.name;
        row.district = p.district ?? row.district;
      } else {
        row.name ??= p.name;
        row.district ??= p.district;
      }
      // Only a live birth made the station up (in apply). A retained one is the broker's memory, read on
      // (re)subscribing: it outlives a Will the broker lost, so it proves nothing about now. It updates
      // what the station is; the stored status (or unknown) stands until the station sends something.
      this.out.station(row, true);
      return;
    }
    info.offlineCause = p.cause;
    if (row.status === "down") {
      this.out.station(row, true);
      return;
    }
    if (p.cause === "shutdown") this.setStatus(row, "down", now, "agent", causeDetail("agent-stopped"));
    else {
      const g = guessCause(info);
      this.setStatus(row, "down", now, g.cause, g.detail, g.link);
    }
  }

  private link(live: Live, p: LinkState, now: number): void {
    const row = live.row;
    const prev = row.info.links[p.link];
    if (!prev && Object.keys(row.info.links).length >= MAX_LINKS) {
      this.stats.reject(`${row.id}/link/${p.link}`, "too-many-links", `more than ${MAX_LINKS} links`, now);
      return;
    }
    row.info.links[p.link] = p;
    if (prev && prev.state === p.state && prev.active === p.active && prev.role === p.role) return;
    const at = clampSince(p.since, live.linkAt.get(p.link) ?? 0, now);
    live.linkAt.set(p.link, at);
    this.out.pending.linkChanges.push({
      station: row.id,
      link: p.link,
      at,
      state: p.state,
      active: p.active,
      role: p.role,
    });
    this.out.station(row, true);
  }

  private device(row: StationRow, p: DeviceState, now: number): void {
    const prev = row.info.devices[p.device];
    if (!prev && Object.keys(row.info.devices).length >= MAX_DEVICES) {
      const detail = `more than ${MAX_DEVICES} devices`;
      this.stats.reject(`${row.id}/device/${p.device}`, "too-many-devices", detail, now);
      return;
    }
    row.info.devices[p.device] = p;
    if (prev && prev.health === p.health) return;
    const at = clampSince(p.since, 0, now);
    this.out.pending.deviceChanges.push({
      station: row.id,
      device: p.device,
      kind: p.kind,
      at,
      health: p.health,
      reason: p.reason,
    });
    this.out.station(row, true);
    if (p.health === "faulted" || prev?.health === "faulted") this.emit(row, "device");
  }

  private durable(live: Live, m: Extract<StationMessage, { kind: "event" | "metrics" }>, now: number) {
    const p = m.payload;
    const v = live.seq.observe(p.seq, now);
    const row = live.row;
    if (!v.accept) {
      this.stats.duplicates++;
      return { duplicate: true };
    }
    const time = Date.parse(p.time);
    if (p.historical) this.stats.historical++;
    else this.stats.ingestLag.record(now - time);
    if (v.reset) this.stats.seqResets++;
    if (v.newGap) {
      this.stats.gapsOpened++;
      this.out.pending.gaps.push(v.newGap);
    }
    for (const g of v.filled) {
      if (g.status === "closed") this.stats.gapsClosed++;
      if (g.status === "permanent") this.lost(g);
      this.out.pending.gaps.push(g);
    }
    row.lastSeq = live.seq.highest;
    if (m.kind === "metrics") {
      if (!p.historical) {
        const { time, host, outbox, dropped, agent, links, pc, bookings } = m.payload;
        row.info.metrics = {
          time,
          host,
          outbox,
          dropped,
          agent,
          links,
          ...(pc ? { pc } : {}),
          ...(bookings ? { bookings } : {}),
        };
      }
    } else {
      const e = m.payload;
      this.out.pending.events.push({
        station: row.id,
        seq: e.seq,
        time,
        receivedAt: now,
        type: e.type,
        data: e.data,
        historical: !!e.historical,
      });
      // Events are what is stored per message; metrics only update the station's liveness.
      if (!e.historical) this.out.durableTime(time);
      const checked = m.checked;
      if (checked.ok && checked.event.type === "outage") this.outage(row.id, checked.event.data, e.seq, now);
    }
    // A new gap must survive a restart together with the seq that revealed it.
    this.out.station(row, v.newGap !== undefined || v.reset === true);
    this.out.highWater(row);
    return { gap: v.newGap, filled: v.filled };
  }

  private outage(station: string, o: Outage, seq: number, now: number): void {
    const start = Date.parse(o.start);
    const end = Date.parse(o.end);
    const implausible = implausibleSpan(start, end, now);
    if (implausible) {
      // Stored as an event (it was delivered), but it neither counts as downtime nor triggers a rollup.
      this.stats.reject(`${station}/event/${seq}`, "implausible-outage", implausible, now);
      return;
    }
    this.out.pending.outages.push({
      station,
      start,
      end,
      cause: o.cause,
      link: o.link,
      seq,
      evidence: o.evidence,
    });
    this.outageSpans.push({ station, start, end });
  }

  /** Up stations silent for longer than silentAfter become unknown from when they were last heard. */
  sweepSilent(now: number): number {
    const found = this.silentCandidates(now);
    for (const live of found) this.markSilent(live, now);
    return found.length;
  }

  /** Owned up stations not heard for longer than silentAfter. */
  silentCandidates(now: number, slackMs = 0): Live[] {
    const out: Live[] = [];
    for (const live of this.stations.values()) {
      const { row } = live;
      if (!live.owned || row.status !== "up" || row.lastSeen === undefined) continue;
      if (now - row.lastSeen > this.options.silentAfterMs + slackMs) out.push(live);
    }
    return out;
  }

  markSilent(live: Live, now: number): void {
    const row = live.row;
    const secs = Math.round((now - (row.lastSeen ?? now)) / 1000);
    this.setStatus(
      row,
      "unknown",
      row.lastSeen ?? now,
      "silent",
      causeDetail("silent-no-will", { seconds: secs }),
    );
  }

  /** Another collector of the group heard the station more recently: it is theirs now. */
  disown(live: Live, lastSeenElsewhere: number): void {
    live.owned = false;
    live.row.lastSeen = Math.max(live.row.lastSeen ?? 0, lastSeenElsewhere);
  }

  /**
   * Dashboard role: takes the stored rows as the truth (collectors write them) and tells browsers what
   * changed. Every station is "owned" here so that one whose collector vanished still goes silent.
   */
  refresh(rows: StationRow[]): void {
    for (const row of rows) {
      const live = this.stations.get(row.id);
      if (!live) {
        this.stations.set(row.id, {
          row,
          seq: new SeqTracker(row.id, row.lastSeq),
          linkAt: new Map(),
          owned: true,
        });
        this.emit(row, "new");
        continue;
      }
      const changed = live.row.status !== row.status || live.row.statusSince !== row.statusSince;
      live.row = row;
      live.owned = true;
      if (changed) this.emit(row, "status");
    }
  }

  /** This collector gets only part of the station's stream: stop gap bookkeeping for it. */
  markSplit(live: Live, now: number): void {
    if (live.seq.loose) return;
    this.stats.splitStreams++;
    this.out.pending.gaps.push(...live.seq.goLoose(now));
  }

  /** Gaps a resend reply settled or shrank (SeqTracker.markGone): counted when they settled. */
  gapsSettled(gaps: GapRow[]): void {
    for (const g of gaps) {
      if (g.status === "closed") this.stats.gapsClosed++;
      if (g.status === "permanent") this.lost(g);
    }
    this.saveGaps(gaps);
  }

  /**
   * Stores gaps whose bookkeeping changed (a request sent, a reply's cursor) without counting them: a
   * gap the resent messages closed was counted then, before the station's reply came.
   */
  saveGaps(gaps: GapRow[]): void {
    this.out.pending.gaps.push(...gaps);
  }

  private lost(g: GapRow): void {
    this.stats.gapsPermanent++;
    for (const l of this.lossListeners) l(g);
  }

  private setStatus(
    row: StationRow,
    status: Status,
    at: number,
    cause: ProbableCause | undefined,
    why: { text: string; code?: string; params?: CodedText["params"] },
    link?: string,
  ) {
    const reason = why.text;
    row.status = status;
    row.statusSince = at;
    row.cause = cause;
    row.causeDetail = status === "up" ? undefined : reason;
    row.causeDetailCoded =
      status === "up" || why.code === undefined ? undefined : { code: why.code, params: why.params ?? {} };
    this.out.pending.statusChanges.push({ station: row.id, at, status, cause, link, reason });
    this.out.station(row, true);
    this.emit(row, "status");
  }

  private emit(row: StationRow, what: FleetChange["what"]): void {
    const c: FleetChange = {
      station: row.id,
      district: row.district,
      status: row.status,
      since: row.statusSince,
      cause: row.cause,
      what,
    };
    for (const l of this.listeners) l(c);
  }
}

/** A station-reported `since`, kept between the previous change and now so history stays in order. */
function clampSince(since: string, notBefore: number, now: number): number {
  const t = Date.parse(since);
  return Math.min(now, Math.max(notBefore, Number.isFinite(t) ? t : now));
}

/** Nothing the agent records predates the product; a clock may run ahead of the NOC's by under a day. */
export const OUTAGE_EPOCH = Date.parse("2020-01-01T00:00:00Z");
const AHEAD_MS = 86_400_000;

/** Why an outage record cannot be true (year 0000, ends before it starts, in the future), or undefined. */
export function implausibleSpan(start: number, end: number, now: number): string | undefined {
  if (!Number.isFinite(start) || !Number.isFinite(end)) return "outage times are not dates";
  if (start < OUTAGE_EPOCH) return `outage starts ${new Date(start).toISOString()}, before 2020`;
  if (end < start) return "outage ends before it starts";
  if (end > now + AHEAD_MS) return `outage ends ${new Date(end).toISOString()}, in the future`;
  return undefined;
}
