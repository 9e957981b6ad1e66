import { computeAvailability } from "./availability.js";
import type { Fleet } from "./fleet.js";
import type { DailyRow } from "./model.js";
import type { Storage } from "./storage/index.js";
import { dayBounds, dayKey, daysBetween, nextDay } from "./time.js";

const LAST_DAY = "rollup.lastDay";

/**
 * Keeps `daily` up to date: today on every tick (so the month's ranking is at most one tick old), the
 * day that just ended once more, every day a late outage record touched, and after a pause every day
 * the NOC missed.
 */
export class Rollup {
  constructor(
    private readonly storage: Storage,
    private readonly fleet: Fleet,
    private readonly options: { timeZone: string; now: () => number; beforeCompute: () => Promise<void> },
  ) {}

  async tick(): Promise<string[]> {
    const now = this.options.now();
    const today = dayKey(now, this.options.timeZone);
    const days = new Set<string>([today]);
    const last = await this.storage.getMeta(LAST_DAY);
    if (last && last < today) for (let d = last; d < today; d = nextDay(d)) days.add(d);
    for (const span of this.fleet.outageSpans.splice(0)) {
      for (const d of daysBetween(span.start, Math.min(span.end, now), this.options.timeZone))
        if (d <= today) days.add(d);
    }
    await this.options.beforeCompute();
    for (const d of [...days].sort()) await this.computeDay(d, now);
    await this.storage.setMeta(LAST_DAY, today);
    return [...days].sort();
  }

  async computeDay(day: string, now = this.options.now()): Promise<DailyRow[]> {
    const { from, to: dayEnd } = dayBounds(day, this.options.timeZone);
    const to = Math.min(dayEnd, now);
    if (to <= from) return [];
    const history = await this.storage.historyForRange({ from, to });
    const rows: DailyRow[] = [];
    for (const [id, { row }] of this.fleet.stations) {
      const h = history.get(id) ?? { status: [], outages: [], links: [] };
      const accountFrom = row.firstSeen ?? h.status[0]?.at ?? to;
      const a = computeAvailability({ from, to, accountFrom, ...h });
      if (a.windowS <= 0) continue;
      rows.push({ station: id, day, district: row.district ?? "", ...a });
    }
    await this.storage.upsertDaily(rows);
    return rows;
  }
}
