import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { writeFileDurably } from "./durable-file.js";

/** A Debian version as apt takes it on the command line: [epoch:]upstream[-revision]. */
export const DEBIAN_VERSION = /^(?:\d{1,5}:)?[0-9][A-Za-z0-9.+~]{0,63}(?:-[A-Za-z0-9.+~]{1,32})?$/;

export interface UpdateRequest {
  id: string;
  version: string;
  deadlineS: number;
}

/** How the upgrade runner is started so that it outlives the agent it replaces. */
export interface RunnerLauncher {
  readonly kind: string;
  launch(args: string[]): Promise<void>;
}

/**
 * Production: a request file that a root-owned path unit (station-agent-update.path) turns into one
 * run of station-agent-update.service. The agent itself holds no privilege and cannot call systemd-run
 * for a root unit (NoNewPrivileges, no polkit rule); the path unit gives the same result: the runner
 * is its own unit, outside the agent's cgroup, and survives the agent's restart.
 */
export class PathUnitLauncher implements RunnerLauncher {
  readonly kind = "path-unit";
  constructor(private readonly requestFile: string) {}
  async launch(args: string[]): Promise<void> {
    // key=value lines, not a command line: the root unit reads only id, to and deadline from it, so an
    // agent that was taken over cannot choose the package, the state dir or any other option.
    const value = (flag: string) => args[args.indexOf(flag) + 1] ?? "";
    const text = `id=${value("--id")}\nto=${value("--to")}\ndeadline=${value("--deadline")}\n`;
    writeFileDurably(this.requestFile, text, 0o640);
  }
}

/**
 * Where systemd is not PID 1 (labs, containers, these test machines): the same command line as a real
 * detached process in its own session, so killing the agent does not kill it.
 */
export class DetachedProcessLauncher implements RunnerLauncher {
  readonly kind = "detached-process";
  constructor(private readonly runner: string) {}
  async launch(args: string[]): Promise<void> {
    const child = spawn(this.runner, args, { detached: true, stdio: "ignore" });
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", reject);
    });
    child.unref();
  }
}

/** systemd-run for a system where the agent does run as root (the lab's own unit, a manual test). */
export class SystemdRunLauncher implements RunnerLauncher {
  readonly kind = "systemd-run";
  constructor(private readonly runner: string) {}
  async launch(args: string[]): Promise<void> {
    const id = args[args.indexOf("--id") + 1] ?? "update";
    const child = spawn(
      "systemd-run",
      [
        "--unit",
        `station-agent-update-${id}`,
        "--collect",
        "--quiet",
        "--property=KillMode=process",
        this.runner,
        ...args,
      ],
      { stdio: "ignore" },
    );
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once("exit", resolve);
      child.once("error", reject);
    });
    if (code !== 0) throw new Error(`systemd-run exited ${code}`);
  }
}

export function chooseLauncher(
  runner: string,
  stateDir: string,
  runDir = "/run/systemd/system",
): RunnerLauncher {
  return existsSync(runDir)
    ? new PathUnitLauncher(join(stateDir, "update", "request"))
    : new DetachedProcessLauncher(runner);
}

export interface UpdateOutcome {
  id: string;
  package: string;
  from: string;
  to: string;
  outcome: "applied" | "rolled-back" | "failed";
  reason: string;
  at: number;
}

/**
 * The `update` command on the station: refuses a second update while one runs, starts the runner,
 * and reports each outcome the runner leaves in STATE/update/ exactly once (renamed to .reported).
 */
export class Updater {
  private readonly dir: string;

  constructor(
    stateDir: string,
    private readonly launcher: RunnerLauncher,
    private readonly currentVersion: string,
    private readonly now: () => number = Date.now,
  ) {
    this.dir = join(stateDir, "update");
  }

  async start(req: UpdateRequest): Promise<{ from: string; to: string; launcher: string }> {
    if (!DEBIAN_VERSION.test(req.version)) throw new Error(`not a package version: ${req.version}`);
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(req.id)) throw new Error("id must be 1-64 of A-Z a-z 0-9 . _ -");
    const running = this.running();
    if (running) throw new Error(`update ${running.id} to ${running.to} is still running`);
    mkdirSync(this.dir, { recursive: true, mode: 0o750 });
    // The marker lets a second command see the first; the runner's result (or its age) ends it.
    writeFileDurably(
      join(this.dir, `${req.id}.started`),
      JSON.stringify({ id: req.id, to: req.version, at: this.now(), deadlineS: req.deadlineS }),
    );
    await this.launcher.launch([
      "--id",
      req.id,
      "--to",
      req.version,
      "--deadline",
      String(req.deadlineS),
      "--state",
      join(this.dir, ".."),
    ]);
    return { from: this.currentVersion, to: req.version, launcher: this.launcher.kind };
  }

  /** An update started and not finished (no result yet, and not older than its deadline plus margin). */
  running(): { id: string; to: string } | undefined {
    for (const name of this.list(".started")) {
      const id = name.slice(0, -".started".length);
      if (existsSync(join(this.dir, `${id}.json`)) || existsSync(join(this.dir, `${id}.json.reported`)))
        continue;
      try {
        const s = JSON.parse(readFileSync(join(this.dir, name), "utf8")) as {
          to: string;
          at: number;
          deadlineS: number;
        };
        if (this.now() - s.at < (s.deadlineS * 2 + 900) * 1000) return { id, to: s.to };
      } catch {
        // An unreadable marker blocks nothing.
      }
    }
    return undefined;
  }

  /**
   * Hands each outcome not reported yet to `report` (which makes it durable, e.g. an outbox event),
   * and only then marks it reported: a crash in between reports it twice, never not at all.
   */
  reportOutcomes(report: (o: UpdateOutcome) => void): number {
    let n = 0;
    for (const name of this.list(".json")) {
      const path = join(this.dir, name);
      let o: UpdateOutcome;
      try {
        o = JSON.parse(readFileSync(path, "utf8")) as UpdateOutcome;
      } catch {
        continue;
      }
      report(o);
      renameSync(path, `${path}.reported`);
      n++;
    }
    return n;
  }

  private list(suffix: string): string[] {
    try {
      return readdirSync(this.dir).filter((n) => n.endsWith(suffix));
    } catch {
      return [];
    }
  }
}
