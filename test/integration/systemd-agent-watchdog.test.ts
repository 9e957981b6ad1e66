/**
 * The real agent (`agent/cli.ts run`) under a stand-in for systemd's notification socket: READY after
 * start, WATCHDOG pings from the agent's own pid, none while the process is frozen (SIGSTOP), the overdue
 * tick withheld after SIGCONT, pings again, and STOPPING on SIGTERM.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { UnixDgramTransport } from "../../agent/sd-notify.js";
import { AgentProcess, tempDir, writeConfig } from "../helpers/agent-process.js";
import { PrivateMosquitto } from "../helpers/mosquitto.js";
import { NotifyReceiver, countWatchdog, indexOfMessage, type Datagram } from "./helpers/notify-receiver.js";

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
});
