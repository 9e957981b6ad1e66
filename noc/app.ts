import { readSecret } from "./secret-file.js";
import { createPrivateKey, type KeyObject } from "node:crypto";
import { hostname } from "node:os";
import pino, { type Logger } from "pino";
import { DEFAULT_TOPIC_ROOT } from "../contract/index.js";
import type { NocBus } from "./bus.js";
import { Collector } from "./collector.js";
import { StationCommands } from "./station-commands.js";
import { Fleet, type RegistryEntry } from "./fleet.js";
import { FleetOps } from "./fleet-ops/fleet-ops.js";
import { GapRepair } from "./gap-repair.js";
import type { GapRow } from "./model.js";
import { AuthGate } from "./auth/gate.js";
import { AuthStore } from "./auth/store.js";
import { Api } from "./http/api.js";
import { DashboardServer } from "./http/server.js";
import { SseHub } from "./http/sse.js";
import { BrokerConnection } from "./broker-connection.js";
import { Rollup } from "./rollup.js";
import { CollectorStats } from "./stats.js";
import { openStorage, type Liveness, type Storage } from "./storage/index.js";
import { summary } from "./views.js";
import { WriteBuffer } from "./write-buffer.js";
import { AlertEngine, type AvailabilityFigure } from "./alerts/engine.js";
import { emptyConfig, loadAlertsFile, type AlertsConfig } from "./alerts/rules.js";
import { alertRoutes } from "./alerts/routes.js";
import { Dispatcher } from "./notify/dispatcher.js";
import { createMetrics } from "./http/metrics.js";
import { HttpError, parse } from "./http/api.js";
import { unwatchFile, watchFile } from "node:fs";
import { dayKey, daysOfMonth, monthKey } from "./time.js";

export interface NocOptions {
  mqttUrl: string;
  /** 5 (default), or 4 for MQTT 3.1.1 brokers such as the demo's embedded aedes (replies matched by id). */
  mqttProtocol: 4 | 5;
  mqttUsername?: string;
  mqttPassword?: string;
  mqttCa?: string;
  mqttCert?: string;
  mqttKey?: string;
  root: string;
  shareGroup?: string;
  /**
   * all: collect and serve (one NOC). collector: collect only (several behind a shared subscription).
   * dashboard: serve the stored truth written by the collectors, refreshed every refreshS.
   */
  role: "all" | "collector" | "dashboard";
  refreshS: number;
  /** One topic level naming this collector: its MQTT client id and its reply topic. */
  instance: string;
  /** SQLite file path or postgres:// URL. */
  storage: string;
  httpHost: string;
  httpPort: number;
  timeZone: string;
  silentAfterS: number;
  registry?: Map<string, RegistryEntry>;
  privateKey?: KeyObject;
  /** A static bearer token with the admin role (scripts); stored API tokens are the better way. */
  adminToken?: string;
  /** Host header names the dashboard answers to; default: loopback names, this host's name, httpHost. */
  allowedHosts?: string[];
  /** Reverse proxies whose proxyUserHeader names an already authenticated user. */
  trustedProxies: string[];
  proxyUserHeader?: string;
  sessionIdleMinutes: number;
  sessionMaxHours: number;
  /** PEM certificate and key (contents): the dashboard speaks HTTPS itself. */
  tls?: { cert: string; key: string };
  flushMs: number;
  livenessFlushMs: number;
  gapGraceS: number;
  commandTimeoutS: number;
  rollupS: number;
  /** How often silent stations and due gap repairs are looked for. */
  sweepMs: number;
  retentionDays: number;
  logLevel: string;
  /**
   * This instance drives config releases and rollouts. Default: a lone NOC (role all, no share group).
   * With several collectors, set it on exactly one instance; two would send every command twice.
   */
  fleetOps?: boolean;
  /** How often releases and rollouts are moved on. */
  fleetTickMs?: number;
  /** The alert rules file (YAML); reloaded on SIGHUP and when it changes. */
  alertsFile?: string;
  /** Rules given directly (tests); used when there is no file. */
  alerts?: AlertsConfig;
  alertTickMs: number;
  notifyTickMs: number;
}

export function defaultOptions(over: Partial<NocOptions> = {}): NocOptions {
  return {
    mqttUrl: "mqtt://127.0.0.1:1883",
    mqttProtocol: 5,
    root: DEFAULT_TOPIC_ROOT,
    instance: `noc-${hostname().replace(/[^A-Za-z0-9_.-]/g, "-")}`.slice(0, 64),
    storage: "station-noc.db",
    httpHost: "127.0.0.1",
    httpPort: 8790,
    timeZone: "Asia/Kolkata",
    silentAfterS: 180,
    flushMs: 250,
    livenessFlushMs: 30_000,
    gapGraceS: 10,
    commandTimeoutS: 30,
    rollupS: 300,
    sweepMs: 5000,
    role: "all",
    refreshS: 5,
    retentionDays: 90,
    logLevel: "info",
    alertTickMs: 5000,
    notifyTickMs: 1000,
    trustedProxies: [],
    sessionIdleMinutes: 30,
    sessionMaxHours: 12,
    ...over,
  };
}

export function loadPrivateKey(path: string): KeyObject {
  const key = createPrivateKey(readSecret(path, "NOC private key"));
  if (key.asymmetricKeyType !== "ed25519") throw new Error(`${path}: NOC key must be Ed25519`);
  return key;
}

const HEARTBEAT = "collector.heartbeat";

/** The names a browser on this machine or the LAN uses for the dashboard when none are configured. */
export function defaultAllowedHosts(httpHost: string): string[] {
  const hosts = ["localhost", "127.0.0.1", "::1", hostname().toLowerCase()];
  if (httpHost !== "0.0.0.0" && httpHost !== "::") hosts.push(httpHost.toLowerCase());
  return hosts;
}

/** The station-noc composition root: builds every part and owns start/stop order. */
export class NocApp {
  readonly log: Logger;
  readonly stats = new CollectorStats();
  readonly storage: Storage;
  readonly bus: NocBus;
  readonly buffer: WriteBuffer;
  readonly fleet: Fleet;
  readonly commands: StationCommands;
  readonly collector: Collector;
  readonly gapRepair: GapRepair;
  readonly rollup: Rollup;
  readonly sse: SseHub;
  readonly server: DashboardServer;
  readonly alerts: AlertEngine;
  readonly dispatcher: Dispatcher;
  private availability = {
    today: new Map<string, AvailabilityFigure>(),
    month: new Map<string, AvailabilityFigure>(),
  };
  readonly auth: AuthStore;
  readonly gate: AuthGate;
  /** Config releases and rollouts; undefined where another instance drives them. */
  readonly fleetOps: FleetOps | undefined;
  url = "";
  /** Settles once the collector is subscribed (the broker may be down at start; the dashboard is up anyway). */
  ready: Promise<void> = Promise.resolve();
  private timers: NodeJS.Timeout[] = [];
  private unwatch: (() => void) | undefined;
  private running = false;
  private connects = 0;

  constructor(
    readonly options: NocOptions,
    deps: { bus?: NocBus; storage?: Storage; log?: Logger; now?: () => number } = {},
  ) {
    const o = options;
    const now = deps.now ?? Date.now;
    this.log = deps.log ?? pino({ name: "station-noc", level: o.logLevel });
    this.storage = deps.storage ?? openStorage(o.storage);
    this.bus =
      deps.bus ??
      new BrokerConnection({
        url: o.mqttUrl,
        clientId: o.instance,
        protocolVersion: o.mqttProtocol,
        username: o.mqttUsername,
        password: o.mqttPassword,
        ca: o.mqttCa,
        cert: o.mqttCert,
        key: o.mqttKey,
        log: this.log,
        // A collector acknowledges a message only once what it changed is committed (see WriteBuffer).
        holdAcks: o.role !== "dashboard",
      });
    this.buffer = new WriteBuffer(this.storage, this.stats, {
      livenessFlushMs: o.livenessFlushMs,
      maxPending: 2_000_000,
    });
    this.fleet = new Fleet(this.buffer, this.stats, {
      silentAfterMs: o.silentAfterS * 1000,
      registry: o.registry,
      shared: o.shareGroup !== undefined,
    });
    this.commands = new StationCommands(this.bus, {
      root: o.root,
      instance: o.instance,
      privateKey: o.privateKey,
      timeoutMs: o.commandTimeoutS * 1000,
      now,
      protocol: o.mqttProtocol,
    });
    const fleetOps = o.fleetOps ?? (o.role === "all" && o.shareGroup === undefined);
    this.fleetOps = fleetOps
      ? new FleetOps({
          fleet: this.fleet,
          storage: this.storage,
          send: (station, name, args) => this.commands.send(station, name, args),
          now,
          log: this.log,
        })
      : undefined;
    this.collector = new Collector(this.bus, this.fleet, this.commands, this.stats, this.log, {
      root: o.root,
      shareGroup: o.shareGroup,
      now,
      afterCommit: (ack) => this.buffer.afterCommit(ack),
      ...(this.fleetOps ? { onEvent: this.fleetOps.onEvent.bind(this.fleetOps) } : {}),
    });
    this.gapRepair = new GapRepair(this.fleet, this.commands, this.stats, this.log, {
      // Shared: wait until the other collectors' liveness rows (written lazily) can tell a split stream.
      graceMs:
        o.shareGroup !== undefined
          ? Math.max(o.gapGraceS * 1000, o.livenessFlushMs + 5000)
          : o.gapGraceS * 1000,
      backoffMs: 30_000,
      maxBackoffMs: 30 * 60_000,
      maxInFlight: 50,
      now,
      ...(o.shareGroup !== undefined
        ? { receivedElsewhere: (station, gap) => this.receivedElsewhere(station, gap) }
        : {}),
    });
    this.rollup = new Rollup(this.storage, this.fleet, {
      timeZone: o.timeZone,
      now,
      beforeCompute: () => this.flush(true),
      retentionDays: o.retentionDays,
    });
    this.sse = new SseHub((district) => summary(this.fleet, district));
    this.fleet.onChange((c) => this.sse.change(c));
    this.auth = new AuthStore(this.storage, now);
    this.gate = new AuthGate(this.auth, {
      allowedHosts: o.allowedHosts ?? defaultAllowedHosts(o.httpHost),
      trustedProxies: o.trustedProxies,
      proxyUserHeader: o.proxyUserHeader,
      idleMs: o.sessionIdleMinutes * 60_000,
      maxAgeMs: o.sessionMaxHours * 3600_000,
      tls: o.tls !== undefined,
      adminToken: o.adminToken,
      timeZone: o.timeZone,
      now,
    });
    const api = new Api({
      fleet: this.fleet,
      storage: this.storage,
      stats: this.stats,
      commands: this.commands,
      fleetOps: this.fleetOps,
      timeZone: o.timeZone,
      now,
      audit: (who, action, target, result, detail = "") =>
        this.auth
          .audit({ actor: who.name, action, target, result, detail, address: who.address ?? "" })
          .catch((e: unknown) => this.log.error({ err: String(e), action }, "audit write failed")),
      status: () => ({
        instance: o.instance,
        mqttConnected: this.bus.connected,
        reconnects: Math.max(0, this.connects - 1),
        storage: this.storage.kind,
        stations: this.fleet.stations.size,
        pendingWrites: this.buffer.size(),
        flushRunningMs: this.buffer.flushStartedAt ? Date.now() - this.buffer.flushStartedAt : 0,
        droppedWrites: this.buffer.dropped,
        sseClients: this.sse.size,
        commandsInFlight: this.commands.inFlight(),
      }),
    });
    this.alerts = new AlertEngine({
      fleet: this.fleet,
      storage: this.storage,
      registry: o.registry,
      now,
      self: () => ({
        ingestLagP99Ms: this.stats.ingestLag.percentile(99),
        flushErrors: this.stats.flushErrors,
        brokerConnected: this.bus.connected,
      }),
      availability: () => this.availability,
      maintenanceChanged: (windows) =>
        this.rollup
          .replan(windows)
          .catch((e: unknown) =>
            this.log.error(
              { err: String(e) },
              "maintenance window stored; its days not marked for recompute",
            ),
          ),
    });
    this.dispatcher = new Dispatcher(this.storage, this.log, now, o.timeZone);
    api.addRoutes(
      alertRoutes({
        engine: this.alerts,
        storage: this.storage,
        now,
        audit: (who, action, target, result, detail = "") =>
          this.auth
            .audit({ actor: who.name, action, target, result, detail, address: who.address ?? "" })
            .catch((e: unknown) => this.log.error({ err: String(e), action }, "audit write failed")),
        parse,
        fail: (status, message, coded) => new HttpError(status, message, coded),
      }),
    );
    const metrics = createMetrics({
      fleet: this.fleet,
      stats: this.stats,
      alerts: this.alerts,
      brokerConnected: () => this.bus.connected,
      districtAvailability: () => districtPct(this.availability.today),
      now,
    });
    this.server = new DashboardServer(api, this.sse, this.log, this.gate, o.tls, metrics);
    this.reloadAlerts(true);
  }

  /**
   * Reads the rules file again. A file with mistakes is logged with their paths and the rules in use
   * stay; at start (`first`) it stops the NOC instead. `trigger` (SIGHUP, file change) goes in the log.
   */
  reloadAlerts(first = false, trigger = "call"): boolean {
    const o = this.options;
    let config: AlertsConfig;
    try {
      config = o.alertsFile ? loadAlertsFile(o.alertsFile) : (o.alerts ?? emptyConfig());
    } catch (e) {
      if (first) throw e;
      this.log.error(
        { err: (e as Error).message, file: o.alertsFile, trigger },
        "alert rules not reloaded; the last good rules stay",
      );
      return false;
    }
    this.alerts.setConfig(config);
    this.dispatcher.setConfig(config);
    if (!first)
      this.log.info({ rules: config.rules.length, file: o.alertsFile, trigger }, "alert rules reloaded");
    return true;
  }

  /** Today's and this month's availability per station, for availability rules and /metrics. */
  private async refreshAvailability(): Promise<void> {
    const now = Date.now();
    const tz = this.options.timeZone;
    const today = dayKey(now, tz);
    const days = daysOfMonth(monthKey(now, tz));
    const fig = (
      rows: { station: string; district: string; upS: number; windowS: number; plannedS: number }[],
    ) =>
      new Map(
        rows.map((r) => [
          r.station,
          { district: r.district || undefined, upS: r.upS, windowS: r.windowS, plannedS: r.plannedS },
        ]),
      );
    this.availability = {
      today: fig(await this.storage.daily(today, today)),
      month: fig(await this.storage.periodTotals(days[0] as string, days[days.length - 1] as string)),
    };
  }

  async start(): Promise<void> {
    const o = this.options;
    const now = Date.now();
    const collect = o.role !== "dashboard";
    await this.storage.init();
    this.fleet.load(await this.storage.loadStations(), await this.storage.loadOpenGaps(), now);
    await this.alerts.start();
    const beat = await this.storage.getMeta(HEARTBEAT);
    if (beat && collect) this.fleet.notListening(Number(beat));
    await this.flush(true);
    await this.fleetOps?.load();
    this.url = await this.server.start(o.httpPort, o.httpHost);
    this.running = true;
    this.stats.loopDelay.enable();
    this.bus.onConnectionChange((up) => {
      if (up) this.connects++;
      this.log.info({ connected: up }, up ? "MQTT connected" : "MQTT disconnected");
    });
    void this.bus.start();
    // A dashboard only needs MQTT for the commands it sends on behalf of the API.
    this.ready = (collect ? this.collector.start() : this.bus.subscribe(this.commands.replyFilter, 1)).catch(
      (e: unknown) => {
        this.log.error({ err: String(e) }, "subscription failed");
        throw e;
      },
    );
    this.ready.catch(() => undefined);
    this.every(o.flushMs, () => this.flush(false));
    // One instance evaluates alerts: the only one, or the dashboard when collectors share the stations.
    if (o.role === "dashboard" || o.shareGroup === undefined) {
      this.every(o.alertTickMs, () => this.alerts.tick());
      // A status change is evaluated at once (at most every 200 ms), not at the next period: a Will
      // reaches the webhook in milliseconds. The period still catches `for:` and escalation times.
      let soon: NodeJS.Timeout | undefined;
      this.fleet.onChange((c) => {
        if (c.what !== "status" || soon || !this.running) return;
        soon = setTimeout(() => {
          soon = undefined;
          this.alerts
            .tick()
            .catch((e: unknown) => this.log.warn({ err: String(e) }, "alert evaluation failed"));
        }, 200);
        soon.unref();
      });
      this.every(o.notifyTickMs, () => this.dispatcher.tick());
      this.every(o.rollupS * 1000, () => this.refreshAvailability());
      void this.refreshAvailability().catch(() => undefined);
      if (o.alertsFile) {
        const file = o.alertsFile;
        watchFile(file, { interval: 2000 }, (cur, prev) => {
          if (cur.mtimeMs !== prev.mtimeMs) this.reloadAlerts(false, "file change");
        });
        this.unwatch = () => unwatchFile(file);
      }
    }
    if (collect) {
      this.every(o.sweepMs, () => this.sweepSilent());
      this.every(o.sweepMs, () => this.gapRepair.tick());
      this.every(10_000, () => this.storage.setMeta(HEARTBEAT, String(Date.now())));
    } else {
      this.every(o.refreshS * 1000, async () => {
        this.fleet.refresh(await this.storage.loadStations());
        await this.sweepSilent();
      });
    }
    const ops = this.fleetOps;
    if (ops) this.every(o.fleetTickMs ?? 10_000, () => ops.tick());
    // With a shared subscription the dashboard instance keeps the daily figures; otherwise this one.
    if (o.role === "dashboard" || o.shareGroup === undefined) {
      this.every(o.rollupS * 1000, () => this.rollup.tick());
      this.every(6 * 3600_000, () => this.storage.prune(Date.now() - o.retentionDays * 86_400_000));
      this.every(3600_000, () =>
        this.auth.pruneSessions(o.sessionIdleMinutes * 60_000, o.sessionMaxHours * 3600_000),
      );
      void this.rollup
        .tick()
        .catch((e: unknown) => this.log.warn({ err: String(e) }, "availability rollup failed"));
    }
    this.log.info(
      {
        url: this.url,
        role: o.role,
        filters: collect ? this.collector.filters : [],
        storage: this.storage.kind,
      },
      "station-noc running",
    );
  }

  /**
   * The stored last seq (written by whichever collector flushed last) is one this collector never got:
   * beyond its highest, or inside this gap. Then another collector receives the station's messages.
   */
  private async receivedElsewhere(station: string, gap: GapRow): Promise<boolean> {
    const seq = (await this.storage.liveness([station])).get(station)?.lastSeq;
    if (seq === undefined) return false;
    const highest = this.fleet.stations.get(station)?.seq.highest ?? 0;
    return seq > highest || gap.remaining.some((r) => seq >= r.fromSeq && seq <= r.toSeq);
  }

  /**
   * Up stations silent for longer than silentAfter become unknown. When collectors share the stations,
   * one that another collector heard more recently (stored last seen) has moved there and is let go.
   * The dashboard role checks the stored last seen, which collectors write at most livenessFlushMs late.
   */
  private async sweepSilent(): Promise<void> {
    const now = Date.now();
    const slack = this.options.role === "dashboard" ? this.options.livenessFlushMs : 0;
    const found = this.fleet.silentCandidates(now, slack);
    if (found.length === 0) return;
    const shared = this.options.shareGroup !== undefined || this.options.role === "dashboard";
    const stored = shared
      ? await this.storage.liveness(found.map((l) => l.row.id))
      : new Map<string, Liveness>();
    for (const live of found) {
      const elsewhere = stored.get(live.row.id)?.lastSeen ?? 0;
      if (this.options.role !== "dashboard" && elsewhere > (live.row.lastSeen ?? 0))
        this.fleet.disown(live, elsewhere);
      else if (now - Math.max(elsewhere, live.row.lastSeen ?? 0) > this.options.silentAfterS * 1000 + slack) {
        this.fleet.markSilent(live, now);
      }
    }
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.stats.loopDelay.disable();
    for (const t of this.timers) clearInterval(t);
    this.unwatch?.();
    await this.alerts.flush().catch(() => undefined);
    this.dispatcher.close();
    this.timers = [];
    this.commands.stop();
    await this.server.stop();
    // Commit and acknowledge what arrived, so the broker does not redeliver it to the next start.
    await this.flush(false).catch(() => undefined);
    await this.bus.stop().catch(() => undefined);
    await this.flush(true).catch((e: unknown) => this.log.warn({ err: String(e) }, "final flush failed"));
    await this.storage.setMeta(HEARTBEAT, String(Date.now())).catch(() => undefined);
    await this.storage.close();
  }

  /** Writes what is buffered; `all` includes liveness-only station rows. */
  flush(all: boolean): Promise<void> {
    return this.buffer.flush(all);
  }

  /** A periodic task whose failure is logged and retried on the next period, never thrown. */
  private every(ms: number, fn: () => unknown): void {
    let busy = false;
    const t = setInterval(() => {
      if (busy) return;
      busy = true;
      Promise.resolve()
        .then(fn)
        .catch((e: unknown) =>
          this.log.warn({ err: e instanceof Error ? e.message : String(e) }, "periodic task failed"),
        )
        .finally(() => (busy = false));
    }, ms);
    t.unref();
    this.timers.push(t);
  }
}

function districtPct(figures: Map<string, AvailabilityFigure>): Map<string, number> {
  const sums = new Map<string, { up: number; all: number }>();
  for (const f of figures.values()) {
    const s = sums.get(f.district ?? "") ?? { up: 0, all: 0 };
    s.up += f.upS;
    s.all += f.windowS - f.plannedS;
    sums.set(f.district ?? "", s);
  }
  return new Map([...sums].filter(([, s]) => s.all > 0).map(([d, s]) => [d, (100 * s.up) / s.all]));
}
