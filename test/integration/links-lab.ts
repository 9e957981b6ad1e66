/**
 * Helpers for the link monitor's lab tests and benchmark: scripts/netlab.sh for the namespaces, and the
 * real LinkMonitor (agent/links/standalone-monitor.ts) run inside the station namespace, read through its JSON lines.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import type { LinkConfigInput } from "../../config/links.js";

const run = promisify(execFile);
export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const NETLAB = join(ROOT, "scripts/netlab.sh");

/** Why the lab cannot run here, or undefined when it can. In CI (CI=true) a reason is a failure, not a skip. */
export function labUnavailable(): string | undefined {
  if (process.platform !== "linux") return "network namespaces need Linux";
  if (process.getuid?.() !== 0) return "network namespaces need root (run as root or in CI)";
  return undefined;
}

export function labSkipReason(): string | undefined {
  const why = labUnavailable();
  if (why && process.env.CI === "true") throw new Error(`lab tests must run in CI, but: ${why}`);
  if (why) console.warn(`skipping link lab tests: ${why}`);
  return why;
}

export const LAB = {
  primaryIf: "wan0",
  backupIf: "wan1",
  primaryGw: "198.18.1.1",
  dcHost: "198.19.0.10",
  dcAltHost: "198.18.11.2",
  deadHost: "198.19.0.99",
} as const;

export class Lab {
  readonly prefix: string;

  constructor(tag: string) {
    const rnd = Math.random().toString(36).slice(2, 5);
    this.prefix = `lk${tag}${process.pid.toString(36)}${rnd}`.slice(0, 12).toLowerCase();
  }

  get stationNs(): string {
    return `${this.prefix}-st`;
  }

  async sh(...args: string[]): Promise<string> {
    const { stdout } = await run(NETLAB, [args[0]!, this.prefix, ...args.slice(1)], { timeout: 30_000 });
    return stdout;
  }

  up = () => this.sh("up");
  down = () => this.sh("down");
  pull = (path: "primary" | "backup") => this.sh("pull", path);
  plug = (path: "primary" | "backup") => this.sh("plug", path);
  cut = (path: "primary" | "backup") => this.sh("cut", path);
  heal = (path: "primary" | "backup") => this.sh("heal", path);
  loss = (path: "primary" | "backup", pct: number) => this.sh("loss", path, String(pct));
  restore = () => this.sh("restore");

  /** Packets the station sent through the gateway, and how many of them the loss rule dropped. */
  async counters(path: "primary" | "backup"): Promise<{ seen: number; dropped: number }> {
    const [seen, dropped] = (await this.sh("counters", path)).trim().split(/\s+/).map(Number);
    return { seen: seen ?? 0, dropped: dropped ?? 0 };
  }

  /** A TCP service in the data centre that accepts and closes connections; returns its stopper. */
  serveTcp(port: number): () => Promise<void> {
    const code = `require("net").createServer((s) => s.end()).listen(${port}, () => console.log("listening"))`;
    const child = spawn("ip", ["netns", "exec", `${this.prefix}-dc`, process.execPath, "-e", code], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const ready = new Promise<void>((r) => child.stdout.once("data", () => r()));
    const stop = async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const closed = new Promise<void>((r) => child.once("close", () => r()));
      child.kill("SIGTERM");
      await closed;
    };
    return Object.assign(stop, { ready });
  }

  exec(
    ns: "st" | "gw" | "bk" | "dc",
    cmd: string[],
    timeoutMs = 60_000,
  ): Promise<{ stdout: string; stderr: string }> {
    return run(NETLAB, ["exec", this.prefix, ns, ...cmd], {
      timeout: timeoutMs,
      maxBuffer: 16 * 1024 * 1024,
    });
  }
}

export interface WatchLine {
  t: number;
  kind: "event" | "state" | "ready" | "view" | "stopped";
  type?: string;
  observedAt?: number;
  link?: string;
  data?: Record<string, unknown>;
  state?: Record<string, unknown> & { state: string; active: boolean; reason?: string };
  [k: string]: unknown;
}

/** The real LinkMonitor in the station namespace. Every line it prints is kept, in order. */
export class MonitorRunner {
  readonly lines: WatchLine[] = [];
  private child: ChildProcess | undefined;
  private dir = mkdtempSync(join(tmpdir(), "links-runner-"));
  private waiters: (() => void)[] = [];
  stderr = "";

  /** `compiled`: the JavaScript entry from compileWatch(), to measure CPU without the TypeScript loader. */
  constructor(
    private readonly lab: Lab,
    private readonly links: LinkConfigInput[],
    private readonly compiled?: string,
  ) {}

  async start(): Promise<void> {
    const file = join(this.dir, "links.json");
    writeFileSync(file, JSON.stringify(this.links));
    const child = spawn(
      "ip",
      [
        "netns",
        "exec",
        this.lab.stationNs,
        process.execPath,
        "--import",
        "tsx",
        join(ROOT, "agent/links/standalone-monitor.ts"),
        "--links",
        file,
      ],
      {
        cwd: ROOT,
        stdio: ["pipe", "pipe", "pipe"],
        detached: true,
      },
    );
    this.child = child;
    child.stderr.on("data", (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-20_000);
    });
    createInterface({ input: child.stdout }).on("line", (l) => {
      try {
        this.lines.push(JSON.parse(l) as WatchLine);
      } catch {
        this.stderr += `unparsed stdout: ${l}\n`;
      }
      for (const w of this.waiters.splice(0)) w();
    });
    const exited = new Promise<never>((_, reject) =>
      child.once("close", (code) =>
        reject(new Error(`the monitor exited (${code}) before it was ready:\n${this.stderr}`)),
      ),
    );
    exited.catch(() => undefined);
    await Promise.race([this.waitFor((l) => l.kind === "ready", 30_000, "the monitor to start"), exited]);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Resolve with the first line (from index `from`) that matches; reject with the log after `timeoutMs`. */
  waitFor(pred: (l: WatchLine) => boolean, timeoutMs: number, what: string, from = 0): Promise<WatchLine> {
    return new Promise((resolvePromise, reject) => {
      const check = (): boolean => {
        const hit = this.lines.slice(from).find(pred);
        if (hit) {
          clearTimeout(timer);
          resolvePromise(hit);
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        reject(
          new Error(
            `timed out waiting for ${what}\nlines:\n${this.summary()}\nstderr:\n${this.stderr.slice(-3000)}`,
          ),
        );
      }, timeoutMs);
      const loop = () => {
        if (!check()) this.waiters.push(loop);
      };
      loop();
    });
  }

  events(type?: string, from = 0): WatchLine[] {
    return this.lines
      .slice(from)
      .filter((l) => l.kind === "event" && (type === undefined || l.type === type));
  }

  /** The monitor's LinkView (states, summaries, availability, plain words), asked for over stdin. */
  async view(): Promise<WatchLine> {
    const from = this.lines.length;
    this.child!.stdin!.write("states\n");
    return this.waitFor((l) => l.kind === "view", 10_000, "the view", from);
  }

  summary(): string {
    return this.lines
      .map((l) =>
        l.kind === "event"
          ? `${l.t} event ${l.type} ${JSON.stringify({ ...l.data, evidence: undefined })}`
          : l.kind === "state"
            ? `${l.t} state ${l.link} ${l.state?.state} active=${l.state?.active} ${l.state?.reason ?? ""}`
            : `${l.t} ${l.kind}`,
      )
      .join("\n");
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      const closed = new Promise<void>((r) => child.once("close", () => r()));
      child.stdin!.write("stop\n");
      const kill = setTimeout(() => {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // already gone
        }
      }, 5000);
      await closed;
      clearTimeout(kill);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Compile the watch runner to JavaScript (as the agent ships), under .state/ so node_modules resolve. */
export async function compileWatch(): Promise<string> {
  const out = join(ROOT, ".state/links-bench");
  await run(
    process.execPath,
    [
      join(ROOT, "node_modules/typescript/bin/tsc"),
      "agent/links/standalone-monitor.ts",
      "--outDir",
      out,
      "--rootDir",
      ".",
      "--module",
      "NodeNext",
      "--moduleResolution",
      "NodeNext",
      "--target",
      "ES2022",
      "--skipLibCheck",
      "--esModuleInterop",
      "--types",
      "node",
    ],
    { cwd: ROOT, timeout: 120_000 },
  );
  return join(out, "agent/links/standalone-monitor.js");
}

/** A fast link for tests: 0.5 s rounds, so a test sees many rounds in a few seconds. */
export function fastLink(
  over: Partial<LinkConfigInput> & Pick<LinkConfigInput, "name" | "interface" | "role">,
): LinkConfigInput {
  return {
    intervalMs: 500,
    timeoutMs: 250,
    windowMs: 10_000,
    thresholds: { degraded: { enter: { rttMs: 200 }, leave: { rttMs: 100 } } },
    ...over,
  };
}
