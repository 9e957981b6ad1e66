import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection({ port, host: "127.0.0.1" });
    c.once("connect", () => (c.destroy(), resolve(true)));
    c.once("error", () => resolve(false));
  });
}

/** A private Mosquitto 2.0 on a free loopback port; `extra` lines go into its config. */
export class PrivateMosquitto {
  readonly dir = mkdtempSync(join(tmpdir(), "noc-mosq-"));
  port = 0;
  private proc: ChildProcess | undefined;
  log = "";

  /** Extra config lines; may be added to before start(). */
  constructor(readonly extra: string[] = []) {}

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async start(port?: number): Promise<this> {
    this.port = port ?? (this.port || (await freePort()));
    const conf = join(this.dir, "mosquitto.conf");
    const lines = [`listener ${this.port} 127.0.0.1`, "allow_anonymous true", ...this.extra];
    writeFileSync(conf, lines.join("\n") + "\n");
    const p = spawn("mosquitto", ["-c", conf], { stdio: ["ignore", "pipe", "pipe"] });
    this.proc = p;
    p.stdout?.on("data", (d: Buffer) => (this.log += d.toString()));
    p.stderr?.on("data", (d: Buffer) => (this.log += d.toString()));
    for (let i = 0; i < 100; i++) {
      if (p.exitCode !== null) throw new Error(`mosquitto exited: ${this.log}`);
      if (await canConnect(this.port)) return this;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`mosquitto did not listen on ${this.port}: ${this.log}`);
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = undefined;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once("exit", r));
    p.kill("SIGTERM");
    const t = setTimeout(() => p.kill("SIGKILL"), 3000);
    await exited;
    clearTimeout(t);
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Polls until `check` returns a truthy value (or throws on timeout with the last error). */
type Truthy<T> = Exclude<T, false | null | undefined | 0 | "">;

export async function eventually<T>(
  check: () => T | Promise<T>,
  timeoutMs = 10_000,
  stepMs = 50,
): Promise<Truthy<T>> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as Truthy<T>;
      last = new Error(`condition still ${String(v)}`);
    } catch (e) {
      last = e;
    }
    if (Date.now() > until) throw last instanceof Error ? last : new Error(String(last));
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
