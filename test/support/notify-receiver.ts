/**
 * Test side of sd_notify: runs fixtures/notify-receiver.py (a real AF_UNIX datagram socket with
 * SO_PASSCRED, like systemd's) and collects what arrives, with the sender pid the kernel vouches for.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export interface Datagram {
  t: number;
  pid: number | null;
  msg: string;
}

const SCRIPT = fileURLToPath(new URL("../integration/fixtures/notify-receiver.py", import.meta.url));

export class NotifyReceiver {
  readonly datagrams: Datagram[] = [];
  private readonly waiters = new Set<() => void>();

  readonly exited: Promise<void>;

  private constructor(private readonly proc: ChildProcess) {
    this.exited = new Promise((resolve) => proc.once("exit", () => resolve()));
  }

  static async start(socket: string): Promise<NotifyReceiver> {
    const proc = spawn("python3", [SCRIPT, socket], { stdio: ["ignore", "pipe", "pipe"] });
    const receiver = new NotifyReceiver(proc);
    let stderr = "";
    proc.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      const onExit = (code: number | null): void =>
        reject(new Error(`notify receiver exited ${code}: ${stderr}`));
      proc.once("exit", onExit);
      proc.once("error", reject);
      createInterface({ input: proc.stdout }).on("line", (line) => {
        const parsed = JSON.parse(line) as Datagram | { listening: string };
        if ("listening" in parsed) {
          proc.off("exit", onExit);
          resolve();
          return;
        }
        receiver.datagrams.push(parsed);
        for (const wake of receiver.waiters) wake();
      });
    });
    return receiver;
  }

  messages(): string[] {
    return this.datagrams.map((d) => d.msg);
  }

  /** Resolves once `predicate` holds for the datagrams so far; rejects after `timeoutMs` (a failure guard). */
  waitFor(predicate: (datagrams: Datagram[]) => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    if (predicate(this.datagrams)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!predicate(this.datagrams)) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.messages())}`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  stop(): void {
    this.proc.kill("SIGKILL");
  }
}

/** Index of the first datagram equal to (or starting with) `text`, after `from`. */
export function indexOfMessage(datagrams: Datagram[], text: string, from = 0): number {
  return datagrams.findIndex((d, i) => i >= from && d.msg.startsWith(text));
}

export function countWatchdog(datagrams: Datagram[], from = 0, to = datagrams.length): number {
  return datagrams.slice(from, to).filter((d) => d.msg === "WATCHDOG=1").length;
}
