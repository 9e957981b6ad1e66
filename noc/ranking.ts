import {
  addAvailability,
  emptyAvailability,
  unplannedDownS,
  uptimePct,
  uptimeRawPct,
  type Availability,
  type DailyRow,
} from "./model.js";

/** The headline figures of a station or district over a period (formulas in model.ts, docs/noc.md). */
export interface Figures {
  /** Up over accounted less planned down time: what ranks. */
  uptimePct: number | null;
  /** Up over all accounted time: planned down time counts against too. */
  uptimeRawPct: number | null;
  /** Down time outside maintenance windows (`availability.plannedS` is the rest of the down time). */
  unplannedDownS: number;
}

export function figures(a: Availability): Figures {
  return { uptimePct: uptimePct(a), uptimeRawPct: uptimeRawPct(a), unplannedDownS: unplannedDownS(a) };
}

export interface StationPeriod extends Figures {
  station: string;
  district: string;
  availability: Availability;
}

/**
 * uptimePct is time-weighted: the district's up seconds over its accounted seconds less planned down
 * time, so a station seen for half the month weighs half. With equal windows and no maintenance this
 * equals the mean of the stations' percentages.
 */
export interface DistrictRank extends Figures {
  rank: number;
  district: string;
  stations: number;
  availability: Availability;
}

export const NO_DISTRICT = "(no district)";

/** Sums daily rows per station (a month, or any run of days). */
export function sumByStation(rows: Iterable<DailyRow>): StationPeriod[] {
  const byStation = new Map<string, StationPeriod>();
  for (const r of rows) {
    let p = byStation.get(r.station);
    if (!p) {
      p = {
        station: r.station,
        district: r.district || NO_DISTRICT,
        availability: emptyAvailability(),
        ...figures(emptyAvailability()),
      };
      byStation.set(r.station, p);
    }
    addAvailability(p.availability, r);
  }
  const out = [...byStation.values()];
  for (const p of out) Object.assign(p, figures(p.availability));
  return out.sort((a, b) => (a.station < b.station ? -1 : 1));
}

/** Districts by uptime (planned down time left out), best first; equal uptime shares a rank (1, 2, 2, 4); no data ranks last. */
export function rankDistricts(stations: Iterable<StationPeriod>): DistrictRank[] {
  const byDistrict = new Map<string, DistrictRank>();
  for (const s of stations) {
    let d = byDistrict.get(s.district);
    if (!d) {
      d = {
        rank: 0,
        district: s.district,
        stations: 0,
        availability: emptyAvailability(),
        ...figures(emptyAvailability()),
      };
      byDistrict.set(s.district, d);
    }
    d.stations++;
    addAvailability(d.availability, s.availability);
  }
  const ranked = [...byDistrict.values()];
  for (const d of ranked) Object.assign(d, figures(d.availability));
  ranked.sort((a, b) => compareUptime(a.uptimePct, b.uptimePct) || (a.district < b.district ? -1 : 1));
  ranked.forEach((d, i) => {
    const prev = ranked[i - 1];
    d.rank = prev && compareUptime(prev.uptimePct, d.uptimePct) === 0 ? prev.rank : i + 1;
  });
  return ranked;
}

function compareUptime(a: number | null, b: number | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  return Math.abs(a - b) < 1e-9 ? 0 : b - a;
}
