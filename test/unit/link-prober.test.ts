// LinkProber against a scripted system: a manual wall clock that can jump, timers on a separate
// monotonic time (as Node's are), and ICMP replies the test hands in. The namespace lab
// (test/integration/links-lab.test.ts) covers the same class with real interfaces and fping.
import { describe, expect, it } from "vitest";
import { LinkConfig } from "../../config/links.js";
import type { Transition } from "../../agent/links/health.js";
import type { IcmpStreamOptions } from "../../agent/links/icmp-stream.js";
import { LinkProber } from "../../agent/links/link-prober.js";
import type { IcmpProbe, LinkSystem, TimerHandle } from "../../agent/links/link-system.js";
import type { InterfaceSnapshot } from "../../agent/links/types.js";

const T0 = Date.parse("2026-03-10T09:00:00Z");

class ScriptedSystem implements LinkSystem {
  /** Monotonic time (what timers run on) and the wall clock's offset from it (what NTP moves). */
  mono = 0;
  wallOffset = T0;
  timersScheduled = 0;
  private timers: { at: number; fn: () => void; handle: TimerHandle }[] = [];
  iface: InterfaceSnapshot = {
    exists: true,
    operstate: "up",
    carrier: true,
    addresses: ["192.0.2.10/24"],
    rxBytes: 0,
    txBytes: 0,
    rxErrors: 0,
    txErrors: 0,
  };
  icmpStreams: IcmpStreamOptions[] = [];

  readonly clock = { now: () => this.mono + this.wallOffset };

  readInterface = async () => ({ ...this.iface });
  readCarrier = async () => this.iface.carrier;
  resolveTarget = async () => ({ address: "192.0.2.1" });
  icmp(options: IcmpStreamOptions): IcmpProbe {
    this.icmpStreams.push(options);
    return { start: () => undefined, stop: async () => undefined };
  }
  sockets() {
    return { run: async () => ({ fault: "no socket probes in this test" }), clearRoutes: () => undefined };
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const handle = { timer: Symbol("timer") };
    this.timersScheduled++;
    this.timers.push({ at: this.mono + ms, fn, handle });
    return handle;
  }
  clearTimeout(handle: TimerHandle | undefined): void {
    this.timers = this.timers.filter((t) => t.handle !== handle);
  }

  /** Let `ms` of monotonic time pass, firing timers in order, and letting promises settle between. */
  async advance(ms: number): Promise<void> {
    const end = this.mono + ms;
    for (;;) {
      await settle();
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.mono = Math.max(this.mono, due.at);
      due.fn();
    }
    this.mono = end;
    await settle();
  }

  /** The wall clock jumps (NTP's first sync); monotonic time and the timers do not move. */
  jumpWallClock(ms: number): void {
    this.wallOffset += ms;
  }

  /** The ICMP stream reports an echo sent at `sentAt` (wall clock) as answered or lost. */
  outcome(sentAt: number, ok: boolean): void {
    this.icmpStreams.at(-1)!.onOutcome(ok ? { sentAt, ok, rttMs: 20 } : { sentAt, ok, error: "timed out" });
  }
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
};

async function started(overrides: Partial<Record<string, unknown>> = {}) {
  const sys = new ScriptedSystem();
  const transitions: Transition[] = [];
  const cfg = LinkConfig.parse({
    name: "mpls",
    interface: "eth0",
    role: "primary",
    intervalMs: 1000,
    timeoutMs: 400,
    icmpPerRound: 1,
    windowMs: 30_000,
    ...overrides,
  });
  const prober = new LinkProber(cfg, {
    clock: sys.clock,
    system: sys,
    icmp: { tool: "fping", binary: "/usr/bin/fping" },
    onTransition: (t) => transitions.push(t),
    onChange: () => undefined,
  });
  await prober.start();
  const epoch = sys.clock.now();
  /** One round: its echo is answered (20 ms later) or lost (at the timeout), then the round's time passes. */
  const round = async (ok: boolean) => {
    const sentAt = sys.clock.now();
    await sys.advance(ok ? 20 : 400);
    sys.outcome(sentAt, ok);
    await sys.advance(ok ? 980 : 600);
  };
  return { sys, prober, transitions, epoch, round, cfg };
}

describe("LinkProber rounds", () => {
  it("judges a round only when it closes, a timeout plus grace after the next round starts", async () => {
    const { sys, prober, transitions } = await started();
    sys.outcome(sys.clock.now(), true); // round 0 answered at once
    await sys.advance(1000); // round 1 starts: round 0 is not closed yet
    expect(prober.machine.state).toBe("unknown");
    await sys.advance(499);
    expect(prober.machine.state).toBe("unknown");
    await sys.advance(1); // 1000 + timeoutMs 400 + grace 100
    expect(prober.machine.state).toBe("up");
    expect(transitions.map((t) => `${t.from}>${t.to}`)).toEqual(["unknown>up"]);
  });

  it("judges each round once: a reply after its round closed does not make the link up", async () => {
    const { sys, prober, epoch } = await started();
    await sys.advance(1500); // round 0 closes unanswered
    sys.outcome(epoch, true); // its reply, too late
    await sys.advance(1000); // round 1 (unanswered) closes
    expect(prober.machine.state).toBe("unknown");
    expect(sys.clock.now()).toBe(epoch + 2500);
    sys.outcome(epoch + 3000, true); // round 3's echo answered: judged when round 3 closes
    await sys.advance(1999);
    expect(prober.machine.state).toBe("unknown");
    await sys.advance(1);
    expect(prober.machine.state).toBe("up");
  });

  it("goes down after downAfter lost rounds and up after upAfter good ones", async () => {
    const { prober, transitions, round } = await started();
    for (let i = 0; i < 3; i++) await round(true);
    expect(prober.machine.state).toBe("up");
    await round(false);
    expect(prober.machine.state).toBe("up");
    await round(false);
    expect(prober.machine.state).toBe("down");
    for (let i = 0; i < 3; i++) await round(true);
    await round(true); // the third good round closes during this one
    expect(prober.machine.state).toBe("up");
    expect(transitions.map((t) => t.to)).toEqual(["up", "down", "up"]);
  });

  it("leaves the outage out of the figures once the link is back", async () => {
    const { prober, round } = await started();
    for (let i = 0; i < 5; i++) await round(true);
    for (let i = 0; i < 6; i++) await round(false);
    expect(prober.machine.state).toBe("down");
    expect(prober.referenceFigures().lossPct).toBeGreaterThan(40);
    for (let i = 0; i < 5; i++) await round(true);
    expect(prober.machine.state).toBe("up");
    const f = prober.referenceFigures();
    // The down event carries the outage; the loss figure describes the link as it is now.
    expect(f.lossPct).toBe(0);
    expect(f.sent).toBe(f.received);
    expect(f.sent).toBeGreaterThanOrEqual(8);
  });
});

describe("LinkProber and the interface", () => {
  it("reads the carrier on the first lost probe: a pulled cable is down at once, named as such", async () => {
    const { sys, prober, transitions, round } = await started({ downAfter: 5 });
    for (let i = 0; i < 3; i++) await round(true);
    sys.iface = { ...sys.iface, carrier: false };
    await round(false); // one lost echo, far from downAfter = 5
    expect(prober.machine.state).toBe("down");
    expect(transitions.at(-1)).toMatchObject({ to: "down", reason: "no carrier" });
    expect(prober.evidence()).toMatchObject({ interface: "eth0", carrier: false });
  });
});

describe("LinkProber and the wall clock", () => {
  it("restarts its rounds from now when the clock jumps forward, instead of firing the missed ones", async () => {
    const { sys, prober, round } = await started();
    for (let i = 0; i < 3; i++) await round(true);
    const before = sys.timersScheduled;
    sys.jumpWallClock(3_600_000);
    for (let i = 0; i < 4; i++) await round(true);
    // About two timers per round (next tick, round close); an hour of missed rounds would be thousands.
    expect(sys.timersScheduled - before).toBeLessThan(12);
    expect(prober.machine.state).toBe("up");
  });

  it("keeps closing rounds when the clock jumps back, instead of waiting an hour for the next", async () => {
    const { sys, prober, transitions, round } = await started();
    for (let i = 0; i < 3; i++) await round(true);
    sys.jumpWallClock(-3_600_000);
    for (let i = 0; i < 3; i++) await round(false);
    expect(prober.machine.state).toBe("down");
    // Coming back up takes upAfter closed good rounds: only a prober whose rounds go on gets there.
    for (let i = 0; i < 5; i++) await round(true);
    expect(prober.machine.state).toBe("up");
    expect(transitions.map((t) => t.to)).toEqual(["up", "down", "up"]);
  });
});
