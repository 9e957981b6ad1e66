import { execFile } from "node:child_process";
import { readdir, readFile, statfs } from "node:fs/promises";
import { join } from "node:path";
import { cpuTemperatureFrom, parseMeminfo, parseMounts } from "./proc-files.js";
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
  /^(tmpfs|devtmpfs|ramfs|squashfs|overlay|proc|sysfs|cgroup2?|devpts|mqueue|tracefs|debugfs|efivarfs|nsfs|autofs|binfmt_misc|configfs|pstore|bpf|securityfs|fusectl|hugetlbfs|rpc_pipefs|selinuxfs|fuse\..*)$/;

type Si = typeof import("systeminformation");
/** The parts of systeminformation host health reads. */
type SiParts = Pick<Si, "diskLayout" | "osInfo">;

/** A CommonJS module imported from ESM: its exports, whether or not Node found them by name. */
const exportsOf = <T>(m: unknown): T => ((m as { default?: T }).default ?? m) as T;

/**
 * The real PC. The figures sampled every minute or few (filesystems, memory, temperature) are read from
 * the kernel's files directly: through systeminformation each sample spawned shells (df, cat, sensors),
 * and with its modules loaded the agent stayed 1-3 MB larger in the core bench, over a budget of
 * 80 MB (docs/benchmarks.md). systeminformation tells the start-up facts (distro naming across
 * distributions, disk models through lsblk), once. The tools it cannot cover (smartctl's JSON, apt's
 * simulation, the time daemons) are run directly, each at most every few minutes.
 */
export class RealHostSystem implements HostSystem {
  private si?: Promise<SiParts>;

  constructor(
    private readonly run: CommandRunner = runCommand,
    /** Where /proc and /sys are (a test's scripted tree). */
    private readonly root = "/",
  ) {}

  /** Only the two files the facts need: systeminformation's index loads all 25 of its modules. */
  private lib(): Promise<SiParts> {
    this.si ??= Promise.all([
      import("systeminformation/lib/filesystem.js"),
      import("systeminformation/lib/osinfo.js"),
    ]).then(([fs, osinfo]) => ({
      diskLayout: exportsOf<Pick<Si, "diskLayout">>(fs).diskLayout,
      osInfo: exportsOf<Pick<Si, "osInfo">>(osinfo).osInfo,
    }));
    return this.si;
  }

  private path(...parts: string[]): string {
    return join(this.root, ...parts);
  }

  async filesystems(): Promise<FilesystemUse[]> {
    const mounts = parseMounts(await readFile(this.path("proc/self/mounts"), "utf8"));
    const out: FilesystemUse[] = [];
    for (const m of mounts) {
      if (PSEUDO.test(m.fsType)) continue;
      let s: Awaited<ReturnType<typeof statfs>>;
      try {
        // The async call runs on libuv's pool: a hung network mount stalls one worker, not the agent.
        s = await statfs(join(this.root, m.mount));
      } catch {
        continue; // unmounted between the list and the look, or not ours to read
      }
      const size = s.blocks * s.bsize;
      if (size <= 0) continue;
      const used = (s.blocks - s.bfree) * s.bsize;
      const available = s.bavail * s.bsize;
      out.push({
        mount: m.mount,
        device: m.device,
        fsType: m.fsType,
        sizeBytes: size,
        usedBytes: used,
        availableBytes: available,
        // df's figure: what is used of what users may use (root's reserve left out).
        usePct: used + available > 0 ? Math.round((1000 * used) / (used + available)) / 10 : 0,
        inodesTotal: s.files > 0 ? s.files : null,
        inodesFree: s.files > 0 ? s.ffree : null,
      });
    }
    return out;
  }

  async memory(): Promise<MemoryUse> {
    return parseMeminfo(await readFile(this.path("proc/meminfo"), "utf8"));
  }

  async cpuTemperatureC(): Promise<number | null> {
    const readings: { name: string; milli: string }[] = [];
    const read = async (dir: string, nameFile: string, tempFile: string) => {
      let entries: string[];
      try {
        entries = await readdir(this.path(dir));
      } catch {
        return; // no such class on this kernel
      }
      for (const e of entries) {
        try {
          const [name, milli] = await Promise.all([
            readFile(this.path(dir, e, nameFile), "utf8"),
            readFile(this.path(dir, e, tempFile), "utf8"),
          ]);
          readings.push({ name, milli });
        } catch {
          // a zone without a reading (disabled, or its driver refuses)
        }
      }
    };
    await read("sys/class/thermal", "type", "temp");
    await read("sys/class/hwmon", "name", "temp1_input");
    return cpuTemperatureFrom(readings);
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
