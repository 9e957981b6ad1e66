import { describe, expect, it } from "vitest";
import { Ledger } from "../../agent/ledger.js";
import { tempDir } from "../support/agent-process.js";

const T0 = Date.parse("2026-11-01T00:00:00Z");

function ledgerAt(dir: string, clock: { t: number }) {
  return new Ledger(dir, () => clock.t);
}

describe("uptime ledger outage attribution", () => {
  it("classifies a new boot as power, from the last heartbeat to the boot time, with the last power state as evidence", () => {
    const dir = tempDir();
    const clock = { t: T0 };
    let l = ledgerAt(dir, clock);
    expect(l.recordStart({ bootId: "boot-A", bootMs: T0 - 60_000 })).toEqual([]);
    l.connected();
    clock.t = T0 + 600_000;
    l.heartbeat(42, { source: "battery", batteryPct: 3 });
    l.close(); // the process vanished with the machine: no recordStop
    clock.t = T0 + 3_600_000 + 60_000;
    l = ledgerAt(dir, clock);
    const outages = l.recordStart({ bootId: "boot-B", bootMs: T0 + 3_600_000 });
    expect(outages).toHaveLength(1);
    expect(outages[0]).toMatchObject({ cause: "power", start: new Date(T0 + 600_000).toISOString() });
    // Boot-to-agent within the grace period belongs to the power outage.
    expect(outages[0]!.end).toBe(new Date(T0 + 3_660_000).toISOString());
    expect(outages[0]!.evidence).toMatchObject({
      previousBootId: "boot-A",
      bootId: "boot-B",
      powerAtLastHeartbeat: { source: "battery" },
    });
    expect(l.seqHighWater()).toBe(42);
  });

  it("classifies the same boot with a gap as agent, clean stop or crash", () => {
    const dir = tempDir();
    const clock = { t: T0 };
    let l = ledgerAt(dir, clock);
    l.recordStart({ bootId: "b", bootMs: T0 - 1000 });
    clock.t += 10_000;
    l.recordStop("shutdown");
    l.close();
    clock.t += 120_000;
    l = ledgerAt(dir, clock);
    const [o] = l.recordStart({ bootId: "b", bootMs: T0 - 1000 });
    expect(o).toMatchObject({ cause: "agent", durationS: 120 });
    expect(o!.evidence).toMatchObject({ cleanStop: true, stopCause: "shutdown" });
    clock.t += 30_000;
    l.heartbeat(1);
    l.close();
    clock.t += 45_000;
    l = ledgerAt(dir, clock);
    const outages = l.recordStart({ bootId: "b", bootMs: T0 - 1000 });
    // That run never reached the broker: its 30 s alive were a network outage, then the crash gap.
    expect(outages.find((x) => x.cause === "network")).toMatchObject({ durationS: 30 });
    const crash = outages.find((x) => x.cause === "agent");
    expect(crash).toMatchObject({ cause: "agent", durationS: 45 });
    expect(crash!.evidence).toMatchObject({ cleanStop: false, reason: "agent died (no clean stop)" });
  });

  it("records a broker outage while running as network, with the link monitor's evidence", () => {
    const dir = tempDir();
    const clock = { t: T0 };
    const l = ledgerAt(dir, clock);
    l.recordStart({ bootId: "b", bootMs: T0 - 1000 });
    clock.t += 1000;
    expect(l.connected()).toEqual([]); // 1 s to connect is a blip, not an outage
    clock.t += 60_000;
    l.disconnected();
    clock.t += 300_000;
    const [o] = l.connected((s, e) => ({
      link: "swan",
      reason: "no-carrier",
      details: { windowS: (e - s) / 1000 },
    }));
    expect(o).toMatchObject({
      cause: "network",
      link: "swan",
      durationS: 300,
      evidence: { reason: "no-carrier", windowS: 300 },
    });
  });

  it("computes availability over the covered part of a window", () => {
    const dir = tempDir();
    const clock = { t: T0 };
    const l = ledgerAt(dir, clock);
    l.recordStart({ bootId: "b", bootMs: T0 - 1000 });
    l.connected();
    clock.t += 3_600_000;
    l.disconnected();
    clock.t += 3_600_000; // one hour dark on the network
    l.connected();
    clock.t += 1_800_000;
    l.onBattery(true);
    clock.t += 1_800_000;
    l.onBattery(false);
    const a = l.availability(clock.t - 86_400_000, clock.t);
    expect(a.coveredS).toBe(3 * 3600);
    expect(a.poweredPct).toBe(100);
    expect(a.agentPct).toBe(100);
    expect(a.nocPct).toBeCloseTo(66.67, 1);
    expect(a.outageS.network).toBe(3600);
    expect(a.onBatteryS).toBe(1800);
  });
});
