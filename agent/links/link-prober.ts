import type { LinkConfig } from "../../config/links.js";
import type { LinkFigures, LinkHealth } from "../../contract/index.js";
import { HealthMachine, type Transition } from "./health.js";
import type { IcmpTool } from "./icmp-parse.js";
import {
  baseRun,
  causeOf,
  firstBadSampleAt,
  iso,
  referenceFigures,
  referenceQuick,
  targetFaults,
  targetStatuses,
  type TargetStatus,
} from "./link-status.js";
import { REAL_LINK_SYSTEM, type LinkSystem, type SocketProbes, type TimerHandle } from "./link-system.js";
import { buildTargets, decidingTargets, type StreamRuntime, type TargetRuntime } from "./targets.js";
import type { InterfaceSnapshot, NowClock, ProbeFault, ProbeOutcome } from "./types.js";

export interface LinkProberDeps {
  clock: NowClock;
  /** /sys, resolution, ICMP processes, socket probes and timers; the real machine when absent. */
  system?: LinkSystem;
  icmp: { tool: IcmpTool; binary: string | undefined; missing?: string };
  /** A state transition with its evidence. */
  onTransition(t: Transition, evidence: Record<string, unknown>): void;
  /** Something the retained state shows changed (interface state, reason, faults). */
  onChange(): void;
  log?: (level: "info" | "warn", msg: string, data?: Record<string, unknown>) => void;
}

export interface LinkSnapshot {
  state: LinkHealth;
  since: number;
  reason?: string;
  figures: LinkFigures;
  iface: InterfaceSnapshot;
  faults: ProbeFault[];
  targets: TargetStatus[];
}

const ROUND_GRACE_MS = 100;
const REFRESH_EVERY_MS = 60_000;
const INTERFACE_POLL_MS = 5000;

/**
 * Probes one link: one ICMP process per ICMP target, socket probes once per round, the interface state
 * from /sys, and the HealthMachine that turns outcomes and rounds into up/degraded/down.
 */
export class LinkProber {
  readonly targets: TargetRuntime[];
  readonly machine: HealthMachine;
  iface: InterfaceSnapshot = {
    exists: true,
    operstate: "unknown",
    carrier: null,
    addresses: [],
    rxBytes: 0,
    txBytes: 0,
    rxErrors: 0,
    txErrors: 0,
  };
  private epoch = 0;
  private tickIndex = 0;
  private tickTimer: TimerHandle | undefined;
  private closeTimers = new Set<TimerHandle>();
  private answered = new Map<number, Set<number>>();
  private closedBefore = 0;
  private running = false;
  private lastRefresh = 0;
  private lastInterfaceRead = 0;
  private outageFrom: number | undefined;
  private previousRead = 0;
  /** Interface counter changes between the last two reads of /sys (evidence of a bad cable or modem). */
  counterDelta:
    { rxBytes: number; txBytes: number; rxErrors: number; txErrors: number; overMs: number } | undefined;
  private carrierCheck: Promise<void> | undefined;
  private notes: string[] = [];
  private readonly sys: LinkSystem;
  private sockets: SocketProbes;
  private icmpChains = new Map<TargetRuntime, Promise<void>>();

  constructor(
    readonly cfg: LinkConfig,
    private readonly deps: LinkProberDeps,
  ) {
    this.targets = buildTargets(cfg.targets, cfg.windowMs);
    this.machine = new HealthMachine(cfg, deps.clock.now());
    this.sys = deps.system ?? REAL_LINK_SYSTEM;
    this.sockets = this.sys.sockets(cfg.interface, cfg.timeoutMs);
  }

  async start(): Promise<void> {
    this.running = true;
    this.epoch = this.deps.clock.now();
    this.tickIndex = 0;
    this.iface = await this.sys.readInterface(this.cfg.interface);
    this.previousRead = this.lastInterfaceRead = this.epoch;
    await this.refreshTargets();
    this.evaluate();
    this.tick();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.sys.clearTimeout(this.tickTimer);
    for (const t of this.closeTimers) this.sys.clearTimeout(t);
    this.closeTimers.clear();
    await Promise.all([...this.icmpChains.values()]);
    await Promise.all(this.targets.flatMap((t) => t.streams.flatMap((s) => (s.icmp ? [s.icmp.stop()] : []))));
  }

  /** Re-read gateways and names, restarting ICMP processes whose address changed. */
  async refreshTargets(): Promise<void> {
    this.lastRefresh = this.deps.clock.now();
    this.sockets.clearRoutes();
    let changed = false;
    await Promise.all(
      this.targets.map(async (t) => {
        const r = await this.sys.resolveTarget(t, this.cfg.interface);
        if (!this.running) return;
        if (r.address === t.address && r.fault === t.fault) return;
        changed = true;
        t.fault = r.fault;
        if (r.address !== t.address) {
          t.address = r.address;
          t.tracker.reset();
          await this.restartIcmp(t);
        }
      }),
    );
    if (changed) {
      this.evaluate();
      this.deps.onChange();
    }
  }

  /** Serialised per target, so two restarts never leave two processes running. */
  private restartIcmp(t: TargetRuntime): Promise<void> {
    const chain = this.icmpChains.get(t) ?? Promise.resolve();
    const next = chain.then(() => this.restartIcmpNow(t));
    this.icmpChains.set(t, next);
    return next;
  }

  private async restartIcmpNow(t: TargetRuntime): Promise<void> {
    for (const s of t.streams) {
      if (s.probe.type !== "icmp") continue;
      await s.icmp?.stop();
      s.icmp = undefined;
      if (!t.address || !this.running) continue;
      s.icmp = this.sys.icmp({
        ...this.deps.icmp,
        address: t.address,
        iface: this.cfg.interface,
        periodMs: Math.round(this.cfg.intervalMs / this.cfg.icmpPerRound),
        timeoutMs: this.cfg.timeoutMs,
        clock: this.deps.clock,
        onOutcome: (o) => this.onOutcome(t, s, o),
        onFault: (m) => this.setStreamFault(t, s, m),
        onNote: (text) => this.note(`${t.label}: ${text}`),
      });
      s.icmp.start();
    }
  }

  private tick = (): void => {
    if (!this.running) return;
    const k = this.tickIndex++;
    const now = this.deps.clock.now();
    const interval = this.cfg.intervalMs;
    // The wall clock can jump (NTP's first sync at boot): start the rounds again from now rather than
    // firing an hour of missed rounds at once, or waiting an hour for the next.
    const late = now - (this.epoch + k * interval);
    if (late > interval || late < -interval) this.epoch = now - k * interval;
    const next = this.epoch + (k + 1) * interval;
    this.tickTimer = this.sys.setTimeout(this.tick, Math.max(0, next - now));
    for (const t of this.targets)
      for (const s of t.streams) if (s.probe.type !== "icmp") void this.fireSocketProbe(t, s);
    if (k >= 1) {
      const timer = this.sys.setTimeout(() => {
        this.closeTimers.delete(timer);
        this.closeRound(k - 1);
      }, this.cfg.timeoutMs + ROUND_GRACE_MS);
      this.closeTimers.add(timer);
    }
    // The kernel watcher and failing probes trigger reads at once; this poll is the safety net.
    if (now - this.lastInterfaceRead >= INTERFACE_POLL_MS) void this.readInterfaceState();
    if (now - this.lastRefresh >= REFRESH_EVERY_MS) void this.refreshTargets();
  };

  private roundOf(sentAt: number): number {
    const half = 0.5 / this.cfg.icmpPerRound;
    return Math.floor((sentAt - this.epoch) / this.cfg.intervalMs + half);
  }

  private onOutcome(t: TargetRuntime, s: StreamRuntime, o: ProbeOutcome): void {
    if (!this.running) return;
    s.window.add({ sentAt: o.sentAt, ok: o.ok, rttMs: o.rttMs });
    s.last = o;
    t.tracker.record(o, this.baseRun(t));
    const round = this.roundOf(o.sentAt);
    if (o.ok && round >= this.closedBefore) {
      let set = this.answered.get(round);
      if (!set) this.answered.set(round, (set = new Set()));
      set.add(t.index);
    }
    // A reply can only make the link more reachable; the fast path to down needs only failures.
    if (!o.ok) {
      this.checkCarrier();
      this.evaluate();
    }
  }

  private setStreamFault(t: TargetRuntime, s: StreamRuntime, message: string | undefined): void {
    s.fault = message;
    s.faultSince = message === undefined ? undefined : this.deps.clock.now();
    if (message)
      this.deps.log?.("warn", `link ${this.cfg.name}: ${t.label} ${s.label} probe faulted: ${message}`);
    this.evaluate();
    this.deps.onChange();
  }

  private async fireSocketProbe(t: TargetRuntime, s: StreamRuntime): Promise<void> {
    if (s.inflight || !t.address) return;
    s.inflight = true;
    const sentAt = this.deps.clock.now();
    try {
      const r = await this.sockets.run(t.address, s.probe);
      if ("fault" in r) {
        if (s.fault !== r.fault) this.setStreamFault(t, s, r.fault);
        return;
      }
      if (s.fault) this.setStreamFault(t, s, undefined);
      this.onOutcome(t, s, { sentAt, ...r.attempt });
    } finally {
      s.inflight = false;
    }
  }

  private closeRound(round: number): void {
    if (!this.running) return;
    this.closedBefore = round + 1;
    const answered = this.answered.get(round) ?? new Set<number>();
    this.answered.delete(round);
    for (const r of this.answered.keys()) if (r < this.closedBefore) this.answered.delete(r);
    const deciding = decidingTargets(this.targets);
    const need = Math.min(this.cfg.reliability, deciding.length);
    const good =
      deciding.length > 0 &&
      this.iface.exists &&
      this.iface.carrier !== false &&
      deciding.filter((t) => answered.has(t.index)).length >= need;
    const best = referenceQuick(deciding, this.cfg.reliability, this.deps.clock.now());
    const judged = best.sent >= 10;
    const prevKind = this.machine.downKind;
    const roundStart = this.epoch + round * this.cfg.intervalMs;
    const tr = this.machine.round(this.deps.clock.now(), roundStart, good, {
      lossPct: best.sent ? best.lossPct : null,
      rttMedianMs: best.rttMedianMs,
      judged,
    });
    if (!tr) return;
    if (tr.from === "down" && prevKind !== "loss" && this.machine.recoveryStart !== undefined) {
      // The outage is in the down event; the quality figures leave it out from now on.
      const to = this.machine.recoveryStart - this.cfg.intervalMs / (2 * this.cfg.icmpPerRound);
      const from = Math.min(this.outageFrom ?? to, to);
      for (const t of this.targets) for (const s of t.streams) s.window.dropBetween(from, to);
    }
    this.emit(tr);
  }

  /** The link's figures: those of its reliability-th best deciding target. */
  referenceFigures(): LinkFigures {
    return referenceFigures(decidingTargets(this.targets), this.cfg.reliability, this.deps.clock.now());
  }

  private evaluate(): void {
    if (!this.running) return;
    const now = this.deps.clock.now();
    const deciding = decidingTargets(this.targets);
    if (this.iface.exists && this.iface.carrier !== false && deciding.length === 0) {
      // Nothing can probe (fping missing, names unresolved): the link's health is unknown, not down.
      const faults = this.faults().map((f) => `${f.probe}: ${f.message}`);
      const reason = `no probe can run${faults.length ? ` (${faults.join("; ")})` : ""}`;
      const tr = this.machine.setUnknown(now, reason);
      if (tr) this.emit(tr);
      return;
    }
    const silent = deciding.filter((t) => t.tracker.silent(this.baseRun(t)));
    const reachable = deciding.length - silent.length >= Math.min(this.cfg.reliability, deciding.length);
    const runStarts = silent.map((t) => t.tracker.runStart).filter((x): x is number => x !== undefined);
    const firstFailAt = runStarts.length ? Math.max(...runStarts) : undefined;
    const tr = this.machine.reachability(now, {
      exists: this.iface.exists,
      carrier: this.iface.carrier,
      reachable,
      cause: causeOf({ name: this.cfg.interface, ...this.iface }, this.targets, deciding, firstFailAt ?? now),
      firstFailAt: this.iface.carrier === false ? this.earliestRecentFailure(now) : firstFailAt,
    });
    if (tr) this.emit(tr);
  }

  private baseRun(t: TargetRuntime): number {
    return baseRun(t, this.cfg.downAfter, this.cfg.icmpPerRound);
  }

  private earliestRecentFailure(now: number): number {
    const starts = this.targets
      .map((t) => t.tracker.runStart)
      .filter((x): x is number => x !== undefined && now - x < 2 * this.cfg.intervalMs);
    return starts.length ? Math.min(...starts) : now;
  }

  private emit(tr: Transition): void {
    if (tr.to === "down") this.outageFrom = tr.firstFailAt ?? tr.at;
    this.deps.onTransition(tr, this.evidence());
  }

  evidence(): Record<string, unknown> {
    return {
      interface: this.cfg.interface,
      operstate: this.iface.operstate,
      carrier: this.iface.carrier,
      addresses: this.iface.addresses,
      ...(this.counterDelta ? { counters: this.counterDelta } : {}),
      figures: this.referenceFigures(),
      targets: this.targetStatuses().map((t) => ({ ...t, lastOkAt: iso(t.lastOkAt) })),
      ...(this.notes.length ? { icmpErrors: [...this.notes] } : {}),
      ...(this.faults().length ? { faults: this.faults().map((f) => `${f.probe}: ${f.message}`) } : {}),
    };
  }

  targetStatuses(): TargetStatus[] {
    return targetStatuses(this.targets, decidingTargets(this.targets), this.cfg, this.deps.clock.now());
  }

  faults() {
    return targetFaults(this.targets, this.epoch);
  }

  snapshot(): LinkSnapshot {
    return {
      state: this.machine.state,
      since: this.machine.since,
      reason: this.machine.reason,
      figures: this.referenceFigures(),
      iface: this.iface,
      faults: this.faults(),
      targets: this.targetStatuses(),
    };
  }

  /** When the current degradation began: the first lost (or slow) probe in the window. */
  firstBadSampleAt(): number | undefined {
    return firstBadSampleAt(
      decidingTargets(this.targets),
      this.cfg.thresholds.degraded.enter.rttMs ?? Infinity,
    );
  }

  private note(text: string): void {
    this.notes.push(text);
    if (this.notes.length > 5) this.notes.shift();
  }

  /** Read the carrier now (a route just moved away from this link): a pulled cable shows at once. */
  recheckCarrier(): Promise<void> {
    this.checkCarrier();
    return this.carrierCheck ?? Promise.resolve();
  }

  private checkCarrier(): void {
    if (this.carrierCheck) return;
    this.carrierCheck = this.sys
      .readCarrier(this.cfg.interface)
      .then((carrier) => {
        if (carrier === this.iface.carrier || !this.running) return;
        this.iface = { ...this.iface, carrier };
        this.evaluate();
        this.deps.onChange();
      })
      .finally(() => (this.carrierCheck = undefined));
  }

  /** Read operstate, carrier, addresses and counters now (the kernel reported a change, or the poll is due). */
  async readInterfaceState(): Promise<void> {
    const readAt = this.deps.clock.now();
    this.lastInterfaceRead = readAt;
    const snap = await this.sys.readInterface(this.cfg.interface);
    if (!this.running) return;
    const prev = this.iface;
    this.iface = snap;
    if (prev.exists && snap.exists) {
      const d = (k: "rxBytes" | "txBytes" | "rxErrors" | "txErrors") => Math.max(0, snap[k] - prev[k]);
      this.counterDelta = {
        rxBytes: d("rxBytes"),
        txBytes: d("txBytes"),
        rxErrors: d("rxErrors"),
        txErrors: d("txErrors"),
        overMs: readAt - this.previousRead,
      };
    }
    this.previousRead = readAt;
    const changed =
      prev.exists !== snap.exists ||
      prev.operstate !== snap.operstate ||
      prev.carrier !== snap.carrier ||
      prev.addresses.join() !== snap.addresses.join();
    if (!changed) return;
    if (!prev.exists && snap.exists) for (const t of this.targets) void this.restartIcmp(t);
    if (prev.exists !== snap.exists || prev.addresses.join() !== snap.addresses.join())
      void this.refreshTargets();
    this.evaluate();
    this.deps.onChange();
  }
}
