import { describe, expect, it } from "vitest";
import type { LinkState } from "../../contract/index.js";
import { LinkState as LinkStateSchema } from "../../contract/index.js";
import { describeLinks, duration, plainReason } from "./describe.js";

const now = Date.parse("2026-03-01T10:00:00Z");
const base: LinkState = {
  station: "MH-PUN-0042",
  link: "swan",
  interface: "eth0",
  role: "primary",
  state: "up",
  since: "2026-03-01T07:00:00Z",
  active: true,
  time: "2026-03-01T10:00:00Z",
  figures: {
    sent: 90,
    received: 90,
    lossPct: 0,
    rttMinMs: 10,
    rttMedianMs: 12.4,
    rttMeanMs: 13,
    rttMaxMs: 30,
    jitterMs: 1,
  },
};

describe("describeLinks", () => {
  it("says a working link is working and in use, with its figures", () => {
    expect(LinkStateSchema.safeParse(base).success).toBe(true);
    expect(describeLinks([base], now, true)).toEqual([
      "swan (eth0, primary link): working, in use since 07:00 (3 h 0 min). Loss 0 %, typical delay 12 ms.",
    ]);
  });

  it("turns causes into things a person can check", () => {
    const down: LinkState = {
      ...base,
      link: "bb",
      interface: "eth1",
      role: "backup",
      state: "down",
      active: false,
      since: "2026-03-01T09:55:00Z",
      reason: "no carrier",
    };
    expect(describeLinks([down], now, true)[0]).toBe(
      "bb (eth1, backup link): NOT WORKING since 09:55 (5 min): no signal on the cable: it is unplugged, or the router/modem is off.",
    );
    expect(plainReason("data centre unreachable while gateway answers")).toMatch(/service provider/);
    expect(plainReason("gateway unreachable")).toMatch(/router\/modem does not answer/);
    expect(plainReason("interface wwan0 does not exist")).toMatch(/wwan0 is missing/);
    expect(plainReason("loss 32 % (limit 20 %)")).toBe("many messages are lost (32 %)");
    expect(plainReason("median RTT 450 ms (limit 300 ms)")).toBe("it is slow (typical delay 450 ms)");
    expect(plainReason("something new")).toBe("something new");
  });

  it("says a degraded link works poorly, and an unknown one why it cannot be checked", () => {
    const lossy: LinkState = {
      ...base,
      state: "degraded",
      reason: "loss 31 % (limit 20 %)",
      figures: { ...base.figures!, lossPct: 31 },
    };
    expect(describeLinks([lossy], now, true)[0]).toMatch(
      /working poorly, in use since .*many messages are lost \(31 %\)\. Loss 31 %/,
    );
    const unknown: LinkState = {
      ...base,
      state: "unknown",
      reason: "no probe can run (icmp: fping is not installed)",
    };
    expect(describeLinks([unknown], now, true)[0]).toBe(
      "swan (eth0, primary link): cannot be checked: no probe can run (icmp: fping is not installed).",
    );
    expect(describeLinks([], now)).toEqual(["Network links: none configured."]);
  });

  it("formats durations", () => {
    expect(duration(42_000)).toBe("42 s");
    expect(duration(5 * 60_000)).toBe("5 min");
    expect(duration(3 * 24 * 3600_000 + 2 * 3600_000)).toBe("3 days 2 h");
  });
});
