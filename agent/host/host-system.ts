import { execFile } from "node:child_process";
import { statfsSync } from "node:fs";
import {
  parseAptSimulation,
  parseChronycTracking,
  parseSmartctlJson,
  parseSmartctlScan,
  parseTimedatectl,
  type SmartReport,
  type TimeSync,
} from "./parse.js";

export interface FilesystemUse {
  mount: string;
  device: string;
  fsType: string;
  sizeBytes: number;
  usedBytes: number;
  availableBytes: number;
  usePct: number;
  inodesTotal: number | null;
  inodesFree: number | null;
}

export interface MemoryUse {
  totalBytes: number;
  availableBytes: number;
  swapTotalBytes: number;
  swapUsedBytes: number;
}

export interface OsFacts {
  distro: string;
  release: string;
  kernel: string;
  arch: string;
  diskModels: string[];
}

/** What host health reads from the PC; the real one below, a scripted one in tests. */
export interface HostSystem {
  filesystems(): Promise<FilesystemUse[]>;
  memory(): Promise<MemoryUse>;
  cpuTemperatureC(): Promise<number | null>;
  os(): Promise<OsFacts>;
  /** null: smartctl is not installed (the report then says "unknown, install smartmontools"). */
  smart(): Promise<SmartReport[] | null>;
  /** null: no apt on this system. */
  pendingUpdates(): Promise<{ upgradable: number; security: number } | null>;
  timeSync(): Promise<TimeSync>;
}

/** Filesystems that are not a disk a person could fill: memory, images, kernel views. */
const PSEUDO =
  /^(tmpfs|devtmpfs|ramfs|squashfs|overlay|proc|sysfs|cgroup2?|devpts|mqueue|tracefs|debugfs|efivarfs|fuse\..*)$/;

type Si = typeof import("systeminformation");
/** The parts of systeminformation host health reads. */
type SiParts = Pick<Si, "fsSize" | "diskLayout" | "mem" | "cpuTemperature" | "osInfo">;

/** A CommonJS module imported from ESM: its exports, whether or not Node found them by name. */
const exportsOf = <T>(m: unknown): T => ((m as { default?: T }).default ?? m) as T;

/**
 * The real PC. systeminformation is loaded on first use (it is large, and the daemon counts its
 * megabytes); the tools it cannot cover (smartctl's JSON, apt's simulation, the time daemons) are run
 * directly, each at most every few minutes.
 */
export class RealHostSystem implements HostSystem {
  private si?: Promise<SiParts>;

  constructor(private readonly run: CommandRunner = runCommand) {}

  /**
   * Only the four files host health needs: systeminformation's index loads all of its 25 (docker, wifi,
   * bluetooth, graphics...), which kept 4.8 MB more resident in the daemon (measured with the agent's
   * node flags, docs/benchmarks.md).
   */
  private lib(): Promise<SiParts> {
    this.si ??= Promise.all([
      import("systeminformation/lib/filesystem.js"),
      import("systeminformation/lib/memory.js"),
      import("systeminformation/lib/cpu.js"),
      import("systeminformation/lib/osinfo.js"),
    ]).then(([fs, memory, cpu, osinfo]) => {
      const f = exportsOf<Pick<Si, "fsSize" | "diskLayout">>(fs);
      return {
        fsSize: f.fsSize,
        diskLayout: f.diskLayout,
        mem: exportsOf<Pick<Si, "mem">>(memory).mem,
        cpuTemperature: exportsOf<Pick<Si, "cpuTemperature">>(cpu).cpuTemperature,
        osInfo: exportsOf<Pick<Si, "osInfo">>(osinfo).osInfo,
      };
    });
    return this.si;
  }

  async filesystems(): Promise<FilesystemUse[]> {
    const list = await (await this.lib()).fsSize();
    return list
      .filter((f) => !PSEUDO.test(f.type) && f.size > 0)
      .map((f) => {
        let inodesTotal: number | null = null;
        let inodesFree: number | null = null;
        try {
          const s = statfsSync(f.mount);
          inodesTotal = s.files;
          inodesFree = s.ffree;
        } catch {
          // A mount that vanished between df and statfs: reported without inodes.
        }
        return {
          mount: f.mount,
          device: f.fs,
          fsType: f.type,
          sizeBytes: f.size,
          usedBytes: f.used,
          availableBytes: f.available,
          usePct: Math.round(f.use * 10) / 10,
          inodesTotal,
          inodesFree,
        };
      });
  }

  async memory(): Promise<MemoryUse> {
    const m = await (await this.lib()).mem();
    return {
      totalBytes: m.total,
      availableBytes: m.available,
      swapTotalBytes: m.swaptotal,
      swapUsedBytes: m.swapused,
    };
  }

  async cpuTemperatureC(): Promise<number | null> {
    const t = await (await this.lib()).cpuTemperature();
    return typeof t.main === "number" && Number.isFinite(t.main) ? t.main : null;
  }

  async os(): Promise<OsFacts> {
    const si = await this.lib();
    const o = await si.osInfo();
    let diskModels: string[] = [];
    try {
      diskModels = (await si.diskLayout()).map((d) => d.name || d.vendor).filter((n) => n !== "");
    } catch {
      // lsblk missing: the facts go without disk models.
    }
    return { distro: o.distro, release: o.release, kernel: o.kernel, arch: o.arch, diskModels };
  }

  async smart(): Promise<SmartReport[] | null> {
    const scan = await this.run("smartctl", ["--scan", "--json"]);
    if (scan.missing) return null;
    const reports: SmartReport[] = [];
    for (const device of parseSmartctlScan(scan.stdout)) {
      // smartctl's exit code is a bit mask of findings (bit 3: failing); its JSON is still complete.
      const r = await this.run("smartctl", ["--json", "-i", "-H", "-A", device]);
      try {
        reports.push(parseSmartctlJson(device, r.stdout));
      } catch {
        // A device that answers no SMART (USB stick, virtual disk) is left out.
      }
    }
    return reports;
  }

  async pendingUpdates(): Promise<{ upgradable: number; security: number } | null> {
    const r = await this.run("apt-get", ["-s", "-q", "-o", "Debug::NoLocking=true", "upgrade"]);
    if (r.missing || r.code !== 0) return null;
    return parseAptSimulation(r.stdout);
  }

  async timeSync(): Promise<TimeSync> {
    const chrony = await this.run("chronyc", ["-c", "tracking"]);
    if (!chrony.missing && chrony.code === 0) return parseChronycTracking(chrony.stdout);
    const show = await this.run("timedatectl", ["show"]);
    if (show.missing || show.code !== 0)
      return { source: "none", synchronised: null, offsetMs: null, server: null };
    const status = await this.run("timedatectl", ["timesync-status", "--no-pager"]);
    return parseTimedatectl(show.stdout, status.code === 0 ? status.stdout : "");
  }
}

export interface CommandResult {
  code: number;
  stdout: string;
  /** The program is not installed. */
  missing: boolean;
}

export type CommandRunner = (cmd: string, args: string[]) => Promise<CommandResult>;

export function runCommand(cmd: string, args: string[]): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 30_000, maxBuffer: 4 * 1024 * 1024 }, (err, stdout) => {
      const e = err as (NodeJS.ErrnoException & { code?: string | number }) | null;
      resolve({
        code: e ? (typeof e.code === "number" ? e.code : -1) : 0,
        stdout: String(stdout),
        missing: e?.code === "ENOENT",
      });
    });
  });
}
