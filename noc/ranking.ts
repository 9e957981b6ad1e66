import { addAvailability, emptyAvailability, uptimePct, type Availability, type DailyRow } from "./model.js";

export interface StationPeriod {
  station: string;
  district: string;
  availability: Availability;
  uptimePct: number | null;
}

export interface DistrictRank {
  rank: number;
  district: string;
  stations: number;
  availability: Availability;
  /** Time-weighted: the district's up seconds over its accounted seconds, so a station seen for half the
   * month weighs half. With equal windows this equals the mean of the stations' percentages. */
  uptimePct: number | null;
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
        uptimePct: null,
      };
      byStation.set(r.station, p);
    }
    addAvailability(p.availability, r);
  }
  const out = [...byStation.values()];
  for (const p of out) p.uptimePct = uptimePct(p.availability);
  return out.sort((a, b) => (a.station < b.station ? -1 : 1));
}

/** Districts by uptime, best first; equal uptime shares a rank (1, 2, 2, 4); no data ranks last. */
export function rankDistricts(stations: Iterable<StationPeriod>): DistrictRank[] {
  const byDistrict = new Map<string, DistrictRank>();
  for (const s of stations) {
    let d = byDistrict.get(s.district);
    if (!d) {
      d = { rank: 0, district: s.district, stations: 0, availability: emptyAvailability(), uptimePct: null };
      byDistrict.set(s.district, d);
    }
    d.stations++;
    addAvailability(d.availability, s.availability);
  }
  const ranked = [...byDistrict.values()];
  for (const d of ranked) d.uptimePct = uptimePct(d.availability);
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
