/**
 * sd_notify against a real unix datagram socket: READY then WATCHDOG pings from the main pid, no pings
 * while the loop is blocked, sluggish or the agent says it is unhealthy, and abstract-namespace sockets.
 * Every phase is triggered by what the receiver has seen, never by a sleep.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SdNotifier } from "../../agent/sd-notify.js";
import { NotifyReceiver, countWatchdog, indexOfMessage } from "../support/notify-receiver.js";

const CHILD = "test/integration/fixtures/notify-child.ts";

interface Child {
  proc: ChildProcess;
  lines: string[];
  send(line: string): void;
  waitLine(match: string | ((line: string) => boolean), timeoutMs?: number): Promise<string>;
  exited: Promise<number | null>;
}

function startChild(env: Record<string, string>): Child {
  // Tests may themselves run under systemd; the child must see only the variables each test sets.
  const inherited = { ...process.env };
  for (const key of ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"]) delete inherited[key];
  const proc = spawn(process.execPath, ["--import", "tsx", CHILD], {
    env: { ...inherited, ...env },
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  createInterface({ input: proc.stdout }).on("line", (line) => {
    lines.push(line);
    for (const wake of waiters) wake();
  });
  const exited = new Promise<number | null>((resolve) => proc.once("exit", resolve));
  return {
    proc,
    lines,
    exited,
    send: (line) => proc.stdin.write(`${line}\n`),
    waitLine: (match, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const test = typeof match === "string" ? (l: string) => l.startsWith(match) : match;
        const check = (): void => {
          const found = lines.find(test);
          if (found === undefined) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`child never printed "${String(match)}"; printed ${JSON.stringify(lines)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
  };
}

let dir: string;
let receiver: NotifyReceiver | undefined;
let child: Child | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "systemd-notify-"));
});

afterEach(() => {
  child?.proc.kill("SIGKILL");
  receiver?.stop();
  child = undefined;
  receiver = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe("SdNotifier against a real AF_UNIX datagram socket", () => {
  it("sends READY, then regular WATCHDOG pings from the main pid, and withholds them when blocked, sluggish or unhealthy", async () => {
    const socket = join(dir, "notify.sock");
    receiver = await NotifyReceiver.start(socket);
    const r = receiver;
    // 400 ms watchdog: pings every 200 ms, a tick is skipped when the loop lagged more than 100 ms.
    child = startChild({ NOTIFY_SOCKET: socket, WATCHDOG_USEC: "400000" });
    const c = child;
    const ready = await c.waitLine("ready ");
    const pid = Number(ready.split(" ")[1]);
    // The variables are removed after reading, so helpers the agent spawns cannot notify for it.
    expect(ready).toContain("env=unset");

    await r.waitFor((d) => countWatchdog(d) >= 3, "three watchdog pings");
    expect(r.datagrams[0]?.msg).toBe("READY=1\nSTATUS=started");
    // SCM_CREDENTIALS carry the child's own pid: NotifyAccess=main accepts these.
    expect(r.datagrams.every((d) => d.pid === pid)).toBe(true);

    // Sluggish loop: timers still fire between 300 ms chunks of synchronous work, but no ping may go out.
    c.send("sluggish 5");
    await r.waitFor((d) => indexOfMessage(d, "STATUS=sluggish-end") >= 0, "end of the sluggish phase");
    const slowFrom = indexOfMessage(r.datagrams, "STATUS=sluggish-start");
    const slowTo = indexOfMessage(r.datagrams, "STATUS=sluggish-end");
    expect(countWatchdog(r.datagrams, slowFrom, slowTo)).toBe(0);
    const skipsDuringSluggish = Number(/skips=(\d+)/.exec(r.datagrams[slowTo]!.msg)?.[1]);
    expect(skipsDuringSluggish).toBeGreaterThan(0); // ticks did run and were withheld
    await r.waitFor((d) => countWatchdog(d, slowTo) >= 2, "pings resuming after the sluggish phase");

    // Fully blocked main loop: nothing at all until it returns, then pings resume.
    c.send("block 1500");
    await r.waitFor((d) => indexOfMessage(d, "STATUS=block-end") >= 0, "end of the block");
    const blockFrom = indexOfMessage(r.datagrams, "STATUS=block-start");
    const blockTo = indexOfMessage(r.datagrams, "STATUS=block-end");
    expect(blockTo).toBe(blockFrom + 1);
    // The tick that came due during the block was withheld, not sent late: the watchdog noticed the stall.
    // The child numbers its skips; one after the block began must report the 1.5 s stall.
    const skipsBeforeBlock = Number(/skips=(\d+)/.exec(r.datagrams[blockFrom]!.msg)?.[1]);
    await c.waitLine((l) => {
      const m = /^skip (\d+) event loop lagged (\d+) ms/.exec(l);
      return m !== null && Number(m[1]) > skipsBeforeBlock && Number(m[2]) >= 1000;
    });
    await r.waitFor((d) => countWatchdog(d, blockTo) >= 2, "pings resuming after the block");

    // The agent reports itself unhealthy (e.g. the outbox writer is stuck): ticks are withheld.
    c.send("unhealthy");
    await r.waitFor((d) => indexOfMessage(d, "STATUS=unhealthy") >= 0, "unhealthy marker");
    const skipsBefore = Number(
      /skips=(\d+)/.exec(r.datagrams[indexOfMessage(r.datagrams, "STATUS=unhealthy")]!.msg)?.[1],
    );
    await c.waitLine(`skip ${skipsBefore + 3} agent reports unhealthy`);
    c.send("healthy");
    await r.waitFor((d) => indexOfMessage(d, "STATUS=healthy") >= 0, "healthy marker");
    const sickFrom = indexOfMessage(r.datagrams, "STATUS=unhealthy");
    const sickTo = indexOfMessage(r.datagrams, "STATUS=healthy");
    expect(countWatchdog(r.datagrams, sickFrom, sickTo)).toBe(0);
    await r.waitFor((d) => countWatchdog(d, sickTo) >= 1, "pings resuming once healthy");

    c.send("stop");
    await r.waitFor((d) => indexOfMessage(d, "STOPPING=1") >= 0, "STOPPING");
    expect(await c.exited).toBe(0);
    // Nothing follows STOPPING=1, and the process exits by itself: no handle kept the loop alive.
    expect(r.datagrams.at(-1)?.msg).toBe("STOPPING=1\nSTATUS=bye");
    expect(c.lines.filter((l) => l.startsWith("error"))).toEqual([]);
  });

  it("reaches an abstract-namespace socket (@name)", async () => {
    const name = `@station-agent-test-${process.pid}-${Date.now()}`;
    receiver = await NotifyReceiver.start(name);
    const r = receiver;
    child = startChild({ NOTIFY_SOCKET: name, WATCHDOG_USEC: "400000" });
    await child.waitLine("ready ");
    await r.waitFor((d) => countWatchdog(d) >= 2, "watchdog pings on the abstract socket");
    expect(r.datagrams[0]?.msg).toBe("READY=1\nSTATUS=started");
    child.send("stop");
    await r.waitFor((d) => indexOfMessage(d, "STOPPING=1") >= 0, "STOPPING");
    expect(await child.exited).toBe(0);
  });

  it("does nothing and exits cleanly when NOTIFY_SOCKET is absent", async () => {
    child = startChild({ WATCHDOG_USEC: "400000" });
    const c = child;
    await c.waitLine("ready ");
    c.send("block 300");
    c.send("stop");
    expect(await c.exited).toBe(0);
    expect(c.lines.filter((l) => l.startsWith("error") || l.startsWith("skip"))).toEqual([]);
  });

  it("reports a missing or dead socket through onError and carries on", async () => {
    const errors: string[] = [];
    const missing = new SdNotifier({
      socket: join(dir, "missing.sock"),
      onError: (e) => errors.push(e.message),
    });
    expect(await missing.ready()).toBe(false);
    // A socket file whose reader has gone: what the agent sees while systemd re-executes.
    const socket = join(dir, "dead.sock");
    receiver = await NotifyReceiver.start(socket);
    receiver.stop();
    await receiver.exited;
    const dead = new SdNotifier({ socket, onError: (e) => errors.push(e.message) });
    expect(await dead.watchdog()).toBe(false);
    expect(errors).toEqual([
      `sd_notify to ${join(dir, "missing.sock")}: ENOENT`,
      `sd_notify to ${socket}: ECONNREFUSED`,
    ]);
  });
});
