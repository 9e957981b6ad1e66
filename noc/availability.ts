import {
  emptyAvailability,
  type Availability,
  type LinkChange,
  type OutageRow,
  type StatusChange,
} from "./model.js";
import type { Span } from "./planned.js";

export interface AvailabilityInput {
  /** The window, epoch ms, [from, to). The caller clips `to` to now. */
  from: number;
  to: number;
  /** Nothing before this is accounted: when the NOC first saw (or registered) the station. */
  accountFrom: number;
  /** Sorted by time; include the last change at or before `from` so the state at `from` is known. */
  status: StatusChange[];
  /** The station's own outage records overlapping the window. They override what the NOC saw. */
  outages: OutageRow[];
  /** Sorted by time; include each link's last change at or before `from`. */
  links: LinkChange[];
  /** Maintenance windows covering the station (noc/planned.ts): down time inside them is planned. */
  planned?: Span[];
}

/**
 * Splits the window at every change and classifies each piece:
 * - inside one of the station's outage records: down with that record's cause (and link);
 * - otherwise what the NOC saw: up, down without a record yet (unattributed), or unknown (silent
 *   without a Last Will, NOC not listening, never heard). Before the first status change: unknown.
 * Time on backup is up time while a backup link is active and no primary is. Down time (either kind)
 * inside a planned span is also counted as planned; up and unknown time stay what they are.
 */
export function computeAvailability(input: AvailabilityInput): Availability {
  const out = emptyAvailability();
  const start = Math.max(input.from, input.accountFrom);
  const end = input.to;
  if (end <= start) return out;

  const cuts = new Set<number>([start, end]);
  const inside = (t: number) => t > start && t < end;
  for (const c of input.status) if (inside(c.at)) cuts.add(c.at);
  for (const o of input.outages) {
    if (inside(o.start)) cuts.add(o.start);
    if (inside(o.end)) cuts.add(o.end);
  }
  for (const l of input.links) if (inside(l.at)) cuts.add(l.at);
  const planned = input.planned ?? [];
  for (const p of planned) {
    if (inside(p.start)) cuts.add(p.start);
    if (inside(p.end)) cuts.add(p.end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const isPlanned = (a: number, b: number) => planned.some((p) => p.start <= a && p.end >= b);

  let si = -1;
  let li = 0;
  const links = new Map<string, { active: boolean; role: string }>();
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i] as number;
    const b = points[i + 1] as number;
    const s = (b - a) / 1000;
    while (si + 1 < input.status.length && (input.status[si + 1] as StatusChange).at <= a) si++;
    while (li < input.links.length && (input.links[li] as LinkChange).at <= a) {
      const l = input.links[li++] as LinkChange;
      links.set(l.link, { active: l.active, role: l.role });
    }
    out.windowS += s;
    const outage = input.outages.find((o) => o.start <= a && o.end >= b);
    if (outage) {
      out.down[outage.cause] += s;
      if (isPlanned(a, b)) out.plannedS += s;
      if (outage.cause === "network") {
        const link = outage.link ?? "unknown";
        out.networkLinks[link] = (out.networkLinks[link] ?? 0) + s;
      }
      continue;
    }
    const status = si >= 0 ? (input.status[si] as StatusChange).status : "unknown";
    if (status === "up") {
      out.upS += s;
      if (onBackup(links)) out.backupS += s;
    } else if (status === "down") {
      out.down.unattributed += s;
      if (isPlanned(a, b)) out.plannedS += s;
    } else out.unknownS += s;
  }
  return out;
}

function onBackup(links: Map<string, { active: boolean; role: string }>): boolean {
  let backup = false;
  for (const l of links.values()) {
    if (!l.active) continue;
    if (l.role === "primary") return false;
    backup = true;
  }
  return backup;
}
