import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";

export const ROOT = resolve(import.meta.dirname, "../..");

export function tempDir(prefix = "sa-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeConfig(dir: string, config: Record<string, unknown>): string {
  const path = join(dir, "config.yaml");
  writeFileSync(path, stringify(config));
  return path;
}

/**
 * The real agent as a child process, so kill -9 is a real kill -9: tsx runs the TypeScript sources, or
 * plain node runs a built `entry` (the station bundle, dist/station-agent/cli.js).
 */
export class AgentProcess {
  proc?: ChildProcess;
  output = "";
  constructor(
    readonly configPath: string,
    readonly env: NodeJS.ProcessEnv = {},
    readonly entry?: string,
  ) {}

  start(args: string[] = ["run"]): ChildProcess {
    const program = this.entry ? [this.entry] : ["--import", "tsx", join(ROOT, "agent/cli.ts")];
    const proc = spawn(process.execPath, [...program, ...args, "--config", this.configPath], {
      cwd: ROOT,
      env: { ...process.env, ...this.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    proc.stdout.on("data", (d: Buffer) => (this.output += d.toString()));
    proc.stderr.on("data", (d: Buffer) => (this.output += d.toString()));
    this.proc = proc;
    return proc;
  }

  exited(): Promise<number | null> {
    const p = this.proc!;
    if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve(p.exitCode);
    return new Promise((r) => p.once("exit", (code) => r(code)));
  }

  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<number | null> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return p?.exitCode ?? null;
    const done = this.exited();
    p.kill(signal);
    return done;
  }
}

/** Run the CLI to completion and collect its exit code and output. */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun) => {
    const p = spawn(process.execPath, ["--import", "tsx", join(ROOT, "agent/cli.ts"), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    p.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    p.on("exit", (code) => resolveRun({ code, stdout, stderr }));
  });
}
