// @needs mosquitto systemd python3-seccomp iputils-ping
/**
 * The real agent (`agent/cli.ts run`) under a stand-in for systemd's notification socket: READY after
 * start, WATCHDOG pings from the agent's own pid, none while the process is frozen (SIGSTOP), the overdue
 * tick withheld after SIGCONT, pings again, and STOPPING on SIGTERM.
 */
import { spawn } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { UnixDgramTransport } from "../../agent/sd-notify.js";
import { AgentProcess, tempDir, writeConfig } from "../support/agent-process.js";
import { Collector } from "../support/collector.js";
import { PrivateMosquitto } from "../support/mosquitto.js";
import { builtTree } from "../support/built-tree.js";
import { run } from "../support/run.js";
import { sandboxPrefix, SANDBOX_UID, seccompAvailable } from "../support/sandbox.js";
import { NotifyReceiver, countWatchdog, indexOfMessage, type Datagram } from "../support/notify-receiver.js";

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe("station-agent run under NOTIFY_SOCKET and WATCHDOG_USEC", () => {
  it("sends READY then regular WATCHDOG pings, none while its main loop is stopped, and STOPPING on SIGTERM", async () => {
    const broker = await PrivateMosquitto.start();
    cleanups.push(() => broker.stop());
    const dir = tempDir("systemd-agent-");
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const socket = join(dir, "notify.sock");
    const receiver = await NotifyReceiver.start(socket);
    cleanups.push(() => receiver.stop());

    const config = writeConfig(dir, {
      station: { id: "PS-WATCHDOG", district: "Test" },
      mqtt: { url: broker.url, topicRoot: "cctns/test", keepalive: 5 },
      storage: { dir: join(dir, "state") },
      api: { enabled: false },
      clock: { assumeSynced: true },
      log: { level: "info" },
    });
    // 1 s watchdog: a ping every 500 ms.
    const agent = new AgentProcess(config, { NOTIFY_SOCKET: socket, WATCHDOG_USEC: "1000000" });
    cleanups.push(() => agent.kill());
    const pid = agent.start().pid!;
    const fromAgent = (d: Datagram[]): Datagram[] => d.filter((x) => x.pid === pid);

    await receiver.waitFor(
      (d) => countWatchdog(fromAgent(d)) >= 3,
      "READY and three pings from the agent",
      30_000,
    );
    const first = fromAgent(receiver.datagrams)[0]!;
    expect(first.msg).toBe("READY=1\nSTATUS=station PS-WATCHDOG");
    expect(receiver.datagrams.every((d) => d.pid === pid)).toBe(true);

    // Freeze the whole process: its loop runs nothing. Markers from the test mark the interval in the
    // receiver's own order of arrival.
    const marker = new UnixDgramTransport();
    process.kill(pid, "SIGSTOP");
    await marker.send(socket, "X-TEST=stopped");
    await receiver.waitFor((d) => indexOfMessage(d, "X-TEST=stopped") >= 0, "stop marker");
    // Two full watchdog periods pass while the agent is stopped.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await marker.send(socket, "X-TEST=continued");
    await receiver.waitFor((d) => indexOfMessage(d, "X-TEST=continued") >= 0, "continue marker");
    process.kill(pid, "SIGCONT");
    const from = indexOfMessage(receiver.datagrams, "X-TEST=stopped");
    const to = indexOfMessage(receiver.datagrams, "X-TEST=continued");
    expect(countWatchdog(receiver.datagrams, from, to)).toBe(0);

    // After SIGCONT the overdue tick sees a 2 s stall and is withheld; pings then resume.
    await receiver.waitFor((d) => countWatchdog(d, to) >= 2, "pings after SIGCONT", 30_000);
    expect(agent.output).toContain("watchdog ping withheld");
    expect(agent.output).toContain("watchdog pings resumed");

    expect(await agent.kill("SIGTERM")).toBe(0);
    await receiver.waitFor((d) => indexOfMessage(d, "STOPPING=1") >= 0, "STOPPING");
    const afterStop = receiver.datagrams.slice(indexOfMessage(receiver.datagrams, "STOPPING=1"));
    expect(countWatchdog(afterStop)).toBe(0);
  });

  it("runs from the built tree inside the unit's sandbox: other uid, no_new_privs, CAP_NET_RAW-only bounding set, @system-service", async (ctx) => {
    if (!(await seccompAvailable())) return ctx.skip(); // needs Debian's python3-seccomp
    const tree = await builtTree();
    const broker = await PrivateMosquitto.start();
    cleanups.push(() => broker.stop());
    const dir = tempDir("systemd-sandbox-");
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    chmodSync(dir, 0o755);
    const state = join(dir, "state");
    mkdirSync(state);
    chownSync(state, Number(SANDBOX_UID), Number(SANDBOX_UID));
    const socket = join(dir, "notify.sock");
    const receiver = await NotifyReceiver.start(socket);
    cleanups.push(() => receiver.stop());
    chmodSync(socket, 0o666);
    const col = await Collector.connect(broker.url, "cctns/test/PS-SANDBOX/#");
    cleanups.push(() => col.end());

    const config = writeConfig(dir, {
      station: { id: "PS-SANDBOX", district: "Test" },
      mqtt: { url: broker.url, topicRoot: "cctns/test", keepalive: 5 },
      storage: { dir: state },
      api: { enabled: true },
      clock: { assumeSynced: true },
      log: { level: "info" },
    });
    const prefix = await sandboxPrefix(dir);
    // The emulation bites: ptrace (@debug, outside @system-service) fails with EPERM inside, works outside.
    const traceme = [
      "/usr/bin/python3",
      "-c",
      "import ctypes, os; r = ctypes.CDLL(None, use_errno=True).ptrace(0, 0, 0, 0); print(r, os.strerror(ctypes.get_errno()) if r else '')",
    ];
    expect((await run(traceme[0]!, traceme.slice(1))).stdout.trim()).toBe("0");
    expect((await run(prefix[0]!, [...prefix.slice(1), ...traceme])).stdout.trim()).toBe(
      "-1 Operation not permitted",
    );
    const argv = [
      ...prefix,
      process.execPath,
      join(tree, "dist/station-agent/cli.js"),
      "run",
      "--config",
      config,
    ];
    const agent = spawn(argv[0]!, argv.slice(1), {
      env: { ...process.env, NOTIFY_SOCKET: socket, WATCHDOG_USEC: "1000000" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    agent.stdout.on("data", (d: Buffer) => (output += d.toString()));
    agent.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => agent.once("exit", (code) => resolve(code)));
    cleanups.push(() => void agent.kill("SIGKILL"));

    // setpriv and python exec in place, so the agent is still the main pid systemd would see.
    await receiver.waitFor(
      (d) => countWatchdog(d.filter((x) => x.pid === agent.pid)) >= 3,
      "READY and pings",
      60_000,
    );
    expect(receiver.datagrams[0]?.msg).toBe("READY=1\nSTATUS=station PS-SANDBOX");
    await col.waitFor(
      (m) => m.some((x) => x.topic.endsWith("/state") && x.payload.online === true),
      30_000,
      "birth",
    );

    agent.kill("SIGTERM");
    expect(await exited).toBe(0);
    await receiver.waitFor((d) => indexOfMessage(d, "STOPPING=1") >= 0, "STOPPING");
    // Nothing the filter refused was merely logged and ignored.
    expect(output).not.toMatch(/EPERM|Operation not permitted|SIGSYS/);
  });
});
