import type { StoredFragment } from "../../config/fragments.js";
import { loadConfig, type LoadedConfig } from "../../config/load.js";
import type { Config } from "../../config/schema.js";
import type { MetricsSample, StateOnline } from "../../contract/index.js";
import { filesystemOf, hostNotes } from "../host/describe.js";
import type { Note } from "../i18n/note.js";
import { HostHealth, type HostHealthSettings } from "../host/host-health.js";
import type { HostSystem } from "../host/host-system.js";
import { smartFailure } from "../host/parse.js";
import type { EventSink, Logger, Service } from "../ports.js";
import { ConfigApplier } from "./config-apply.js";
import { Updater, type RunnerLauncher } from "./update.js";

/** What "healthy" means for a config fragment on probation: the agent does its job with it. */
export interface HealthProbe {
  mqttConnected(): boolean;
  /** Every configured link has a decided state (not unknown). */
  linksDecided(): boolean;
  /** Every configured device has been opened or found absent (none still starting). */
  devicesSettled(): boolean;
}

export interface FleetServiceDeps {
  config: Config;
  loaded: LoadedConfig;
  /** The config file the agent runs from (config-apply judges a fragment against it). */
  configPath?: string;
  version: string;
  events: EventSink;
  log: Logger;
  host?: HostSystem;
  launcher: RunnerLauncher;
  health: HealthProbe;
  /** Restarts the agent into its (new or restored) config; under systemd, an exit. */
  restart(reason: string): void;
  now?: () => number;
}

/**
 * The station's side of fleet operations: the PC's own health, NOC config fragments on probation, and
 * updates' outcomes. One service so that the composition root wires it in a few lines.
 */
export class FleetService implements Service {
  readonly name = "fleet";
  readonly host?: HostHealth;
  private readonly applier: ConfigApplier;
  private readonly updater: Updater;
  private readonly settings: HostHealthSettings;
  private timers: NodeJS.Timeout[] = [];
  private readonly now: () => number;

  constructor(private readonly d: FleetServiceDeps) {
    this.now = d.now ?? Date.now;
    const h = d.config.host;
    this.settings = {
      dataPaths: h.dataPaths,
      diskLowPct: h.diskLowPct,
      diskClearPct: h.diskClearPct,
      overheatC: h.overheatC,
      overheatClearC: h.overheatClearC,
      clockUnsyncedAfterS: h.clockUnsyncedAfterS,
      every: { sensorsS: 60, filesystemsS: 300, timeSyncS: 300, smartS: 3600, updatesS: 21_600 },
    };
    if (h.enabled && d.host) {
      this.host = new HostHealth(
        d.host,
        (e) => {
          const { type, ...data } = e;
          d.events.event(type, data);
        },
        this.settings,
        this.now,
        (what, err) => d.log.warn({ what, err: err.message }, "host health sample failed"),
      );
    }
    const storage = d.config.storage.dir;
    this.applier = new ConfigApplier(
      storage,
      (fragment: StoredFragment) =>
        d.configPath ? loadConfig(d.configPath, process.env, { fragment }) : refuse(),
      this.now,
      d.config.fleet.confirmWithinS * 1000,
    );
    this.updater = new Updater(storage, d.launcher, d.version, this.now);
  }

  async start(): Promise<void> {
    const outcome = this.applier.takeReportedOutcome();
    if (outcome?.kind === "rolled-back") {
      const { kind: _kind, ...data } = outcome;
      this.d.events.event("config.rolled-back", data);
    }
    const probation = this.applier.atStart();
    if ("undo" in probation) {
      this.applier.rollBack(probation.undo);
      this.d.restart(probation.undo);
      return;
    }
    if (probation.confirming) this.watchProbation(probation.deadlineMs);
    this.reportUpdates();
    this.every(10_000, () => this.reportUpdates());
    if (this.host) await this.host.start();
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.host?.stop();
  }

  /** config-apply: stage the fragment, answer, then restart into it. */
  async configApply(
    id: string,
    args: { version: string; settings: Record<string, unknown>; sha256: string },
  ): Promise<unknown> {
    const staged = this.applier.stage({ id, ...args });
    // After the reply has gone out (the handler publishes it when this returns).
    setTimeout(() => this.d.restart(`config-apply ${args.version}`), 1500).unref();
    return { staged: args.version, keptLocal: staged.keptLocal, configHash: staged.hash, restarting: true };
  }

  async update(id: string, args: { version: string; deadlineS: number }): Promise<unknown> {
    return this.updater.start({ id, version: args.version, deadlineS: args.deadlineS });
  }

  birth(): Pick<StateOnline, "pc" | "configFragment"> {
    const f = this.host?.snapshot().facts;
    const fragment = this.d.loaded.fragment;
    return {
      ...(f
        ? {
            pc: {
              os: `${f.distro} ${f.release}`.trim(),
              kernel: f.kernel,
              diskModels: f.diskModels.slice(0, 16),
            },
          }
        : {}),
      configFragment:
        fragment && "version" in fragment ? { version: fragment.version, sha256: fragment.sha256 } : null,
    };
  }

  metrics(): Pick<MetricsSample, "pc"> {
    if (!this.host) return {};
    const h = this.host.snapshot();
    const data = this.settings.dataPaths
      .map((p) => filesystemOf(p, h.filesystems))
      .find((f) => f !== undefined);
    const fullest = h.filesystems.reduce<number | null>((m, f) => {
      const inodes =
        f.inodesTotal && f.inodesFree !== null ? (100 * (f.inodesTotal - f.inodesFree)) / f.inodesTotal : 0;
      return Math.max(m ?? 0, f.usePct, Math.round(inodes * 10) / 10);
    }, null);
    return {
      pc: {
        dataDiskUsePct: data?.usePct ?? null,
        fullestDiskUsePct: fullest,
        cpuTempC: h.cpuTemperatureC,
        swapUsedBytes: h.memory?.swapUsedBytes ?? null,
        smartOk: h.smart === null ? null : h.smart.every((r) => smartFailure(r) === null),
        securityUpdates: h.updates?.security ?? null,
        clockSynced: h.timeSync?.synchronised ?? null,
        clockOffsetMs: h.timeSync?.offsetMs ?? null,
      },
    };
  }

  /** What `status` says about the PC, as notes for the reader's language; empty when all is well. */
  statusNotes(): Note[] {
    return this.host ? hostNotes(this.host.snapshot(), this.settings) : [];
  }

  private watchProbation(deadlineMs: number): void {
    const check = () => {
      const h = this.d.health;
      if (h.mqttConnected() && h.linksDecided() && h.devicesSettled()) {
        clearInterval(timer);
        const out = this.applier.confirm();
        if (out) {
          this.d.events.event("config.applied", {
            id: out.id,
            version: out.version,
            configHash: this.d.loaded.hash,
          });
          this.d.log.info({ version: out.version }, "config fragment confirmed");
        }
        return;
      }
      if (this.now() < deadlineMs) return;
      clearInterval(timer);
      const missing = [
        h.mqttConnected() ? null : "no MQTT session",
        h.linksDecided() ? null : "links not decided",
        h.devicesSettled() ? null : "devices not opened",
      ].filter((x) => x !== null);
      const reason = `${missing.join(", ")} within ${this.d.config.fleet.confirmWithinS} s`;
      this.d.log.warn({ reason }, "config fragment rolled back");
      this.applier.rollBack(reason);
      this.d.restart(`config rolled back: ${reason}`);
    };
    const timer = setInterval(check, 1000);
    this.timers.push(timer);
  }

  private reportUpdates(): void {
    this.updater.reportOutcomes((o) => {
      const data = { id: o.id, package: o.package, from: o.from, to: o.to, reason: o.reason };
      this.d.events.event(
        o.outcome === "applied"
          ? "update.applied"
          : o.outcome === "rolled-back"
            ? "update.rolled-back"
            : "update.failed",
        data,
      );
    });
  }

  private every(ms: number, fn: () => void): void {
    const t = setInterval(() => {
      try {
        fn();
      } catch (e) {
        this.d.log.warn({ err: (e as Error).message }, "fleet periodic task failed");
      }
    }, ms);
    t.unref();
    this.timers.push(t);
  }
}

function refuse(): never {
  throw new Error("this agent was started without a config file, so a fragment cannot be judged");
}
