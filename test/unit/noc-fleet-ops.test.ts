import { describe, expect, it } from "vitest";
import type { CommandReply } from "../../contract/index.js";
import { ConfigPush, type PushStation } from "../../noc/fleet-ops/config-push.js";
import { RolloutEngine, type RolloutStation } from "../../noc/fleet-ops/rollout-engine.js";

const quiet = { warn: () => undefined, info: () => undefined };
const ok = (id: string): CommandReply => ({ id, ok: true, time: new Date(0).toISOString() });
const flush = () => new Promise((r) => setTimeout(r, 0));

describe("config fragments pushed from the NOC", () => {
  function setup() {
    const stations: PushStation[] = [
      { id: "A1", district: "Ambala", online: true, fragmentVersion: null },
      { id: "A2", district: "Ambala", online: false, fragmentVersion: null },
      { id: "H1", district: "Hisar", online: true, fragmentVersion: null },
    ];
    const sent: [string, string][] = [];
    let saved = "";
    let now = 1000;
    const push = new ConfigPush({
      stations: () => stations,
      send: async (st, args) => (sent.push([st, args.version]), ok(st)),
      load: async () => saved,
      save: async (j) => void (saved = j),
      now: () => now,
      log: quiet,
    });
    return { stations, sent, push, at: (t: number) => (now = t), saved: () => saved };
  }

  it("sends each online station its most specific release, and the dark one when it is back", async () => {
    const s = setup();
    await s.push.release({
      version: "all-1",
      scope: { kind: "all" },
      settings: { metrics: { intervalMs: 60000 } },
      by: "admin",
    });
    await s.push.release({
      version: "amb-1",
      scope: { kind: "district", district: "Ambala" },
      settings: { mqtt: { keepalive: 30 } },
      by: "admin",
    });
    expect(await s.push.tick()).toBe(2);
    await flush();
    expect(s.sent.sort()).toEqual([
      ["A1", "amb-1"],
      ["H1", "all-1"],
    ]);
    s.stations[1]!.online = true;
    await s.push.tick();
    await flush();
    expect(s.sent).toContainEqual(["A2", "amb-1"]);
  });

  it("does not resend a staged fragment before the retry time, nor one a station rolled back", async () => {
    const s = setup();
    await s.push.release({
      version: "v1",
      scope: { kind: "all" },
      settings: { log: { level: "debug" } },
      by: "a",
    });
    await s.push.tick();
    await flush();
    expect(await s.push.tick()).toBe(0);
    s.push.onEvent("H1", "config.rolled-back", { version: "v1", reason: "no MQTT session within 120 s" });
    s.at(10_000_000);
    await s.push.tick();
    await flush();
    expect(s.sent.filter(([st]) => st === "H1")).toHaveLength(1);
    expect(s.sent.filter(([st]) => st === "A1")).toHaveLength(2);
    const view = s.push.overview(s.stations);
    expect(view.deliveries.H1).toMatchObject({
      state: "rolled-back",
      detail: "no MQTT session within 120 s",
    });
  });

  it("keeps its releases across a NOC restart and refuses pinned keys and duplicate versions", async () => {
    const s = setup();
    await s.push.release({
      version: "v1",
      scope: { kind: "station", station: "H1" },
      settings: { log: { level: "warn" } },
      by: "a",
    });
    await expect(
      s.push.release({ version: "v1", scope: { kind: "all" }, settings: {}, by: "a" }),
    ).rejects.toThrow(/exists/);
    await expect(
      s.push.release({ version: "v2", scope: { kind: "all" }, settings: { station: { id: "X" } }, by: "a" }),
    ).rejects.toThrow(/station\.id/);
    const again = new ConfigPush({
      stations: () => s.stations,
      send: async (st) => ok(st),
      load: async () => s.saved(),
      save: async () => undefined,
      now: () => 0,
      log: quiet,
    });
    await again.load();
    expect(again.desiredFor("H1", "Hisar")?.version).toBe("v1");
    expect(again.desiredFor("A1", "Ambala")).toBeUndefined();
  });
});

describe("the rollout engine", () => {
  it("sends updates ring by ring, halts on a station's rollback event and survives a restart", async () => {
    const stations: RolloutStation[] = ["P1", "P2", "S1", "S2", "S3"].map((id) => ({
      id,
      district: "D",
      online: true,
      version: "0.1.0",
    }));
    const sent: string[] = [];
    let saved = "";
    let now = 0;
    const deps = {
      stations: () => stations,
      sendUpdate: async (st: string) => (sent.push(st), ok(st)),
      load: async () => saved,
      save: async (j: string) => void (saved = j),
      now: () => now,
      log: quiet,
    };
    const engine = new RolloutEngine(deps);
    await engine.start({
      version: "0.2.0",
      rings: [
        { name: "pilot", stations: ["P1", "P2"] },
        { name: "all", all: true },
      ],
      soakMin: 10,
      maxFailurePct: 0,
      deadlineS: 180,
      by: "admin",
    });
    await expect(
      engine.start({
        version: "0.3.0",
        rings: [{ name: "all", all: true }],
        soakMin: 1,
        maxFailurePct: 0,
        deadlineS: 180,
        by: "a",
      }),
    ).rejects.toThrow(/running/);
    await engine.tick();
    await flush();
    expect(sent).toEqual(["P1", "P2"]);
    for (const s of stations.slice(0, 2)) s.version = "0.2.0";
    for (now = 60_000; now <= 12 * 60_000; now += 60_000) await engine.tick();
    await flush();
    expect(sent.sort()).toEqual(["P1", "P2", "S1", "S2", "S3"]);
    const restarted = new RolloutEngine(deps);
    await restarted.load();
    restarted.onEvent("S2", "update.rolled-back", { to: "0.2.0", reason: "not healthy" });
    await restarted.tick();
    expect(restarted.list()[0]).toMatchObject({
      status: "halted",
      haltReason: expect.stringMatching(/S2 rolled back/),
    });
  });
});
