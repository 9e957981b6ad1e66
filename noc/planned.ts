/**
 * Maintenance windows as the availability figures see them: the spans of planned time of one station.
 * A window counts from its start to its end, or to when it was ended early; one that was ended before it
 * began counts for nothing.
 */
import type { MaintenanceRow } from "./alerts/model.js";

export interface Span {
  start: number;
  end: number;
}

export type WindowFacts = Pick<MaintenanceRow, "scope" | "target" | "startAt" | "endAt" | "endedAt">;

/** The time the window was in force; undefined when it never was. */
export function windowSpan(m: WindowFacts): Span | undefined {
  const end = m.endedAt === undefined ? m.endAt : Math.min(m.endAt, m.endedAt);
  return end > m.startAt ? { start: m.startAt, end } : undefined;
}

/** A window covers a station named by it, the station's district, or every station. */
export function covers(m: WindowFacts, station: string, district: string | undefined): boolean {
  if (m.scope === "all") return true;
  if (m.scope === "district") return district !== undefined && m.target === district;
  return m.target === station;
}

/**
 * The station's planned spans clipped to [from, to), sorted and merged: time under two overlapping
 * windows is planned once.
 */
export function plannedSpans(
  windows: readonly WindowFacts[],
  station: string,
  district: string | undefined,
  from: number,
  to: number,
): Span[] {
  const spans: Span[] = [];
  for (const m of windows) {
    if (!covers(m, station, district)) continue;
    const s = windowSpan(m);
    if (!s) continue;
    const start = Math.max(s.start, from);
    const end = Math.min(s.end, to);
    if (end > start) spans.push({ start, end });
  }
  spans.sort((a, b) => a.start - b.start);
  const merged: Span[] = [];
  for (const s of spans) {
    const last = merged[merged.length - 1];
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else merged.push({ ...s });
  }
  return merged;
}
