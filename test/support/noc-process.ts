import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./agent-process.js";
import { freePort } from "./mosquitto.js";

/** The parts of GET /api/v1/collector that tests and benches read. */
export interface CollectorStatus {
  mqttConnected: boolean;
  stations: number;
  accepted: number;
  duplicates: number;
  gaps: { opened: number; resendRequests: number };
}

/**
 * The real station-noc as a child process (tsx on the sources), so kill -9 is a real kill -9. The same
 * instance name and storage across start() calls make a restart: the broker keeps the session.
 */
export class NocProcess {
  proc?: ChildProcess;
  output = "";
  httpPort = 0;
  /** The API needs a principal (issue 14): an admin token, passed as --admin-token-file. */
  readonly token = randomBytes(24).toString("base64url");
  private tokenFile = "";

  constructor(readonly args: string[]) {}

  async start(): Promise<this> {
    this.httpPort ||= await freePort();
    if (!this.tokenFile) {
      this.tokenFile = join(mkdtempSync(join(tmpdir(), "noc-token-")), "admin-token");
      writeFileSync(this.tokenFile, this.token, { mode: 0o600 });
    }
    const proc = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        join(ROOT, "noc/cli.ts"),
        "serve",
        ...this.args,
        "--http-port",
        String(this.httpPort),
        "--admin-token-file",
        this.tokenFile,
      ],
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    proc.stdout.on("data", (d: Buffer) => (this.output += d.toString()));
    proc.stderr.on("data", (d: Buffer) => (this.output += d.toString()));
    this.proc = proc;
    return this;
  }

  /** GET /api/v1/<path> as JSON; undefined while the NOC is not answering. */
  async api<T = Record<string, unknown>>(path: string): Promise<T | undefined> {
    try {
      const r = await fetch(`http://127.0.0.1:${this.httpPort}/api/v1/${path}`, {
        headers: { authorization: `Bearer ${this.token}` },
      });
      return r.ok ? ((await r.json()) as T) : undefined;
    } catch {
      return undefined;
    }
  }

  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once("exit", r));
    p.kill(signal);
    await exited;
  }
}
