import { computeAvailability } from "./availability.js";
import type { Fleet } from "./fleet.js";
import type { DailyRow } from "./model.js";
import { plannedSpans, windowSpan, type WindowFacts } from "./planned.js";
import type { Storage } from "./storage/index.js";
import { dayBounds, dayKey, daysBetween, nextDay } from "./time.js";

const LAST_DAY = "rollup.lastDay";
/** Days waiting for a recompute, kept across restarts: a window planned after the fact is not forgotten. */
const DUE_DAYS = "rollup.dueDays";
/** Days recomputed per tick besides today; the rest wait for the next ticks (today never waits). */
export const MAX_DAYS_PER_TICK = 31;

export interface RollupOptions {
  timeZone: string;
  now: () => number;
  beforeCompute: () => Promise<void>;
  /** Days before this many are pruned from storage: never recomputed. */
  retentionDays: number;
}

/**
 * Keeps `daily` up to date: today on every tick (so the month's ranking is at most one tick old), the
 * day that just ended once more, every day a late outage record touched, and after a pause every day
 * the NOC missed. A span is clamped to the station's first-seen day and to the retention period, and at
 * most MAX_DAYS_PER_TICK older days are computed per tick: one bad record cannot stall today's figures.
 * A maintenance window created or ended (`replan`) makes every past day it spans due again: a window
 * planned after the fact, or ended early, changes the planned time of days already computed.
 */
export class Rollup {
  /** Days due for a recompute, carried over between ticks when there were too many. */
  private readonly due = new Set<string>();

  constructor(
    private readonly storage: Storage,
    private readonly fleet: Fleet,
    private readonly options: RollupOptions,
  ) {}

  async tick(): Promise<string[]> {
    const now = this.options.now();
    const tz = this.options.timeZone;
    const today = dayKey(now, tz);
    const oldest = dayKey(now - this.options.retentionDays * 86_400_000, tz);
    await this.loadDue();
    const last = await this.storage.getMeta(LAST_DAY);
    if (last && last < today)
      for (let d = last < oldest ? oldest : last; d < today; d = nextDay(d)) this.due.add(d);
    for (const span of this.fleet.outageSpans.splice(0)) {
      const firstSeen = this.fleet.stations.get(span.station)?.row.firstSeen ?? now;
      const from = Math.max(
        span.start,
        dayBounds(dayKey(firstSeen, tz), tz).from,
        now - this.options.retentionDays * 86_400_000,
      );
      const to = Math.min(span.end, now);
      if (to < from) continue;
      for (const d of daysBetween(from, to + 1, tz)) if (d < today && d >= oldest) this.due.add(d);
    }
    const days = [...this.due]
      .filter((d) => d !== today && d >= oldest)
      .sort()
      .slice(-MAX_DAYS_PER_TICK);
    for (const d of days) this.due.delete(d);
    for (const d of [...this.due]) if (d < oldest) this.due.delete(d);
    days.push(today);
    await this.options.beforeCompute();
    // Taken off the list before computing, so that a replan while a day computes makes it due again.
    for (const [i, d] of days.entries()) {
      try {
        await this.computeDay(d, now);
      } catch (e) {
        for (const left of days.slice(i)) if (left !== today) this.due.add(left);
        throw e;
      }
    }
    await this.storage.setMeta(LAST_DAY, today);
    await this.saveDue();
    return days;
  }

  /**
   * Marks the past days these windows span (whole windows: that covers an early end too) for a
   * recompute, and stores the list before returning. Today is recomputed on every tick anyway.
   */
  async replan(windows: readonly WindowFacts[]): Promise<void> {
    const now = this.options.now();
    const tz = this.options.timeZone;
    const today = dayKey(now, tz);
    const oldest = dayKey(now - this.options.retentionDays * 86_400_000, tz);
    await this.loadDue();
    let added = false;
    for (const w of windows) {
      const from = Math.max(w.startAt, now - this.options.retentionDays * 86_400_000);
      const to = Math.min(w.endAt, now);
      if (to <= from) continue;
      for (const d of daysBetween(from, to, tz))
        if (d < today && d >= oldest && !this.due.has(d)) {
          this.due.add(d);
          added = true;
        }
    }
    if (added) await this.saveDue();
  }

  /**
   * Adds the stored list to this one. Read on every tick, not only the first: another instance on the
   * same store (a collector's API took the window) may have added days.
   */
  private async loadDue(): Promise<void> {
    const stored = await this.storage.getMeta(DUE_DAYS);
    for (const d of parseDays(stored)) this.due.add(d);
  }

  private saveDue(): Promise<void> {
    return this.storage.setMeta(DUE_DAYS, JSON.stringify([...this.due].sort()));
  }

  /** Days still waiting for a recompute (capped ticks). */
  get backlog(): number {
    return this.due.size;
  }

  async computeDay(day: string, now = this.options.now()): Promise<DailyRow[]> {
    const { from, to: dayEnd } = dayBounds(day, this.options.timeZone);
    const to = Math.min(dayEnd, now);
    if (to <= from) return [];
    const history = await this.storage.historyForRange({ from, to });
    // Windows that may overlap the day (a superset: plannedSpans clips them).
    const windows = (await this.storage.loadMaintenance(from)).filter((w) => {
      const span = windowSpan(w);
      return span !== undefined && span.start < to && span.end > from;
    });
    const rows: DailyRow[] = [];
    for (const [id, { row }] of this.fleet.stations) {
      const h = history.get(id) ?? { status: [], outages: [], links: [] };
      const accountFrom = row.firstSeen ?? h.status[0]?.at ?? to;
      const planned = windows.length ? plannedSpans(windows, id, row.district, from, to) : [];
      const a = computeAvailability({ from, to, accountFrom, ...h, planned });
      if (a.windowS <= 0) continue;
      rows.push({ station: id, day, district: row.district ?? "", ...a });
    }
    await this.storage.upsertDaily(rows);
    return rows;
  }
}

/** The stored list of days; anything else (a hand-edited meta row) is no list, not a stalled rollup. */
function parseDays(stored: string | undefined): string[] {
  try {
    const v: unknown = JSON.parse(stored ?? "[]");
    return Array.isArray(v)
      ? v.filter((d): d is string => typeof d === "string" && /^\d{4}-\d\d-\d\d$/.test(d))
      : [];
  } catch {
    return [];
  }
}
