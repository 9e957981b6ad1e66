/**
 * Planned down time: maintenance windows against a station's down intervals, by hand-computed fixtures.
 * Down time inside a window covering the station (by id, district or all) is planned; the rest is not;
 * up and unknown time stay what they are; two windows over the same minutes count them once.
 */
import { describe, expect, it } from "vitest";
import { computeAvailability } from "../../noc/availability.js";
import { rankingCsv } from "../../noc/csv.js";
import {
  emptyAvailability,
  unplannedDownS,
  uptimePct,
  uptimeRawPct,
  type StatusChange,
} from "../../noc/model.js";
import { plannedSpans, windowSpan, type WindowFacts } from "../../noc/planned.js";
import { rankDistricts, sumByStation } from "../../noc/ranking.js";

const H = 3600_000;
const T0 = Date.parse("2025-03-10T00:00:00+05:30");
const at = (h: number) => T0 + h * H;

const win = (scope: WindowFacts["scope"], target: string, fromH: number, toH: number, endedH?: number) => ({
  scope,
  target,
  startAt: at(fromH),
  endAt: at(toH),
  ...(endedH === undefined ? {} : { endedAt: at(endedH) }),
});

const st = (h: number, status: StatusChange["status"]): StatusChange => ({ station: "A", at: at(h), status });

/**
 * Station A of district Pune over one day, accounted from 00:00:
 * up 00-02, down (Last Will, no record) 02-06, up 06-10, unknown 10-12, up 12-14,
 * down with a power outage record 14-16 (the NOC saw up), up 16-24.
 */
const day = {
  from: T0,
  to: at(24),
  accountFrom: T0,
  status: [st(0, "up"), st(2, "down"), st(6, "up"), st(10, "unknown"), st(12, "up")],
  outages: [{ station: "A", start: at(14), end: at(16), cause: "power" as const, evidence: {} }],
  links: [],
};
const planned = (windows: WindowFacts[]) =>
  computeAvailability({ ...day, planned: plannedSpans(windows, "A", "Pune", day.from, day.to) });

describe("planned down time of one station-day (hand-computed)", () => {
  it("without a window nothing is planned and the figures are as before", () => {
    const a = computeAvailability(day);
    expect(a).toMatchObject({ windowS: 86_400, upS: 16 * 3600, unknownS: 2 * 3600, plannedS: 0 });
    expect(a.down).toEqual({ power: 2 * 3600, network: 0, agent: 0, unattributed: 4 * 3600 });
    expect(uptimePct(a)).toBe(uptimeRawPct(a));
  });

  it("a window partly over a down interval plans only the overlap", () => {
    // 05:00-07:00 covers down 05-06 (1 h) and up 06-07, which stays up.
    const a = planned([win("station", "A", 5, 7)]);
    expect(a.plannedS).toBe(3600);
    expect(a.upS).toBe(16 * 3600);
    expect(a.down.unattributed).toBe(4 * 3600); // down by cause still counts all of it
    expect(unplannedDownS(a)).toBe(5 * 3600);
  });

  it("plans outage-record time too, and leaves unknown time unknown", () => {
    // 09:30-15:00: up 09:30-10, unknown 10-12, up 12-14, power 14-15 -> 1 h planned.
    const a = planned([win("station", "A", 9.5, 15)]);
    expect(a.plannedS).toBe(3600);
    expect(a.unknownS).toBe(2 * 3600);
  });

  it("a window for the station's district or for all covers it; another district's or station's does not", () => {
    expect(planned([win("district", "Pune", 0, 24)]).plannedS).toBe(6 * 3600);
    expect(planned([win("all", "", 3, 4)]).plannedS).toBe(3600);
    expect(planned([win("district", "Satara", 0, 24), win("station", "B", 0, 24)]).plannedS).toBe(0);
    // A station without a district is covered by its own and by `all` windows only.
    const spans = plannedSpans(
      [win("district", "Pune", 0, 24), win("all", "", 1, 2)],
      "A",
      undefined,
      T0,
      at(24),
    );
    expect(spans).toEqual([{ start: at(1), end: at(2) }]);
  });

  it("overlapping windows (station, district, all) count each planned second once", () => {
    const a = planned([win("station", "A", 1, 5), win("district", "Pune", 3, 7), win("all", "", 4, 4.5)]);
    // Union 01-07 over down 02-06: 4 h, not 2 + 3 + 0.5.
    expect(a.plannedS).toBe(4 * 3600);
    expect(
      plannedSpans([win("station", "A", 1, 5), win("district", "Pune", 3, 7)], "A", "Pune", T0, at(24)),
    ).toEqual([{ start: at(1), end: at(7) }]);
  });

  it("a window ended early counts up to its end; one ended before it began counts nothing", () => {
    // Planned 01:00-08:00, ended at 03:30: down 02-03:30 planned.
    const a = planned([win("station", "A", 1, 8, 3.5)]);
    expect(a.plannedS).toBe(1.5 * 3600);
    expect(windowSpan(win("station", "A", 1, 8, 0.5))).toBeUndefined();
    expect(planned([win("station", "A", 1, 8, 0.5)]).plannedS).toBe(0);
    // Ended after its planned end: the planned end holds.
    expect(planned([win("station", "A", 1, 3, 9)]).plannedS).toBe(3600);
  });

  it("a window reaching over the day's edges is clipped to the accounted part of the day", () => {
    const a = computeAvailability({
      ...day,
      accountFrom: at(3),
      planned: plannedSpans([win("all", "", -10, 40)], "A", "Pune", day.from, day.to),
    });
    // Accounted from 03:00: down 03-06 and power 14-16.
    expect(a.windowS).toBe(21 * 3600);
    expect(a.plannedS).toBe(5 * 3600);
  });

  it("every second is up, unplanned down, planned down or unknown", () => {
    const a = planned([win("station", "A", 1, 5), win("all", "", 15, 15 + 20 / 60)]);
    expect(a.plannedS).toBe(3 * 3600 + 20 * 60);
    expect(a.upS + unplannedDownS(a) + a.plannedS + a.unknownS).toBe(a.windowS);
  });
});

describe("both availability figures", () => {
  it("uptime leaves planned down time out of the denominator; raw uptime counts it", () => {
    const a = { ...emptyAvailability(), windowS: 86_400, upS: 72_000, plannedS: 7_200 };
    a.down.power = 14_400;
    // 72000 / (86400 - 7200) and 72000 / 86400.
    expect(uptimePct(a)).toBeCloseTo(90.909_090_9, 6);
    expect(uptimeRawPct(a)).toBeCloseTo(83.333_333_3, 6);
    expect(unplannedDownS(a)).toBe(7_200);
    // All of the accounted time planned: nothing left to judge, the raw figure still says 0 %.
    const all = { ...emptyAvailability(), windowS: 3600, plannedS: 3600, down: { ...a.down, power: 3600 } };
    expect(uptimePct(all)).toBeNull();
    expect(uptimeRawPct(all)).toBe(0);
  });

  it("the district ranking ranks by the planned-excluded figure and shows planned time apart", () => {
    const row = (station: string, district: string, upS: number, downS: number, plannedS: number) => ({
      ...emptyAvailability(),
      station,
      district,
      day: "2025-03-10",
      windowS: 86_400,
      upS,
      plannedS,
      down: { power: downS, network: 0, agent: 0, unattributed: 0 },
    });
    // Alpha: 4 h down, all of it planned (a UPS swap). Bravo: 1 h down, none planned.
    const ranks = rankDistricts(
      sumByStation([row("A1", "Alpha", 72_000, 14_400, 14_400), row("B1", "Bravo", 82_800, 3_600, 0)]),
    );
    expect(ranks.map((r) => [r.rank, r.district])).toEqual([
      [1, "Alpha"],
      [2, "Bravo"],
    ]);
    expect(ranks[0]).toMatchObject({ uptimePct: 100, unplannedDownS: 0, availability: { plannedS: 14_400 } });
    expect(ranks[0]?.uptimeRawPct).toBeCloseTo(83.333_333_3, 6);
    expect(ranks[1]).toMatchObject({ unplannedDownS: 3_600, availability: { plannedS: 0 } });
    const lines = rankingCsv("2025-03", ranks).trim().split("\r\n");
    // New columns at the end; the first fourteen keep their places.
    expect(lines[0]).toMatch(
      /^month,rank,district,stations,uptime_pct,accounted_min,.*,on_backup_min,planned_down_min,unplanned_down_min,uptime_raw_pct$/,
    );
    expect(lines[1]).toBe("2025-03,1,Alpha,1,100.000,1440,1200,240,0,,0,0,0,0,240,0,83.333");
    expect(lines[2]).toBe("2025-03,2,Bravo,1,95.833,1440,1380,60,0,,0,0,0,0,0,60,95.833");
  });
});
