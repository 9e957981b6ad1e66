import { readFileSync } from "node:fs";
import type { LinkConfig } from "../../config/links.js";
import type { LinkState, LinkSummary } from "../../contract/index.js";
import type { Clock, EventSink, LinkView, Logger, RetainedSink, Service } from "../ports.js";
import type { z } from "zod";
import type { Transition } from "./health.js";
import { LinkHistory } from "./history.js";
import type { IcmpTool } from "./icmp-parse.js";
import { LinkProber } from "./link-prober.js";
import { iso, type TargetStatus } from "./link-status.js";
import { networkEvidence, type NetworkEvidence } from "./evidence.js";
import { defaultRouteDevice, findExecutable, KernelChangeWatcher, routeGet } from "./system.js";

export interface LinkMonitorDeps {
  station: string;
  links: LinkConfig[];
  events: EventSink;
  retained: RetainedSink;
  clock: Clock;
  logger?: Logger;
  /** JSON-lines file for state history (e.g. <storage.dir>/link-history.jsonl); in memory only when absent. */
  historyFile?: string;
  /** Safety net for the active-link check; route changes trigger it at once anyway. */
  activeCheckMs?: number;
  /** Where fping/ping live when not in PATH (e.g. /opt/fping/bin/fping). */
  icmpBinaries?: { fping?: string; ping?: string };
}

const CHECKPOINT_MS = 5 * 60_000;

type Counters = { rxBytes: number; txBytes: number; rxErrors: number; txErrors: number };

/**
 * The link monitor service: one LinkProber per configured link, the active link (the interface the kernel
 * routes the data centre's traffic through), events on transitions, retained state on change, and the
 * LinkView the metrics sampler, the uptime ledger and `station-agent status` read.
 */
export class LinkMonitor implements Service, LinkView {
  readonly name = "links";
  private probers: LinkProber[] = [];
  private history: LinkHistory;
  private active: string | null = null;
  private lastActive: string | null = null;
  private activeFault: string | undefined;
  private published = new Map<string, string>();
  private counters = new Map<string, Counters>();
  private watcher: KernelChangeWatcher | undefined;
  private timers: NodeJS.Timeout[] = [];
  private changeDebounce: NodeJS.Timeout | undefined;
  private interfaceDebounce: NodeJS.Timeout | undefined;
  private activeCheck: Promise<void> | undefined;
  private running = false;
  private lastDown = new Map<string, { firstFailAt?: number; reason: string }>();

  constructor(private readonly deps: LinkMonitorDeps) {
    this.history = new LinkHistory(deps.historyFile, (m) => deps.logger?.warn(m));
  }

  async start(): Promise<void> {
    const { clock, links, logger } = this.deps;
    this.running = true;
    await this.history.load(clock.now());
    this.history.add({ t: clock.now(), kind: "run" });
    const fping = this.deps.icmpBinaries?.fping ?? (await findExecutable("fping"));
    const ping = this.deps.icmpBinaries?.ping ?? (await findExecutable("ping"));
    this.probers = links.map(
      (cfg) =>
        new LinkProber(cfg, {
          clock,
          icmp: chooseIcmp(cfg.icmpTool, fping, ping),
          onTransition: (t, evidence) => this.onTransition(cfg, t, evidence),
          onChange: () => this.publish(cfg.name),
          log: (level, msg, data) => logger?.[level](data ?? {}, msg),
        }),
    );
    for (const p of this.probers) this.publish(p.cfg.name, true);
    await Promise.all(
      this.probers.map((p) =>
        p
          .start()
          .catch((e: Error) =>
            logger?.error({ link: p.cfg.name, err: e.message }, "link prober failed to start"),
          ),
      ),
    );
    this.watcher = new KernelChangeWatcher(
      () => this.kernelChanged(),
      (m) => {
        this.activeFault = m;
        logger?.warn(m ?? "ip monitor running again");
      },
    );
    this.watcher.start();
    await this.checkActive();
    this.timers.push(setInterval(() => void this.checkActive(), this.deps.activeCheckMs ?? 30_000));
    this.timers.push(setInterval(() => this.history.add({ t: clock.now(), kind: "alive" }), CHECKPOINT_MS));
    for (const t of this.timers) t.unref?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    clearTimeout(this.changeDebounce);
    clearTimeout(this.interfaceDebounce);
    await this.watcher?.stop();
    await Promise.all(this.probers.map((p) => p.stop()));
    this.history.add({ t: this.deps.clock.now(), kind: "stop" });
    await this.history.flush();
  }

  /** Route, address or link changes: re-read the active link now, gateways a little later. */
  private kernelChanged(): void {
    if (this.interfaceDebounce) return;
    // A cable pull arrives as a burst of link and route messages: one read of everything per burst.
    this.interfaceDebounce = setTimeout(() => {
      this.interfaceDebounce = undefined;
      for (const p of this.probers) void p.readInterfaceState();
      void this.checkActive();
    }, 20);
    clearTimeout(this.changeDebounce);
    this.changeDebounce = setTimeout(() => {
      for (const p of this.probers) void p.refreshTargets();
    }, 500);
  }

  private checkActive(): Promise<void> {
    // One check at a time; a change during a check triggers one more afterwards.
    if (this.activeCheck) {
      this.activeCheck = this.activeCheck.then(() => this.readActive());
      return this.activeCheck;
    }
    this.activeCheck = this.readActive().finally(() => (this.activeCheck = undefined));
    return this.activeCheck;
  }

  private async readActive(): Promise<void> {
    if (!this.running) return;
    let dev: string | undefined;
    try {
      const dc = this.dataCentreAddress();
      dev = dc ? (await routeGet(dc))?.dev : await defaultRouteDevice();
      this.activeFault = undefined;
    } catch (e) {
      this.activeFault = `active link unknown: ${(e as Error).message}`;
      return;
    }
    const now = this.deps.clock.now();
    const next = this.deps.links.find((l) => l.interface === dev)?.name ?? null;
    if (next === this.active || !this.running) return;
    const prev = this.active;
    const from = this.lastActive;
    const failover = next !== null && from !== null && next !== from;
    // The kernel often moves the route before a probe fails: read the old link's carrier first, so a
    // pulled cable is reported (link.down) before the failover it caused, and named as its reason.
    if (failover) await this.prober(from)?.recheckCarrier();
    if (!this.running) return;
    this.active = next;
    this.history.add({ t: now, kind: "active", link: next });
    if (failover) this.failover(from, next, now);
    if (next !== null) this.lastActive = next;
    for (const name of new Set([prev, next])) if (name) this.publish(name);
  }

  private failover(from: string, to: string, now: number): void {
    const fromCfg = this.deps.links.find((l) => l.name === from)!;
    const toCfg = this.deps.links.find((l) => l.name === to)!;
    const fromProber = this.prober(from);
    const down = fromProber?.machine.state === "down" ? this.lastDown.get(from) : undefined;
    this.deps.events.event(
      "failover",
      {
        from,
        to,
        fromRole: fromCfg.role,
        toRole: toCfg.role,
        fromInterface: fromCfg.interface,
        toInterface: toCfg.interface,
        ...(toCfg.role === "primary" ? { failback: true } : {}),
        ...(down ? { reason: down.reason, firstFailAt: iso(down.firstFailAt) } : {}),
        evidence: fromProber?.evidence() ?? {},
      },
      now,
    );
    this.deps.logger?.warn({ from, to }, `failover: traffic to the data centre now goes through ${to}`);
  }

  /** The first data centre host (primary links first): what "the state data centre's traffic" means. */
  private dataCentreAddress(): string | undefined {
    const ordered = [...this.probers].sort((a, b) =>
      a.cfg.role === b.cfg.role ? 0 : a.cfg.role === "primary" ? -1 : 1,
    );
    for (const p of ordered)
      for (const t of p.targets) if (t.cfg.role === "datacentre" && t.address) return t.address;
    return undefined;
  }

  private onTransition(cfg: LinkConfig, tr: Transition, evidence: Record<string, unknown>): void {
    this.history.add({
      t: tr.at,
      kind: "state",
      link: cfg.name,
      state: tr.to,
      reason: tr.reason,
      firstFailAt: tr.firstFailAt,
    });
    const base = {
      link: cfg.name,
      interface: cfg.interface,
      role: cfg.role,
      from: tr.from,
      reason: tr.reason,
    };
    const log = this.deps.logger;
    if (tr.to === "down") {
      this.lastDown.set(cfg.name, { firstFailAt: tr.firstFailAt, reason: tr.reason });
      this.deps.events.event(
        "link.down",
        { ...base, firstFailAt: iso(tr.firstFailAt ?? tr.at), evidence },
        tr.at,
      );
      log?.warn({ link: cfg.name, reason: tr.reason }, `link ${cfg.name} down: ${tr.reason}`);
      void this.checkActive();
    } else if (tr.to === "degraded") {
      const firstFailAt = this.prober(cfg.name)?.firstBadSampleAt() ?? tr.at;
      this.lastDown.set(cfg.name, { firstFailAt, reason: tr.reason });
      this.deps.events.event("link.degraded", { ...base, firstFailAt: iso(firstFailAt), evidence }, tr.at);
      log?.warn({ link: cfg.name, reason: tr.reason }, `link ${cfg.name} degraded: ${tr.reason}`);
    } else if (tr.to === "up" && tr.from !== "unknown") {
      // What it recovers from: the first failing probe and how long it lasted, for the NOC's outage record.
      const bad = this.lastDown.get(cfg.name);
      const prev = tr.previous;
      this.deps.events.event(
        "link.up",
        {
          ...base,
          ...(bad?.firstFailAt !== undefined ? { firstFailAt: iso(bad.firstFailAt) } : {}),
          ...(prev
            ? {
                previous: {
                  state: tr.from,
                  reason: prev.reason,
                  since: iso(prev.since),
                  durationS: Math.round((tr.at - prev.since) / 100) / 10,
                },
              }
            : {}),
          evidence,
        },
        tr.at,
      );
      log?.info({ link: cfg.name }, `link ${cfg.name} up`);
      void this.checkActive();
    } else if (tr.to === "unknown") {
      log?.warn({ link: cfg.name, reason: tr.reason }, `link ${cfg.name}: ${tr.reason}`);
    }
    this.publish(cfg.name);
  }

  private prober(name: string): LinkProber | undefined {
    return this.probers.find((p) => p.cfg.name === name);
  }

  private buildState(p: LinkProber): LinkState {
    const snap = p.snapshot();
    const now = this.deps.clock.now();
    const faults = snap.faults.map((f) => `${f.probe}: ${f.message}`);
    const reason = [snap.reason, ...(snap.state === "unknown" ? [] : faults)].filter(Boolean).join("; ");
    return {
      station: this.deps.station,
      link: p.cfg.name,
      interface: p.cfg.interface,
      role: p.cfg.role,
      state: snap.state,
      since: new Date(snap.since).toISOString(),
      active: this.active === p.cfg.name,
      time: new Date(now).toISOString(),
      figures: snap.figures,
      interfaceState: {
        operstate: snap.iface.operstate,
        carrier: snap.iface.carrier,
        addresses: snap.iface.addresses,
      },
      ...(reason ? { reason } : {}),
    };
  }

  /** Publish the retained state when something other than the figures changed. */
  private publish(name: string, force = false): void {
    const p = this.prober(name);
    if (!p) return;
    const s = this.buildState(p);
    const key = JSON.stringify([s.state, s.since, s.active, s.reason, s.interfaceState]);
    if (!force && this.published.get(name) === key) return;
    this.published.set(name, key);
    this.deps.retained.link(name, s);
  }

  // ---- LinkView ----

  states(): LinkState[] {
    return this.probers.map((p) => this.buildState(p));
  }

  /** For each metrics sample; rx/tx bytes are the deltas since the previous call. */
  summaries(): Record<string, z.infer<typeof LinkSummary>> {
    const out: Record<string, z.infer<typeof LinkSummary>> = {};
    for (const p of this.probers) {
      const f = p.referenceFigures();
      const prev = this.counters.get(p.cfg.name);
      const { rxBytes, txBytes, rxErrors, txErrors } = p.iface;
      this.counters.set(p.cfg.name, { rxBytes, txBytes, rxErrors, txErrors });
      const delta = (k: keyof Counters) => Math.max(0, p.iface[k] - prev![k]);
      out[p.cfg.name] = {
        state: p.machine.state,
        active: this.active === p.cfg.name,
        lossPct: f.sent > 0 ? f.lossPct : null,
        rttMedianMs: f.rttMedianMs,
        ...(prev
          ? {
              rxBytes: delta("rxBytes"),
              txBytes: delta("txBytes"),
              rxErrors: delta("rxErrors"),
              txErrors: delta("txErrors"),
            }
          : {}),
      };
    }
    return out;
  }

  networkEvidence(startMs: number, endMs: number): NetworkEvidence {
    return networkEvidence(this.history, this.deps.links, startMs, endMs, this.deps.clock.now());
  }

  /** Per-link availability for the uptime message: % of known time each link was up or degraded. */
  availability(startMs: number, endMs: number): Record<string, { upPct: number | null }> {
    const now = this.deps.clock.now();
    return Object.fromEntries(
      this.deps.links.map((l) => [l.name, { upPct: this.history.upPct(l.name, startMs, endMs, now) }]),
    );
  }

  /** Seconds in [start, end] during which a backup link carried the data centre's traffic. */
  onBackupS(startMs: number, endMs: number): number {
    const backups = new Set(this.deps.links.filter((l) => l.role === "backup").map((l) => l.name));
    return Math.round(this.history.onLinksMs(backups, startMs, endMs, this.deps.clock.now()) / 100) / 10;
  }

  /** Per-target detail and probe faults of every link, for `station-agent status --verbose` and doctor. */
  details(): Record<
    string,
    { targets: TargetStatus[]; faults: string[]; counters?: LinkProber["counterDelta"] }
  > {
    return Object.fromEntries(
      this.probers.map((p) => [
        p.cfg.name,
        {
          targets: p.targetStatuses(),
          faults: p.faults().map((f) => `${f.probe}: ${f.message}`),
          ...(p.counterDelta ? { counters: p.counterDelta } : {}),
        },
      ]),
    );
  }

  activeLink(): string | null {
    return this.active;
  }

  /** Problems of the monitor itself (ip monitor missing), for `station-agent doctor`. */
  faults(): string[] {
    return this.activeFault ? [this.activeFault] : [];
  }
}

/** CAP_NET_RAW (bit 13) in this process's effective set. */
function hasNetRaw(): boolean {
  try {
    const hex = /CapEff:\s*([0-9a-f]+)/.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
    return hex !== undefined && (BigInt(`0x${hex}`) & (1n << 13n)) !== 0n;
  } catch {
    return false;
  }
}

function chooseIcmp(
  want: LinkConfig["icmpTool"],
  fping?: string,
  ping?: string,
): { tool: IcmpTool; binary: string | undefined; missing?: string } {
  if (want === "fping") return { tool: "fping", binary: fping };
  if (want === "ping") return { tool: "ping", binary: ping };
  // fping 5.1 (Debian 12) gets no replies on unprivileged ICMP sockets (fping#248): under the
  // systemd unit, without CAP_NET_RAW, only iputils ping works, so auto picks fping only with raw sockets.
  if (fping && (hasNetRaw() || !ping)) return { tool: "fping", binary: fping };
  if (ping) return { tool: "ping", binary: ping };
  return {
    tool: "fping",
    binary: undefined,
    missing: "neither fping nor ping is installed (install the Debian package fping)",
  };
}
