import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { vi } from "vitest";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      const port = typeof a === "object" && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(port, "127.0.0.1");
    c.once("connect", () => (c.destroy(), resolve(true)));
    c.once("error", () => (c.destroy(), resolve(false)));
  });
}

/** Waits (inside a vitest run) until something accepts connections on the loopback port. */
export async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  await eventually(() => canConnect(port), timeoutMs).catch(() => {
    throw new Error(`port ${port} did not open`);
  });
}

/**
 * A private Mosquitto on a free loopback port, which a test can stop and restart on the same port (a real
 * broker, not a mock). Persistence is on, as on a production broker: sessions, queued QoS 1 messages and
 * retained ones survive a restart.
 */
export class PrivateMosquitto {
  readonly dir = mkdtempSync(join(tmpdir(), "mosq-"));
  port = 0;
  log = "";
  private proc: ChildProcess | undefined;

  /** Extra config lines, after the defaults; may be added to before start(). */
  constructor(readonly extra: string[] = []) {
    // Started as root, mosquitto runs as its own user, which must write its persistence file here.
    chmodSync(this.dir, 0o777);
  }

  static async start(extra: string[] = []): Promise<PrivateMosquitto> {
    return new PrivateMosquitto(extra).start();
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  async start(port?: number): Promise<this> {
    this.port = port ?? (this.port || (await freePort()));
    const conf = join(this.dir, "mosquitto.conf");
    const lines = [
      `listener ${this.port} 127.0.0.1`,
      "allow_anonymous true",
      "persistence true",
      `persistence_location ${this.dir}/`,
      "max_queued_messages 1000000",
      ...this.extra,
    ];
    writeFileSync(conf, lines.join("\n") + "\n");
    const p = spawn("mosquitto", ["-c", conf], { stdio: ["ignore", "pipe", "pipe"] });
    this.proc = p;
    p.stdout?.on("data", (d: Buffer) => (this.log += d.toString()));
    p.stderr?.on("data", (d: Buffer) => (this.log += d.toString()));
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (p.exitCode !== null) throw new Error(`mosquitto exited: ${this.log}`);
      if (await canConnect(this.port)) return this;
      if (Date.now() > deadline) throw new Error(`mosquitto did not listen on ${this.port}: ${this.log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
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

type Truthy<T> = Exclude<T, false | null | undefined | 0 | "">;

/**
 * Polls until `check` returns a truthy value, or fails with its last error on timeout: vitest's
 * vi.waitFor, with a falsy result counted as "not yet".
 */
export function eventually<T>(
  check: () => T | Promise<T>,
  timeoutMs = 10_000,
  stepMs = 50,
): Promise<Truthy<T>> {
  return vi.waitFor(
    async () => {
      const v = await check();
      if (!v) throw new Error(`condition still ${String(v)}`);
      return v as Truthy<T>;
    },
    { timeout: timeoutMs, interval: stepMs },
  );
}
