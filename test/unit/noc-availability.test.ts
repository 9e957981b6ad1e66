import { describe, expect, it } from "vitest";
import { computeAvailability } from "../../noc/availability.js";
import { rankingCsv, stationsCsv } from "../../noc/csv.js";
import {
  emptyAvailability,
  type Availability,
  type DailyRow,
  type LinkChange,
  type StatusChange,
} from "../../noc/model.js";
import { figures, rankDistricts, sumByStation, type StationPeriod } from "../../noc/ranking.js";
import { dayBounds, dayKey, daysBetween, daysOfMonth, localMidnight } from "../../noc/time.js";

const H = 3600_000;
const M = 60_000;
const T0 = Date.parse("2025-03-10T00:00:00+05:30");

describe("availability of one station-day (hand-computed)", () => {
  const st = (h: number, status: StatusChange["status"], cause?: StatusChange["cause"]): StatusChange => ({
    station: "A",
    at: T0 + h * H,
    status,
    cause,
  });
  const link = (
    h: number,
    l: string,
    role: LinkChange["role"],
    state: string,
    active: boolean,
  ): LinkChange => ({
    station: "A",
    link: l,
    at: T0 + h * H,
    state,
    active,
    role,
  });
  const input = {
    from: T0,
    to: T0 + 24 * H,
    accountFrom: T0 + 1 * H,
    status: [
      st(1, "up"),
      st(5, "down", "unknown"),
      st(6, "up"),
      st(10, "unknown", "silent"),
      st(12, "up"),
      st(22, "down", "unknown"),
    ],
    outages: [
      { station: "A", start: T0 + 4 * H + 50 * M, end: T0 + 6 * H, cause: "power" as const, evidence: {} },
      {
        station: "A",
        start: T0 + 20 * H,
        end: T0 + 21 * H,
        cause: "network" as const,
        link: "mpls",
        evidence: {},
      },
    ],
    links: [
      link(-30, "mpls", "primary", "up", true),
      link(-30, "4g", "backup", "up", false),
      link(15, "mpls", "primary", "down", false),
      link(15, "4g", "backup", "up", true),
      link(17, "mpls", "primary", "up", true),
      link(17, "4g", "backup", "up", false),
    ],
  };

  it("splits the day into up, outage by cause, unattributed dark, unknown and backup", () => {
    const a = computeAvailability(input);
    // Accounted from first seen at 01:00: 23 h.
    expect(a.windowS).toBe(23 * 3600);
    // Power record 04:50-06:00 overrides the NOC's up (04:50-05:00) and its Last Will (05:00-06:00).
    expect(a.down.power).toBe(70 * 60);
    // Network record 20:00-21:00 on mpls.
    expect(a.down.network).toBe(3600);
    expect(a.networkLinks).toEqual({ mpls: 3600 });
    expect(a.down.agent).toBe(0);
    // Last Will at 22:00 with no record yet: dark, not attributed.
    expect(a.down.unattributed).toBe(2 * 3600);
    // Silent 10:00-12:00 without a Last Will: unknown, not up.
    expect(a.unknownS).toBe(2 * 3600);
    // 01:00-04:50, 06:00-10:00, 12:00-20:00, 21:00-22:00.
    expect(a.upS).toBe(13_800 + 14_400 + 28_800 + 3_600);
    // On 4g 15:00-17:00 while up.
    expect(a.backupS).toBe(2 * 3600);
    expect(a.upS + a.unknownS + a.down.power + a.down.network + a.down.unattributed).toBe(a.windowS);
  });

  it("clips to the window and counts time before any status as unknown", () => {
    const a = computeAvailability({ ...input, from: T0 + 9 * H, to: T0 + 13 * H, accountFrom: 0 });
    expect(a).toMatchObject({ windowS: 4 * 3600, upS: 2 * 3600, unknownS: 2 * 3600 });
    const b = computeAvailability({ ...input, accountFrom: 0, status: [] });
    expect(b.unknownS).toBe(24 * 3600 - 70 * 60 - 3600);
    expect(computeAvailability({ ...input, accountFrom: T0 + 30 * H })).toEqual(emptyAvailability());
  });
});

function av(windowS: number, upS: number, over: Partial<Availability> = {}): Availability {
  return { ...emptyAvailability(), windowS, upS, ...over };
}

function period(station: string, district: string, a: Availability): StationPeriod {
  return { station, district, availability: a, ...figures(a) };
}

describe("district ranking arithmetic (hand-computed)", () => {
  const stations = [
    period(
      "A1",
      "Alpha",
      av(86_400, 82_800, { down: { power: 3600, network: 0, agent: 0, unattributed: 0 } }),
    ),
    period("A2", "Alpha", av(86_400, 86_400)),
    period("B1", "Bravo", av(43_200, 43_200)),
    period(
      "B2",
      "Bravo",
      av(86_400, 79_200, {
        down: { power: 0, network: 5400, agent: 1800, unattributed: 0 },
        networkLinks: { mpls: 5400 },
      }),
    ),
    period("C1", "Charlie", av(86_400, 84_600, { unknownS: 1800 })),
    period("D1", "Delta", av(0, 0)),
  ];

  it("ranks by time-weighted uptime, ties share a rank, no data ranks last", () => {
    const r = rankDistricts(stations);
    expect(r.map((d) => [d.rank, d.district, d.stations])).toEqual([
      [1, "Alpha", 2],
      [1, "Charlie", 1],
      [3, "Bravo", 2],
      [4, "Delta", 1],
    ]);
    // Alpha: (82800 + 86400) / 172800 = 97.9166...%; Charlie: 84600 / 86400, the same.
    expect(r[0]?.uptimePct).toBeCloseTo(97.916_666_7, 6);
    expect(r[1]?.uptimePct).toBeCloseTo(97.916_666_7, 6);
    // Bravo: (43200 + 79200) / 129600 = 94.444...%, not the 95.83% mean of its stations' percentages.
    expect(r[2]?.uptimePct).toBeCloseTo(94.444_444_4, 6);
    expect(r[3]?.uptimePct).toBeNull();
    expect(r[2]?.availability.down).toEqual({ power: 0, network: 5400, agent: 1800, unattributed: 0 });
    expect(r[2]?.availability.networkLinks).toEqual({ mpls: 5400 });
    expect(r[0]?.availability.down.power).toBe(3600);
  });

  it("sums daily rows into a month per station", () => {
    const day = (station: string, d: string, upS: number, links: Record<string, number> = {}): DailyRow => ({
      station,
      day: d,
      district: "Alpha",
      ...av(86_400, upS, {
        networkLinks: links,
        down: { power: 0, network: 86_400 - upS, agent: 0, unattributed: 0 },
      }),
    });
    const m = sumByStation([
      day("X", "2025-03-01", 86_000, { mpls: 400 }),
      day("X", "2025-03-02", 85_400, { mpls: 600, "4g": 400 }),
    ]);
    expect(m).toHaveLength(1);
    expect(m[0]?.availability).toMatchObject({
      windowS: 172_800,
      upS: 171_400,
      networkLinks: { mpls: 1000, "4g": 400 },
    });
    expect(m[0]?.uptimePct).toBeCloseTo((100 * 171_400) / 172_800, 9);
  });

  it("exports the ranking and station figures as CSV in minutes", () => {
    const csv = rankingCsv("2025-03", rankDistricts(stations));
    const lines = csv.trim().split("\r\n");
    expect(lines[0]).toBe(
      "month,rank,district,stations,uptime_pct,accounted_min,up_min,outage_power_min,outage_network_min,outage_network_by_link_min,outage_agent_min,dark_unattributed_min,unknown_min,on_backup_min,planned_down_min,unplanned_down_min,uptime_raw_pct",
    );
    expect(lines[1]).toBe("2025-03,1,Alpha,2,97.917,2880,2820,60,0,,0,0,0,0,0,60,97.917");
    expect(lines[3]).toBe("2025-03,3,Bravo,2,94.444,2160,2040,0,90,mpls:90,30,0,0,0,0,120,94.444");
    expect(lines[4]).toBe("2025-03,4,Delta,1,,0,0,0,0,,0,0,0,0,0,0,");
    const s = stationsCsv("2025-03", [
      { ...period("B2", "Bravo, East", av(60, 30)), name: '=HYPERLINK("x")' },
    ]);
    expect(s.split("\r\n")[1]).toBe(
      `2025-03,B2,"'=HYPERLINK(""x"")","Bravo, East",50.000,1,0.5,0,0,,0,0,0,0,0,0,50.000`,
    );
  });
});

describe("days in the state's time zone", () => {
  it("bounds IST days and months", () => {
    expect(localMidnight("2025-03-10", "Asia/Kolkata")).toBe(Date.parse("2025-03-09T18:30:00Z"));
    expect(dayKey(Date.parse("2025-03-09T18:29:59Z"), "Asia/Kolkata")).toBe("2025-03-09");
    expect(dayKey(Date.parse("2025-03-09T18:30:00Z"), "Asia/Kolkata")).toBe("2025-03-10");
    const b = dayBounds("2025-03-10", "Asia/Kolkata");
    expect(b.to - b.from).toBe(86_400_000);
    expect(daysOfMonth("2024-02")).toHaveLength(29);
    expect(daysBetween(b.from + 1000, b.to + 5000, "Asia/Kolkata")).toEqual(["2025-03-10", "2025-03-11"]);
    // A zone with summer time: the day it starts has 23 hours.
    const dst = dayBounds("2025-03-30", "Europe/Berlin");
    expect(dst.to - dst.from).toBe(23 * 3600_000);
  });
});
