import { describe, expect, it } from "vitest";
import { LinkConfig } from "../../config/links.js";
import { computeFigures, SampleWindow } from "./figures.js";
import { HealthMachine, TargetTracker } from "./health.js";

const cfg = LinkConfig.parse({ name: "swan", interface: "eth0", role: "primary" });
const judged = (lossPct: number, rttMedianMs = 10) => ({ lossPct, rttMedianMs, judged: true });
const reach = { carrier: true, exists: true, reachable: true, cause: "" };

describe("TargetTracker", () => {
  it("counts losses in a row and resets on a reply", () => {
    const t = new TargetTracker();
    t.record({ sentAt: 1, ok: false, error: "timed out" });
    t.record({ sentAt: 2, ok: false, error: "timed out" });
    expect(t.run).toBe(2);
    expect(t.runStart).toBe(1);
    t.record({ sentAt: 3, ok: true, rttMs: 1 });
    expect(t.run).toBe(0);
    expect(t.lastOkAt).toBe(3);
  });

  it("needs downAfter rounds' worth of losses on a clean link", () => {
    const t = new TargetTracker();
    for (let i = 0; i < 30; i++) t.record({ sentAt: i, ok: true, rttMs: 1 });
    for (let i = 0; i < 5; i++) t.record({ sentAt: 100 + i, ok: false });
    expect(t.silent(6)).toBe(false);
    t.record({ sentAt: 106, ok: false });
    expect(t.silent(6)).toBe(true);
  });

  it("needs a longer run on a lossy link, so chance losses in a row do not look like an outage", () => {
    const t = new TargetTracker();
    // 30 % loss before the run: 3 of every 10 lost
    for (let i = 0; i < 40; i++) t.record({ sentAt: i, ok: i % 10 >= 3 });
    expect(t.need(6)).toBe(10); // ln(1e-5) / ln(0.3) = 9.6
    for (let i = 0; i < 9; i++) t.record({ sentAt: 60 + i, ok: false });
    expect(t.silent(6)).toBe(false);
    t.record({ sentAt: 70, ok: false });
    expect(t.silent(6)).toBe(true);
  });

  it("caps the longer run at five times the base", () => {
    const t = new TargetTracker();
    for (let i = 0; i < 40; i++) t.record({ sentAt: i, ok: i % 10 === 0 });
    t.record({ sentAt: 50, ok: true });
    expect(t.need(2)).toBe(10);
  });
});

describe("HealthMachine", () => {
  it("goes up on the first good round, with no event-worthy history", () => {
    const m = new HealthMachine(cfg, 0);
    expect(m.round(1000, 0, false, judged(0))).toBeUndefined();
    expect(m.round(2000, 1000, true, judged(0))).toMatchObject({ from: "unknown", to: "up" });
  });

  it("goes down at once without carrier and comes back after upAfter good rounds", () => {
    const m = new HealthMachine(cfg, 0);
    m.round(1000, 0, true, judged(0));
    const down = m.reachability(1500, { ...reach, carrier: false, firstFailAt: 1400 });
    expect(down).toMatchObject({
      from: "up",
      to: "down",
      reason: "no carrier",
      firstFailAt: 1400,
      kind: "carrier",
    });
    expect(m.reachability(1600, { ...reach, carrier: false })).toBeUndefined();
    expect(m.round(3000, 2000, true, judged(50))).toBeUndefined();
    expect(m.round(4000, 3000, false, judged(50))).toBeUndefined(); // the streak restarts
    expect(m.round(5000, 4000, true, judged(50))).toBeUndefined();
    expect(m.round(6000, 5000, true, judged(50))).toBeUndefined();
    const up = m.round(7000, 6000, true, judged(50));
    expect(up).toMatchObject({ from: "down", to: "up" });
    expect(m.recoveryStart).toBe(4000);
  });

  it("reports an outage with its cause and the first failing probe", () => {
    const m = new HealthMachine(cfg, 0);
    m.round(1000, 0, true, judged(0));
    const tr = m.reachability(5000, {
      ...reach,
      reachable: false,
      cause: "gateway unreachable",
      firstFailAt: 2100,
    });
    expect(tr).toMatchObject({
      to: "down",
      reason: "gateway unreachable",
      firstFailAt: 2100,
      kind: "outage",
    });
  });

  it("enters degraded after downAfter rounds past the enter limit and leaves only under the leave limit", () => {
    const m = new HealthMachine(cfg, 0);
    m.round(1000, 0, true, judged(0));
    expect(m.round(2000, 1000, true, judged(25))).toBeUndefined();
    expect(m.round(3000, 2000, true, judged(25))).toMatchObject({
      to: "degraded",
      reason: "loss 25 % (limit 20 %)",
    });
    // between leave (5 %) and enter (20 %): stays degraded however long
    for (let i = 0; i < 10; i++) expect(m.round(4000 + i * 1000, 0, true, judged(10))).toBeUndefined();
    expect(m.round(20_000, 0, true, judged(4))).toBeUndefined();
    expect(m.round(21_000, 0, true, judged(4))).toBeUndefined();
    expect(m.round(22_000, 0, true, judged(4))).toMatchObject({ from: "degraded", to: "up" });
  });

  it("uses median RTT as well as loss", () => {
    const m = new HealthMachine(cfg, 0);
    m.round(1000, 0, true, judged(0, 20));
    m.round(2000, 0, true, judged(0, 400));
    expect(m.round(3000, 0, true, judged(0, 400))).toMatchObject({
      to: "degraded",
      reason: "median RTT 400 ms (limit 300 ms)",
    });
  });

  it("does not judge quality before the window holds enough samples", () => {
    const m = new HealthMachine(cfg, 0);
    for (let i = 0; i < 5; i++)
      expect(
        m.round(1000 * i, 0, true, { lossPct: 60, rttMedianMs: 1, judged: false })?.to ?? "none",
      ).not.toBe("degraded");
  });

  it("a very lossy window means down, and leaving it needs the down leave limit", () => {
    const m = new HealthMachine(cfg, 0);
    m.round(1000, 0, true, judged(0));
    m.round(2000, 0, true, judged(85));
    expect(m.round(3000, 0, true, judged(85))).toMatchObject({ to: "down", kind: "loss" });
    for (let i = 0; i < 5; i++) expect(m.round(4000 + i * 1000, 0, true, judged(50))).toBeUndefined();
    m.round(10_000, 0, true, judged(30));
    m.round(11_000, 0, true, judged(30));
    expect(m.round(12_000, 0, true, judged(30))).toMatchObject({ from: "down", to: "degraded" });
  });

  it("is unknown, not down, when nothing can probe", () => {
    const m = new HealthMachine(cfg, 0);
    m.round(1000, 0, true, judged(0));
    expect(m.setUnknown(2000, "no probe can run (fping missing)")).toMatchObject({
      from: "up",
      to: "unknown",
    });
    expect(m.setUnknown(3000, "no probe can run (fping missing)")).toBeUndefined();
  });
});

describe("figures", () => {
  it("computes loss, RTT statistics and mean absolute RTT difference", () => {
    const f = computeFigures([
      { sentAt: 0, ok: true, rttMs: 10 },
      { sentAt: 1, ok: false },
      { sentAt: 2, ok: true, rttMs: 14 },
      { sentAt: 3, ok: true, rttMs: 11 },
      { sentAt: 4, ok: true, rttMs: 30 },
    ]);
    expect(f).toEqual({
      sent: 5,
      received: 4,
      lossPct: 20,
      rttMinMs: 10,
      rttMedianMs: 12.5,
      rttMeanMs: 16.25,
      rttMaxMs: 30,
      jitterMs: 8.667, // (|14-10| + |11-14| + |30-11|) / 3
    });
  });

  it("keeps samples in send order and forgets those older than the window", () => {
    const w = new SampleWindow(1000);
    w.add({ sentAt: 100, ok: true, rttMs: 1 });
    w.add({ sentAt: 300, ok: true, rttMs: 3 });
    w.add({ sentAt: 200, ok: false }); // a timeout reported after a later reply
    expect(w.recent(3).map((s) => s.sentAt)).toEqual([100, 200, 300]);
    w.add({ sentAt: 1150, ok: true, rttMs: 2 });
    expect(w.recent(10).map((s) => s.sentAt)).toEqual([200, 300, 1150]);
    w.dropBetween(250, 1000);
    expect(w.recent(10).map((s) => s.sentAt)).toEqual([200, 1150]);
    expect(w.quick()).toEqual({ sent: 2, lossPct: 50, rttMedianMs: 2 });
  });

  it("keeps loss and median in step with the full figures as samples come and go", () => {
    const w = new SampleWindow(500);
    for (let i = 0; i < 200; i++) {
      w.add({ sentAt: i * 10, ok: i % 7 !== 0, rttMs: i % 7 !== 0 ? (i * 37) % 11 : undefined });
      const full = w.figures();
      expect(w.quick()).toEqual({ sent: full.sent, lossPct: full.lossPct, rttMedianMs: full.rttMedianMs });
    }
  });

  it("starts again when the clock goes back further than the window", () => {
    const w = new SampleWindow(1000);
    w.add({ sentAt: 50_000, ok: true, rttMs: 1 });
    w.add({ sentAt: 10_000, ok: false });
    expect(w.recent(10).map((s) => s.sentAt)).toEqual([10_000]);
  });

  it("gives empty figures for an empty window", () => {
    expect(computeFigures([])).toMatchObject({
      sent: 0,
      received: 0,
      lossPct: 0,
      rttMedianMs: null,
      jitterMs: null,
    });
  });
});

describe("TargetTracker after an outage", () => {
  it("keeps the outage's run out of the loss estimate, but not ordinary losses", () => {
    const t = new TargetTracker();
    for (let i = 0; i < 30; i++) t.record({ sentAt: i, ok: i % 10 !== 0 }, 6);
    for (let i = 0; i < 12; i++) t.record({ sentAt: 100 + i, ok: false }, 6);
    t.record({ sentAt: 200, ok: true }, 6);
    // The last 20: probes 11..29 (one ordinary loss, at 20) and the reply; the outage's 12 losses are gone.
    expect(t.lossBeforeRun()).toBeCloseTo(1 / 20);
    expect(t.need(6)).toBe(6);
  });
});
