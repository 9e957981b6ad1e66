import { mkdirSync } from "node:fs";
import { hostname } from "node:os";
import { join, resolve } from "node:path";
import {
  stationTopics,
  type StateOffline,
  type StateOnline,
  type StationTopics,
  type UptimePayload,
  type MetricsSample,
} from "../contract/index.js";
import type { LoadedConfig } from "../config/load.js";
import type { Config } from "../config/schema.js";
import { FleetService } from "./fleet/fleet-service.js";
import { chooseLauncher } from "./fleet/update.js";
import { RealHostSystem, type HostSystem } from "./host/host-system.js";
import { SystemClock } from "./clock.js";
import { createAgentCommands, SqliteReplayStore } from "./commands/index.js";
import type { EmbeddedBroker } from "./embedded-broker.js";
import { Ledger, type LedgerOutage } from "./ledger.js";
import { MidnightWatch } from "./local-time.js";
import { apiSocketPath, ensureToken, LocalApi } from "./local-api.js";
import { MetricsSampler } from "./metrics-sampler.js";
import { MqttSession } from "./mqtt-session.js";
import { Outbox } from "./outbox.js";
import type { DeviceView, LinkView, LocalRoute, Logger, PowerView, Service } from "./ports.js";
import { redactUrl } from "./redact.js";
import { Reporter } from "./reporter.js";
import { hostEnglish } from "./host/host-words.js";
import { statusRoute, type StatusSnapshot } from "./status.js";
import { readBootInfo } from "./system-info.js";
import { readFileSync } from "node:fs";

const DAY = 86_400_000;

export interface Notifier {
  ready(status?: string): void;
  stopping(): void;
  startWatchdog(isHealthy: () => boolean): void;
}

export interface AgentOptions {
  config: Config;
  configHash: string;
  /** The file the config came from, as the `diagnose` reply shows it. */
  configPath?: string;
  version: string;
  log: Logger;
  notifier?: Notifier;
  /** The `diagnose` command's answer; the doctor's checks by default. */
  diagnose?: () => Promise<unknown>;
  /** The NOC config fragment the config was loaded with, or why it was left out. */
  configFragment?: LoadedConfig["fragment"];
  /** Stop and start again (config-apply, and its rollback); cli.ts knows how on this system. */
  restart?: (reason: string) => void;
  /** The station PC as host health reads it; the real one unless a test gives another. */
  hostSystem?: HostSystem;
  /** Device and link services built by the caller (cli.ts) from the config; started after the core. */
  services?: (core: AgentCore) => Promise<BuiltServices> | BuiltServices;
}

export interface BuiltServices {
  services: Service[];
  routes: LocalRoute[];
  links?: LinkView;
  power?: PowerView;
  devices?: DeviceView;
  /** Extra sections of the metrics sample (e.g. `bookings`: spool depth, oldest unsent age). */
  metrics?: () => Pick<MetricsSample, "bookings">;
}

/** What services built around the core receive. */
export interface AgentCore {
  reporter: Reporter;
  outbox: Outbox;
  ledger: Ledger;
  clock: SystemClock;
  log: Logger;
  topics: StationTopics;
}

/** The composition root: creates every concrete object of the daemon and owns start/stop order. */
export class StationAgent {
  private readonly timers: NodeJS.Timeout[] = [];
  private broker?: EmbeddedBroker;
  private session!: MqttSession;
  private outbox!: Outbox;
  private ledger!: Ledger;
  private reporter!: Reporter;
  private clock!: SystemClock;
  private api?: LocalApi;
  private services: Service[] = [];
  private links?: LinkView;
  private power?: PowerView;
  private devices?: DeviceView;
  private fleet?: FleetService;
  private topics!: StationTopics;
  private readonly startedAt = Date.now();
  private stopping = false;
  brokerUrl = "";
  apiPort = 0;
  apiSocket = "";

  constructor(private readonly o: AgentOptions) {}

  async start(): Promise<void> {
    const { config, log } = this.o;
    // Station time: Date's local getters follow TZ, so the midnight rollup needs no Intl (see local-time.ts).
    process.env.TZ = config.ledger.timezone;
    const dir = resolve(config.storage.dir);
    mkdirSync(dir, { recursive: true, mode: 0o750 });
    this.clock = new SystemClock(config.clock.assumeSynced);
    await this.clock.start();
    this.ledger = new Ledger(dir);
    this.outbox = new Outbox({
      dir,
      maxBytes: config.storage.maxBytes,
      historyMs: config.storage.historyDays * DAY,
      historyMaxBytes: config.storage.historyMaxBytes,
      seqHighWater: () => this.ledger.seqHighWater(),
    });
    const boot = readBootInfo();
    const outages = this.ledger.recordStart(boot);
    this.topics = stationTopics(config.mqtt.topicRoot, config.station.id);

    let url = config.mqtt.url;
    let protocolVersion = config.mqtt.protocolVersion;
    if (url === "embedded") {
      // Loaded only here: aedes and its dependencies are megabytes of heap a station never needs.
      const { EmbeddedBroker } = await import("./embedded-broker.js");
      this.broker = new EmbeddedBroker(config.mqtt.embeddedPort);
      url = `mqtt://127.0.0.1:${await this.broker.start()}`;
      protocolVersion = 4;
    }
    this.brokerUrl = url;
    const password =
      config.mqtt.password ??
      (config.mqtt.passwordFile ? readFileSync(config.mqtt.passwordFile, "utf8").trim() : undefined);
    this.session = new MqttSession({
      url,
      protocolVersion,
      keepalive: config.mqtt.keepalive,
      clientId: config.mqtt.clientId ?? `station-${config.station.id}`,
      ...(config.mqtt.username !== undefined ? { username: config.mqtt.username } : {}),
      ...(password !== undefined ? { password } : {}),
      ...(config.mqtt.tls ? { tls: config.mqtt.tls } : {}),
      will: {
        topic: this.topics.state,
        payload: JSON.stringify({
          online: false,
          cause: "connection-lost",
          station: config.station.id,
        } satisfies StateOffline),
      },
      reconnect: config.mqtt.reconnect,
      log,
    });
    this.reporter = new Reporter({
      station: config.station.id,
      topics: this.topics,
      session: this.session,
      outbox: this.outbox,
      clock: this.clock,
      log,
      inflight: config.mqtt.inflight,
    });
    this.reporter.setBirth(() => this.birth(boot));

    const extra = await this.o.services?.({
      reporter: this.reporter,
      outbox: this.outbox,
      ledger: this.ledger,
      clock: this.clock,
      log,
      topics: this.topics,
    });
    this.services = extra?.services ?? [];
    this.links = extra?.links;
    this.power = extra?.power;
    this.devices = extra?.devices;
    this.fleet = new FleetService({
      config,
      loaded: {
        config,
        hash: this.o.configHash,
        source: this.o.configPath ?? "",
        ...(this.o.configFragment ? { fragment: this.o.configFragment } : {}),
      },
      ...(this.o.configPath ? { configPath: this.o.configPath } : {}),
      version: this.o.version,
      events: this.reporter,
      log,
      host: this.o.hostSystem ?? new RealHostSystem(),
      launcher: chooseLauncher(config.fleet.upgradeRunner, dir),
      health: {
        mqttConnected: () => this.session.connected,
        linksDecided: () => (this.links?.states() ?? []).every((l) => l.state !== "unknown"),
        devicesSettled: () => (this.devices?.states() ?? []).every((d) => d.health !== "unavailable"),
      },
      restart: (reason) =>
        this.o.restart ? this.o.restart(reason) : log.warn({ reason }, "cannot restart here"),
    });
    // Last to start and first to stop: it judges whether everything else came up.
    this.services.push(this.fleet);

    this.reporter.event("agent.started", {
      version: this.o.version,
      bootId: boot.bootId,
      bootTime: new Date(boot.bootMs).toISOString(),
      configHash: this.o.configHash,
      host: hostname(),
    });
    for (const [store, db] of [
      ["outbox", this.outbox],
      ["ledger", this.ledger],
    ] as const) {
      const moved = db.movedAside;
      if (moved) {
        log.error(
          { store, movedTo: moved.to, error: moved.error },
          "corrupt store moved aside; started a new one",
        );
        this.reporter.event("storage.corrupt", { store, movedTo: moved.to, error: moved.error });
        db.movedAsideReported(); // the event is committed to the outbox now
      }
    }
    this.publishOutages(outages);

    this.session.onConnect(() => {
      log.info({ url: redactUrl(url) }, "connected to broker");
      this.publishOutages(
        this.ledger.connected(this.links ? (s, e) => this.links!.networkEvidence(s, e) : undefined),
      );
      this.reporter.onConnected();
      this.reporter.uptime(this.uptimePayload());
    });
    this.session.onClose((reason) => {
      if (this.stopping) log.info({ reason }, "disconnected from broker for shutdown");
      else log.warn({ reason }, "broker connection lost");
      this.ledger.disconnected();
    });
    createAgentCommands({
      station: config.station.id,
      topicRoot: config.mqtt.topicRoot,
      // The embedded broker listens on loopback only: whoever can publish to it is on this PC already.
      settings: {
        ...config.commands,
        allowUnsigned: config.commands.allowUnsigned || config.mqtt.url === "embedded",
      },
      session: this.session,
      reporter: this.reporter,
      outbox: this.outbox,
      diagnose:
        this.o.diagnose ??
        (async () =>
          (await import("./doctor/doctor.js")).runDoctor({
            config,
            ...(this.o.configPath ? { configPath: this.o.configPath } : {}),
          })),
      clock: this.clock,
      replayStore: new SqliteReplayStore(this.ledger.db),
      fleet: {
        configApply: (id, args) => this.fleet!.configApply(id, args),
        update: (id, args) => this.fleet!.update(id, args),
      },
      log,
    });
    if (config.api.enabled) {
      if (config.api.port !== undefined) {
        log.warn(
          { port: config.api.port, socket: apiSocketPath(config) },
          "api.port is no longer used: the local API is on its unix socket; for loopback TCP set api.tcpPort (below 1024)",
        );
      }
      const token = ensureToken(config.api.tokenFile ?? join(dir, "api-token"));
      this.api = new LocalApi(
        {
          socket: apiSocketPath(config),
          socketGroup: config.api.socketGroup,
          ...(config.api.tcpPort !== undefined ? { tcpPort: config.api.tcpPort } : {}),
          token,
          log,
        },
        [statusRoute(() => this.status()), ...(extra?.routes ?? [])],
      );
      // Fatal when it cannot listen: the station's client would otherwise talk to nobody, or to whoever
      // took the address; systemd restarts the agent and the journal says why.
      await this.api.start();
      this.apiPort = this.api.port;
      this.apiSocket = apiSocketPath(config);
    }
    this.session.start();

    this.every(config.ledger.heartbeatMs, () =>
      this.ledger.heartbeat(this.outbox.lastSeq, this.power?.current()),
    );
    const sampler = new MetricsSampler(dir, this.outbox, this.links);
    const extraMetrics = extra?.metrics;
    this.every(config.metrics.intervalMs, () =>
      this.reporter.metrics({ ...sampler.sample(), ...this.fleet?.metrics(), ...(extraMetrics?.() ?? {}) }),
    );
    this.every(60_000, () => this.reporter.uptime(this.uptimePayload()));
    this.every(3_600_000, () => this.outbox.pruneHistory());
    const midnight = new MidnightWatch(Date.now, (day) => this.dailyRollup(day));
    this.every(15_000, () => midnight.check());

    for (const s of this.services) {
      await s
        .start()
        .catch((e: Error) =>
          log.error({ service: s.name, err: e.message }, "service failed to start; it retries"),
        );
    }
    this.o.notifier?.ready(`station ${config.station.id}`);
    this.o.notifier?.startWatchdog(() => this.outbox.healthy());
  }

  private every(ms: number, fn: () => void): void {
    const t = setInterval(() => {
      try {
        fn();
      } catch (e) {
        this.o.log.error({ err: (e as Error).message }, "periodic task failed");
      }
    }, ms);
    this.timers.push(t);
  }

  private publishOutages(outages: LedgerOutage[]): void {
    for (const o of [
      ...outages,
      ...this.ledger.unpublishedOutages().filter((u) => !outages.some((x) => x.id === u.id)),
    ]) {
      const { id, ...data } = o;
      this.reporter.event("outage", data, Date.parse(o.end));
      this.ledger.markPublished(id);
      this.o.log.info({ cause: o.cause, durationS: o.durationS, start: o.start }, "outage recorded");
    }
  }

  private birth(boot: { bootId: string; bootMs: number }): StateOnline {
    const c = this.o.config;
    return {
      online: true,
      station: c.station.id,
      ...(c.station.name ? { name: c.station.name } : {}),
      ...(c.station.district ? { district: c.station.district } : {}),
      bootId: boot.bootId,
      bootTime: new Date(boot.bootMs).toISOString(),
      agentVersion: this.o.version,
      configHash: this.o.configHash,
      startedAt: new Date(this.startedAt).toISOString(),
      time: new Date().toISOString(),
      clockSynced: this.clock.synced(),
      links: (this.links?.states() ?? []).map((l) => ({ name: l.link, role: l.role, state: l.state })),
      devices: (this.devices?.states() ?? []).map((d) => ({
        device: d.device,
        kind: d.kind,
        health: d.health,
      })),
      ...this.fleet?.birth(),
    };
  }

  uptimePayload(): UptimePayload {
    const now = Date.now();
    const w = (ms: number) => {
      const a = this.ledger.availability(now - ms, now);
      const links = this.links?.availability?.(now - ms, now);
      const onBackupS = this.links?.onBackupS?.(now - ms, now);
      return { ...a, ...(links ? { links } : {}), ...(onBackupS !== undefined ? { onBackupS } : {}) };
    };
    return {
      station: this.o.config.station.id,
      time: new Date(now).toISOString(),
      clockSynced: this.clock.synced(),
      windows: { "24h": w(DAY), "7d": w(7 * DAY), "30d": w(30 * DAY) },
    };
  }

  private dailyRollup(day: string): void {
    const end = Date.now();
    this.reporter.event("uptime.daily", {
      date: day,
      timezone: this.o.config.ledger.timezone,
      ...this.ledger.availability(end - DAY, end),
    });
  }

  status(): StatusSnapshot {
    const ob = this.outbox.stats();
    const pcNotes = this.fleet?.statusNotes() ?? [];
    return {
      station: this.o.config.station.id,
      name: this.o.config.station.name ?? null,
      running: true,
      pid: process.pid,
      version: this.o.version,
      broker: redactUrl(this.brokerUrl),
      connected: this.session.connected,
      connectedSince: this.ledger.connectedSince(),
      lastError: this.session.lastErrorMessage || null,
      outbox: {
        depth: ob.depth,
        bytes: ob.bytes,
        oldestCreatedMs: ob.oldestCreatedMs,
        lastSeq: ob.nextSeq - 1,
        dropped: ob.dropped,
      },
      lastOutage: this.ledger.lastOutage() ?? null,
      uptime: this.uptimePayload().windows,
      clockSynced: this.clock.synced(),
      links: this.links?.states() ?? [],
      devices: this.devices?.states() ?? [],
      pc: pcNotes.map(hostEnglish),
      pcNotes,
    };
  }

  get core(): { reporter: Reporter; outbox: Outbox; session: MqttSession; ledger: Ledger } {
    return { reporter: this.reporter, outbox: this.outbox, session: this.session, ledger: this.ledger };
  }

  async stop(cause = "shutdown"): Promise<void> {
    this.stopping = true;
    this.o.notifier?.stopping();
    for (const t of this.timers) clearInterval(t);
    for (const s of [...this.services].reverse()) {
      await s
        .stop()
        .catch((e: Error) => this.o.log.warn({ service: s.name, err: e.message }, "service stop failed"));
    }
    await this.api?.stop();
    this.reporter.event("agent.stopped", { cause });
    this.ledger.recordStop(cause);
    await this.session.stop({
      topic: this.topics.state,
      payload: JSON.stringify({
        online: false,
        cause: "shutdown",
        station: this.o.config.station.id,
        time: new Date().toISOString(),
      } satisfies StateOffline),
    });
    this.outbox.close();
    this.ledger.close();
    this.clock.stop();
    await this.broker?.stop();
  }
}
