import type { FilesystemUse, HostSystem, MemoryUse, OsFacts } from "./host-system.js";
import { smartFailure, type SmartReport, type TimeSync } from "./parse.js";

export interface HostHealthSettings {
  /** Mounts whose filesystem holds the CCTNS data; named first and in plain words. */
  dataPaths: string[];
  diskLowPct: number;
  diskClearPct: number;
  overheatC: number;
  overheatClearC: number;
  /** Unsynchronised for this long before it is an event (a PC just booted needs a minute or two). */
  clockUnsyncedAfterS: number;
  /** Sampling periods, seconds. */
  every: { sensorsS: number; filesystemsS: number; timeSyncS: number; smartS: number; updatesS: number };
}

export const DEFAULT_HOST_SETTINGS: HostHealthSettings = {
  dataPaths: ["/"],
  diskLowPct: 90,
  diskClearPct: 85,
  overheatC: 85,
  overheatClearC: 75,
  clockUnsyncedAfterS: 1800,
  every: { sensorsS: 60, filesystemsS: 300, timeSyncS: 300, smartS: 3600, updatesS: 21_600 },
};

export interface HostSnapshot {
  facts: OsFacts | null;
  filesystems: FilesystemUse[];
  memory: MemoryUse | null;
  cpuTemperatureC: number | null;
  /** null: smartctl is not installed; [] : no drive answers SMART. */
  smart: SmartReport[] | null;
  updates: { upgradable: number; security: number } | null;
  timeSync: TimeSync | null;
}

export type HostEventType =
  "host.disk-low" | "host.disk-failing" | "host.clock-unsynced" | "host.overheating";

export interface HostEvent {
  type: HostEventType;
  /** raised when the condition starts, cleared when it ends; hysteresis keeps a value near the line quiet. */
  condition: "raised" | "cleared";
  /** What the condition is about: a mount, a drive, "clock", "cpu". */
  subject: string;
  detail: string;
  value: number | null;
}

/** When smartctl and apt first run after start. */
const SLOW_FIRST_SAMPLE_MS = 120_000;

type Sampler = "sensors" | "filesystems" | "timeSync" | "smart" | "updates";

/**
 * The station PC's own health: samples each source on its own period (SMART hourly, apt every few
 * hours, filesystems every few minutes; never a process per second), keeps the latest figures for
 * metrics and status, and emits an event when a condition starts or ends.
 */
export class HostHealth {
  readonly name = "host";
  private snap: HostSnapshot = {
    facts: null,
    filesystems: [],
    memory: null,
    cpuTemperatureC: null,
    smart: null,
    updates: null,
    timeSync: null,
  };
  private readonly raised = new Set<string>();
  private unsyncedSince: number | null = null;
  private timers: NodeJS.Timeout[] = [];
  private stopped = false;

  constructor(
    private readonly system: HostSystem,
    private readonly emit: (e: HostEvent) => void,
    private readonly settings: HostHealthSettings = DEFAULT_HOST_SETTINGS,
    private readonly now: () => number = Date.now,
    private readonly onError: (what: string, err: Error) => void = () => undefined,
  ) {}

  async start(): Promise<void> {
    await this.guard("facts", async () => {
      this.snap.facts = await this.system.os();
    });
    for (const s of ["sensors", "filesystems", "timeSync"] as Sampler[]) {
      await this.sample(s);
      this.repeat(s);
    }
    // smartctl on every drive and apt's upgrade simulation take seconds of CPU: not before the agent is
    // ready, nor while it replays a backlog after a power cut; two minutes later.
    const later = setTimeout(() => {
      for (const s of ["smart", "updates"] as Sampler[]) void this.sample(s).then(() => this.repeat(s));
    }, SLOW_FIRST_SAMPLE_MS);
    later.unref();
    this.timers.push(later);
  }

  private repeat(s: Sampler): void {
    if (this.stopped) return;
    const t = setInterval(() => void this.sample(s), this.settings.every[`${s}S`] * 1000);
    t.unref();
    this.timers.push(t);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
  }

  snapshot(): HostSnapshot {
    return this.snap;
  }

  async sample(which: Sampler): Promise<void> {
    await this.guard(which, async () => {
      switch (which) {
        case "sensors":
          this.snap.memory = await this.system.memory();
          this.snap.cpuTemperatureC = await this.system.cpuTemperatureC();
          this.judgeTemperature();
          break;
        case "filesystems":
          this.snap.filesystems = await this.system.filesystems();
          this.judgeFilesystems();
          break;
        case "timeSync":
          this.snap.timeSync = await this.system.timeSync();
          this.judgeClock();
          break;
        case "smart":
          this.snap.smart = await this.system.smart();
          this.judgeSmart();
          break;
        case "updates":
          this.snap.updates = await this.system.pendingUpdates();
          break;
      }
    });
  }

  private async guard(what: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (e) {
      // A tool that misbehaves leaves the last figures in place; the agent carries on.
      this.onError(what, e as Error);
    }
  }

  private judgeFilesystems(): void {
    const s = this.settings;
    for (const f of this.snap.filesystems) {
      const inodePct =
        f.inodesTotal && f.inodesFree !== null ? (100 * (f.inodesTotal - f.inodesFree)) / f.inodesTotal : 0;
      const worst = Math.max(f.usePct, inodePct);
      const what =
        inodePct > f.usePct ? `${round(inodePct)} % of its files (inodes)` : `${round(f.usePct)} %`;
      this.hysteresis(
        "host.disk-low",
        f.mount,
        worst >= s.diskLowPct,
        worst < s.diskClearPct,
        `${f.mount} is ${what} full`,
        round(worst),
      );
    }
  }

  private judgeTemperature(): void {
    const t = this.snap.cpuTemperatureC;
    if (t === null) return;
    const s = this.settings;
    this.hysteresis(
      "host.overheating",
      "cpu",
      t >= s.overheatC,
      t < s.overheatClearC,
      `CPU at ${round(t)} °C`,
      t,
    );
  }

  private judgeClock(): void {
    const ts = this.snap.timeSync;
    if (!ts || ts.synchronised === null) return;
    const now = this.now();
    if (ts.synchronised) this.unsyncedSince = null;
    else this.unsyncedSince ??= now;
    const longEnough =
      this.unsyncedSince !== null && now - this.unsyncedSince >= this.settings.clockUnsyncedAfterS * 1000;
    this.hysteresis(
      "host.clock-unsynced",
      "clock",
      longEnough,
      ts.synchronised,
      ts.synchronised
        ? `synchronised with ${ts.server ?? "its time server"}`
        : `not synchronised (${ts.source})`,
      ts.offsetMs,
    );
  }

  private judgeSmart(): void {
    for (const r of this.snap.smart ?? []) {
      const why = smartFailure(r);
      this.hysteresis(
        "host.disk-failing",
        r.device,
        why !== null,
        why === null,
        why ?? `${r.device} healthy again`,
        (r.reallocatedSectors ?? 0) + (r.pendingSectors ?? 0),
      );
    }
  }

  private hysteresis(
    type: HostEventType,
    subject: string,
    enter: boolean,
    leave: boolean,
    detail: string,
    value: number | null,
  ): void {
    const key = `${type}\0${subject}`;
    if (!this.raised.has(key) && enter) {
      this.raised.add(key);
      this.emit({ type, condition: "raised", subject, detail, value });
    } else if (this.raised.has(key) && leave) {
      this.raised.delete(key);
      this.emit({ type, condition: "cleared", subject, detail, value });
    }
  }

  /** Conditions standing now, for status and doctor. */
  standing(): { type: HostEventType; subject: string }[] {
    return [...this.raised].map((k) => {
      const [type, subject] = k.split("\0") as [HostEventType, string];
      return { type, subject };
    });
  }
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

/** Every source read once, without the service's schedule (doctor, which runs and exits). */
export async function sampleHostOnce(system: HostSystem): Promise<HostSnapshot> {
  const settle = async <T>(p: Promise<T>, fallback: T): Promise<T> => p.catch(() => fallback);
  const [facts, filesystems, memory, cpuTemperatureC, smart, timeSync] = await Promise.all([
    settle(system.os(), null),
    settle(system.filesystems(), []),
    settle(system.memory(), null),
    settle(system.cpuTemperatureC(), null),
    settle(system.smart(), null),
    settle(system.timeSync(), null),
  ]);
  // apt's simulation takes seconds; doctor leaves updates to the running agent.
  return { facts, filesystems, memory, cpuTemperatureC, smart, updates: null, timeSync };
}
