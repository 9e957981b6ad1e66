import { describe, expect, it } from "vitest";
import {
  assignRings,
  recordOutcome,
  startRollout,
  step,
  summary,
  type RolloutSpec,
  type StationInfo,
} from "../../noc/rollouts/plan.js";

const stations: StationInfo[] = Array.from({ length: 100 }, (_, i) => ({
  id: `PS-${String(i).padStart(3, "0")}`,
  district: i < 20 ? "Ambala" : i < 50 ? "Hisar" : "Karnal",
}));

const spec = (over: Partial<RolloutSpec> = {}): RolloutSpec => ({
  id: "r1",
  version: "0.2.0",
  rings: [
    { name: "pilot", stations: ["PS-000", "PS-030", "PS-060"] },
    { name: "Ambala", district: "Ambala" },
    { name: "10 %", percent: 10 },
    { name: "all", all: true },
  ],
  soakMs: 600_000,
  maxFailurePct: 10,
  stationDeadlineMs: 900_000,
  ...over,
});

/** A fleet that follows orders: a station sent the update is on the version at the next look. */
function fleet(broken: Set<string> = new Set(), offline: Set<string> = new Set()) {
  const version = new Map(stations.map((s) => [s.id, "0.1.0"]));
  return {
    version,
    observe: (id: string) => ({ online: !offline.has(id), version: version.get(id) ?? null }),
    apply(sent: string[]) {
      for (const id of sent) if (!broken.has(id)) version.set(id, "0.2.0");
    },
  };
}

describe("rollout rings", () => {
  it("assigns pilot, district, a stable 10 % of the rest, then all", () => {
    const rings = assignRings(spec(), stations);
    const count = (r: number) => Object.values(rings).filter((x) => x === r).length;
    expect([count(0), count(1), count(2), count(3)]).toEqual([3, 19, 8, 70]);
    expect(rings["PS-000"]).toBe(0);
    expect(assignRings(spec(), [...stations].reverse())).toEqual(rings);
  });

  it("goes ring by ring, each after its soak, to done", () => {
    const f = fleet();
    const st = startRollout(spec(), stations);
    let now = 0;
    const sentPerRing: number[] = [];
    while (st.status === "running" && now < 10 * 3_600_000) {
      const sent = step(st, f.observe, now).flatMap((a) => (a.kind === "send-update" ? [a.station] : []));
      if (sent.length) sentPerRing.push(sent.length);
      f.apply(sent);
      now += 60_000;
    }
    expect(st.status).toBe("done");
    expect(sentPerRing).toEqual([3, 19, 8, 70]);
    // Four rings, each soaked 10 minutes: not before 40 minutes.
    expect(now).toBeGreaterThanOrEqual(40 * 60_000);
  });

  it("halts at once on a rollback and sends nothing more", () => {
    const f = fleet(new Set(["PS-030"]));
    const st = startRollout(spec(), stations);
    f.apply(step(st, f.observe, 0).flatMap((a) => (a.kind === "send-update" ? [a.station] : [])));
    recordOutcome(st, "PS-030", "rolled-back", "not healthy within 180s on 0.2.0");
    const actions = step(st, f.observe, 60_000);
    expect(st.status).toBe("halted");
    expect(st.haltReason).toMatch(/PS-030 rolled back/);
    expect(actions.some((a) => a.kind === "send-update")).toBe(false);
    expect(step(st, f.observe, 120_000)).toEqual([]);
  });

  it("halts when more than the allowed share of a ring misses its deadline", () => {
    const broken = new Set(
      stations
        .filter((s) => s.district === "Ambala")
        .slice(1, 4)
        .map((s) => s.id),
    );
    const f = fleet(broken);
    const st = startRollout(spec(), stations);
    let now = 0;
    while (st.status === "running" && now < 5 * 3_600_000) {
      f.apply(step(st, f.observe, now).flatMap((a) => (a.kind === "send-update" ? [a.station] : [])));
      now += 60_000;
    }
    expect(st.status).toBe("halted");
    expect(st.haltReason).toMatch(/3 of 19 stations in ring "Ambala" failed/);
    expect(summary(st).rings[2]).toMatchObject({ onTarget: 0, pending: 8 });
  });

  it("waits for an offline station instead of counting it failed, then continues when it returns", () => {
    const offline = new Set(["PS-060"]);
    const f = fleet(new Set(), offline);
    const st = startRollout(spec(), stations);
    let now = 0;
    for (; now < 3_600_000; now += 60_000)
      f.apply(step(st, f.observe, now).flatMap((a) => (a.kind === "send-update" ? [a.station] : [])));
    expect(st.ring).toBe(0);
    expect(st.status).toBe("running");
    offline.delete("PS-060");
    for (; now < 2 * 3_600_000; now += 60_000)
      f.apply(step(st, f.observe, now).flatMap((a) => (a.kind === "send-update" ? [a.station] : [])));
    expect(st.ring).toBeGreaterThan(0);
  });

  it("refuses what is not a version", () => {
    expect(() => startRollout(spec({ version: "latest; reboot" }), stations)).toThrow(
      /not a package version/,
    );
  });
});
