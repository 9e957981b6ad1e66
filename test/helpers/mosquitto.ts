import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

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

export function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const sock = connect(port, "127.0.0.1");
      sock.once("connect", () => {
        sock.destroy();
        resolve();
      });
      sock.once("error", () => {
        sock.destroy();
        if (Date.now() > deadline) reject(new Error(`port ${port} did not open`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/** A private Mosquitto the test can stop and restart on the same port (real broker, not a mock). */
export class PrivateMosquitto {
  private proc?: ChildProcess;
  readonly dir = mkdtempSync(join(tmpdir(), "sa-mosq-"));
  constructor(readonly port: number) {}

  static async start(): Promise<PrivateMosquitto> {
    const m = new PrivateMosquitto(await freePort());
    await m.start();
    return m;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const conf = join(this.dir, "mosquitto.conf");
    writeFileSync(
      conf,
      [
        `listener ${this.port} 127.0.0.1`,
        "allow_anonymous true",
        "persistence true",
        `persistence_location ${this.dir}/`,
        "max_queued_messages 1000000",
        "",
      ].join("\n"),
    );
    this.proc = spawn("mosquitto", ["-c", conf], { stdio: "ignore" });
    await waitForPort(this.port);
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once("exit", () => resolve());
      p.kill("SIGTERM");
    });
    this.proc = undefined;
  }
}
