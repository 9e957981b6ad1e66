import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SdNotifier, type LoopLagProbe, type NotifyTransport } from "../../agent/sd-notify.js";

class RecordingTransport implements NotifyTransport {
  readonly sent: { socket: string; message: string }[] = [];
  fail: Error | undefined;
  send(socket: string, message: string): Promise<void> {
    if (this.fail) return Promise.reject(this.fail);
    this.sent.push({ socket, message });
    return Promise.resolve();
  }
  messages(): string[] {
    return this.sent.map((s) => s.message);
  }
}

/** The lag the watchdog will read at its next tick, set by the test. */
class ScriptedProbe implements LoopLagProbe {
  lag = 0;
  stopped = false;
  maxLagMs(): number {
    return this.lag;
  }
  reset(): void {}
  stop(): void {
    this.stopped = true;
  }
}

describe("SdNotifier.fromEnv", () => {
  it("is a silent no-op without NOTIFY_SOCKET", async () => {
    const transport = new RecordingTransport();
    const n = SdNotifier.fromEnv({ WATCHDOG_USEC: "1000000" }, { transport });
    expect(n.enabled).toBe(false);
    expect(n.watchdogIntervalMs).toBeUndefined();
    expect(await n.ready()).toBe(false);
    expect(await n.watchdog()).toBe(false);
    expect(n.startWatchdog(() => true)).toBe(false);
    expect(transport.sent).toEqual([]);
  });

  it("takes the watchdog period from WATCHDOG_USEC and pings at half of it", () => {
    const n = SdNotifier.fromEnv({ NOTIFY_SOCKET: "/run/systemd/notify", WATCHDOG_USEC: "30000000" });
    expect(n.enabled).toBe(true);
    expect(n.watchdogIntervalMs).toBe(15_000);
  });

  it("leaves the watchdog to another process when WATCHDOG_PID is not ours", () => {
    const env = { NOTIFY_SOCKET: "/run/systemd/notify", WATCHDOG_USEC: "30000000", WATCHDOG_PID: "1" };
    expect(SdNotifier.fromEnv(env, { pid: 4242 }).watchdogIntervalMs).toBeUndefined();
    const mine = { NOTIFY_SOCKET: "/run/systemd/notify", WATCHDOG_USEC: "30000000", WATCHDOG_PID: "4242" };
    expect(SdNotifier.fromEnv(mine, { pid: 4242 }).watchdogIntervalMs).toBe(15_000);
  });

  it("ignores malformed values instead of failing", () => {
    for (const socket of ["", "relative/path", "x", "/" + "a".repeat(200)]) {
      expect(SdNotifier.fromEnv({ NOTIFY_SOCKET: socket }).enabled).toBe(false);
    }
    for (const usec of ["", "0", "-5", "abc", "1e400"]) {
      const n = SdNotifier.fromEnv({ NOTIFY_SOCKET: "/run/systemd/notify", WATCHDOG_USEC: usec });
      expect(n.watchdogIntervalMs).toBeUndefined();
    }
  });

  it("removes the variables so spawned helpers cannot notify for the agent, unless asked not to", () => {
    const env: NodeJS.ProcessEnv = {
      NOTIFY_SOCKET: "@x",
      WATCHDOG_USEC: "1000000",
      WATCHDOG_PID: "1",
      KEEP: "1",
    };
    SdNotifier.fromEnv(env);
    expect(env).toEqual({ KEEP: "1" });
    const kept: NodeJS.ProcessEnv = { NOTIFY_SOCKET: "@x" };
    SdNotifier.fromEnv(kept, { unsetEnvironment: false });
    expect(kept).toEqual({ NOTIFY_SOCKET: "@x" });
  });
});

describe("SdNotifier messages", () => {
  it("formats READY, STATUS and STOPPING, keeping status text on one line", async () => {
    const transport = new RecordingTransport();
    const n = new SdNotifier({ socket: "/run/test.sock", transport });
    await n.ready();
    await n.ready("MQTT connected\nto noc");
    await n.status("outbox 12 queued");
    await n.stopping("SIGTERM");
    expect(transport.messages()).toEqual([
      "READY=1",
      "READY=1\nSTATUS=MQTT connected to noc",
      "STATUS=outbox 12 queued",
      "STOPPING=1\nSTATUS=SIGTERM",
    ]);
    expect(transport.sent.every((s) => s.socket === "/run/test.sock")).toBe(true);
  });

  it("reports a failed send through onError and resolves false instead of throwing", async () => {
    const transport = new RecordingTransport();
    transport.fail = new Error("ECONNREFUSED");
    const errors: Error[] = [];
    const n = new SdNotifier({ socket: "/run/test.sock", transport, onError: (e) => errors.push(e) });
    expect(await n.ready()).toBe(false);
    expect(errors.map((e) => e.message)).toEqual(["ECONNREFUSED"]);
  });

  it("sends abstract-namespace sockets through the abstract transport", async () => {
    const transport = new RecordingTransport();
    const abstractTransport = new RecordingTransport();
    const n = new SdNotifier({ socket: "@station", transport, abstractTransport });
    await n.ready();
    expect(transport.sent).toEqual([]);
    expect(abstractTransport.sent).toEqual([{ socket: "@station", message: "READY=1" }]);
  });
});

describe("SdNotifier watchdog", () => {
  let transport: RecordingTransport;
  let probe: ScriptedProbe;
  let skips: string[];
  let resumed: number;
  let healthy: boolean;
  let n: SdNotifier;

  beforeEach(() => {
    vi.useFakeTimers();
    transport = new RecordingTransport();
    probe = new ScriptedProbe();
    skips = [];
    resumed = 0;
    healthy = true;
    // 2 s watchdog: ping every 1000 ms, skip above 500 ms of lag, recheck 125 ms after a skip.
    n = new SdNotifier({
      socket: "/run/test.sock",
      watchdogUsec: 2_000_000,
      transport,
      lagProbe: () => probe,
      onSkip: (reason) => skips.push(reason),
      onResume: () => (resumed += 1),
    });
    expect(n.startWatchdog(() => healthy)).toBe(true);
  });

  afterEach(() => {
    n.close();
    vi.useRealTimers();
  });

  const pings = (): number => transport.messages().filter((m) => m === "WATCHDOG=1").length;

  it("pings once per half period while healthy and responsive", async () => {
    await vi.advanceTimersByTimeAsync(999);
    expect(pings()).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(pings()).toBe(1);
    await vi.advanceTimersByTimeAsync(3000);
    expect(pings()).toBe(4);
    expect(n.startWatchdog(() => true)).toBe(false); // already running
  });

  it("withholds pings while the agent is unhealthy and resumes at the next recheck", async () => {
    healthy = false;
    await vi.advanceTimersByTimeAsync(1000 + 125 * 7);
    expect(pings()).toBe(0);
    expect(skips).toHaveLength(8);
    expect(skips[0]).toBe("agent reports unhealthy");
    expect(resumed).toBe(0);
    healthy = true;
    await vi.advanceTimersByTimeAsync(125);
    expect(pings()).toBe(1);
    expect(resumed).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(resumed).toBe(1); // once per streak
  });

  it("withholds pings while the loop lags, so a sluggish daemon is restarted", async () => {
    probe.lag = 800;
    await vi.advanceTimersByTimeAsync(5000);
    expect(pings()).toBe(0);
    expect(skips[0]).toBe("event loop lagged 800 ms");
    probe.lag = 20;
    await vi.advanceTimersByTimeAsync(125);
    expect(pings()).toBe(1);
  });

  it("treats a throwing health check as unhealthy", async () => {
    const t2 = new RecordingTransport();
    const n2 = new SdNotifier({
      socket: "/run/test.sock",
      watchdogUsec: 2_000_000,
      transport: t2,
      lagProbe: () => probe,
    });
    n2.startWatchdog(() => {
      throw new Error("boom");
    });
    await vi.advanceTimersByTimeAsync(3000);
    expect(t2.sent).toEqual([]);
    n2.close();
  });

  it("sends nothing after STOPPING=1 and releases the probe", async () => {
    await vi.advanceTimersByTimeAsync(1000);
    await n.stopping();
    await vi.advanceTimersByTimeAsync(5000);
    expect(transport.messages()).toEqual(["WATCHDOG=1", "STOPPING=1"]);
    expect(probe.stopped).toBe(true);
    expect(n.startWatchdog(() => true)).toBe(false);
  });
});
