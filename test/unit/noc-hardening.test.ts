/**
 * Attacks from the security review (issue 14, NOC 2/5/6/8) against the NOC's own parts: each of these
 * tests fails on the code before the fix.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { NocBus } from "../../noc/bus.js";
import { StationCommands } from "../../noc/station-commands.js";
import { csvLine } from "../../noc/csv.js";
import { Fleet } from "../../noc/fleet.js";
import { MAX_DAYS_PER_TICK, Rollup } from "../../noc/rollup.js";
import { MAX_OPEN_RANGES, SeqTracker } from "../../noc/seq-tracker.js";
import { CollectorStats } from "../../noc/stats.js";
import { SqliteStorage } from "../../noc/storage/index.js";
import { dayKey } from "../../noc/time.js";
import { validateMessage } from "../../noc/validate.js";
import { WriteBuffer } from "../../noc/write-buffer.js";
import * as P from "../../scripts/sim/payloads.js";

const NOW = Date.parse("2026-03-10T10:00:00Z");
const DAY = 86_400_000;
const TZ = "Asia/Kolkata";

describe("gap bookkeeping under 40,000 interleaved gaps", () => {
  it("keeps at most MAX_OPEN_RANGES open and does logarithmic work per message", () => {
    const t = new SeqTracker("A", 0);
    let ops = 0;
    // Every even seq first: each one opens a one-seq gap below it.
    for (let s = 2; s <= 80_000; s += 2) {
      const v = t.observe(s, NOW);
      expect(v.accept).toBe(true);
      ops++;
    }
    expect(t.gaps.length).toBeLessThanOrEqual(MAX_OPEN_RANGES);
    // Then the odd ones, newest first (the ones still open), then the rest (settled: duplicates).
    let filled = 0;
    for (let s = 79_999; s >= 1; s -= 2) {
      const v = t.observe(s, NOW + 1);
      if (v.accept) filled++;
      ops++;
    }
    expect(filled).toBe(MAX_OPEN_RANGES);
    expect(t.gaps).toEqual([]);
    // The old linear scan took ~ gaps x messages = 40,000 x 40,000 / 2 steps; now about log2(1000) each.
    expect(t.steps / ops).toBeLessThan(2 * Math.log2(MAX_OPEN_RANGES) + 2);
  });

  it("fragmenting one big gap is capped as well, and the settled part counts as lost", () => {
    const t = new SeqTracker("A", 0);
    t.observe(10_001, NOW); // gap 1-10,000
    let settled = 0;
    for (let s = 2; s <= 10_000; s += 2) {
      const v = t.observe(s, NOW);
      if (v.accept) settled += v.filled.filter((g) => g.status === "permanent").length;
    }
    expect(settled).toBe(1);
    expect(t.gaps).toEqual([]);
  });
});

describe("CSV export", () => {
  it("neutralises a leading TAB and CR like = + - @", () => {
    expect(csvLine(["\t=cmd|' /C calc'!A0"])).toBe("'\t=cmd|' /C calc'!A0");
    expect(csvLine(["\r=1+1"])).toBe(`"'\r=1+1"`);
    expect(csvLine(["=1", "+1", "-1", "@1", "ok"])).toBe("'=1,'+1,'-1,'@1,ok");
  });
});

describe("command replies", () => {
  class LoopBus implements NocBus {
    connected = true;
    published: { topic: string; correlationData?: Buffer }[] = [];
    onMessage(): void {}
    onConnectionChange(): void {}
    async start(): Promise<void> {}
    async stop(): Promise<void> {}
    async subscribe(): Promise<void> {}
    async publish(topic: string, _p: Buffer, o?: { correlationData?: Buffer }): Promise<void> {
      this.published.push({ topic, correlationData: o?.correlationData });
    }
  }

  it("are matched to the station the request went to, not only by id", async () => {
    const bus = new LoopBus();
    const c = new StationCommands(bus, { root: "r", instance: "noc1", timeoutMs: 60_000, now: () => NOW });
    const reply = c.send("A", "rebirth");
    const cd = bus.published[0]?.correlationData as Buffer;
    const body = (ok: boolean) =>
      Buffer.from(JSON.stringify({ id: cd.toString(), ok, time: new Date(NOW).toISOString() }));
    // Station B learned the id and answers first: ignored.
    expect(c.onReply("B", body(false), cd)).toBe(false);
    expect(c.onReply("A", body(true), cd)).toBe(true);
    await expect(reply).resolves.toMatchObject({ ok: true });
  });

  it("the collector passes the station of the reply topic", () => {
    const v = validateMessage("r", "r/B/reply/noc1", Buffer.from("{}"));
    expect(v).toMatchObject({ ok: true, other: "reply", station: "B" });
  });
});

describe("outage spans and the availability rollup", () => {
  let dir = "";
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function setup(now: number) {
    dir = mkdtempSync(join(tmpdir(), "noc-rollup-"));
    const storage = new SqliteStorage(join(dir, "noc.db"));
    await storage.init();
    const stats = new CollectorStats();
    const buffer = new WriteBuffer(storage, stats, { livenessFlushMs: 1000, maxPending: 100_000 }, () => now);
    const fleet = new Fleet(buffer, stats, { silentAfterMs: 180_000 });
    const rollup = new Rollup(storage, fleet, {
      timeZone: TZ,
      now: () => now,
      beforeCompute: () => buffer.flush(true),
      retentionDays: 90,
    });
    return { storage, stats, fleet, rollup };
  }

  const msg = (id: string, seq: number, o: ReturnType<typeof P.outage>) => {
    const payload = Buffer.from(JSON.stringify(P.event(id, seq, NOW, "outage", o)));
    const v = validateMessage("r", `r/${id}/event`, payload);
    if (!v.ok || !v.message) throw new Error(`test event invalid: ${JSON.stringify(v)}`);
    return v.message;
  };

  it("refuses an outage starting in year 0000 and counts it as a reject; today is still computed", async () => {
    const { storage, stats, fleet, rollup } = await setup(NOW);
    fleet.apply(
      msg("A", 1, P.outage(Date.parse("0000-01-01T00:00:00Z"), NOW - 3600_000, "power")),
      NOW,
      false,
    );
    expect(stats.invalidByReason["implausible-outage"]).toBe(1);
    expect(fleet.outageSpans).toEqual([]);
    const days = await rollup.tick();
    expect(days).toEqual([dayKey(NOW, TZ)]);
    expect(await storage.outages("A", { from: 0, to: NOW + 1 })).toEqual([]);
    await storage.close();
  });

  it("clamps a long plausible span to the first-seen day and caps the days per tick", async () => {
    const { storage, fleet, rollup } = await setup(NOW);
    // First seen 3 days ago; it reports an outage since 2021: only the last 3 days and today count.
    fleet.apply(msg("A", 1, P.outage(NOW - DAY, NOW - 3600_000, "power")), NOW - 3 * DAY, false);
    fleet.apply(msg("A", 2, P.outage(Date.parse("2021-01-01T00:00:00Z"), NOW - 60_000, "power")), NOW, false);
    const days = await rollup.tick();
    expect(days.length).toBeLessThanOrEqual(4);
    expect(days[days.length - 1]).toBe(dayKey(NOW, TZ));
    await storage.close();
  });

  it("a station first seen long ago is clamped to retention, and a backlog is spread over ticks", async () => {
    const { storage, fleet, rollup } = await setup(NOW);
    fleet.apply(msg("A", 1, P.outage(NOW - DAY, NOW - 3600_000, "power")), NOW - 400 * DAY, false);
    fleet.apply(msg("A", 2, P.outage(Date.parse("2021-01-01T00:00:00Z"), NOW - 60_000, "power")), NOW, false);
    const first = await rollup.tick();
    expect(first.length).toBe(MAX_DAYS_PER_TICK + 1);
    expect(rollup.backlog).toBeGreaterThan(0);
    expect(rollup.backlog).toBeLessThanOrEqual(91 - MAX_DAYS_PER_TICK);
    let ticks = 1;
    while (rollup.backlog > 0) {
      await rollup.tick();
      ticks++;
    }
    expect(ticks).toBeLessThanOrEqual(4);
    await storage.close();
  });
});
