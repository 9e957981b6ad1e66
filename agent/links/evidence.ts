import type { LinkConfig } from "../../config/links.js";
import { overlap, type LinkHistory, type StateInterval } from "./history.js";

export interface NetworkEvidence {
  link?: string;
  reason?: string;
  details?: Record<string, unknown>;
}

const iso = (t: number) => new Date(t).toISOString();

/**
 * Why the NOC was unreachable between two instants, as far as the links can tell: the link that was down
 * (the one carrying the traffic when the outage began, else the one down longest) and its cause
 * ("no carrier", "gateway unreachable", "data centre unreachable while gateway answers"). With every
 * link up the whole time, it says so: the broker or the NOC is the likelier culprit.
 */
export function networkEvidence(
  history: LinkHistory,
  links: readonly LinkConfig[],
  start: number,
  end: number,
  now: number,
): NetworkEvidence {
  const carrying = history.activeAt(start, now) ?? links.find((l) => l.role === "primary")?.name ?? null;
  for (const state of ["down", "degraded"] as const) {
    let best: { iv: StateInterval; overlapMs: number } | undefined;
    for (const l of links) {
      for (const iv of history.intervals(l.name, now)) {
        if (iv.state !== state) continue;
        const ms = overlap(iv.from, iv.to, start, end);
        if (ms <= 0) continue;
        const better =
          !best ||
          (iv.link === carrying && best.iv.link !== carrying) ||
          ((iv.link === carrying) === (best.iv.link === carrying) && ms > best.overlapMs);
        if (better) best = { iv, overlapMs: ms };
      }
    }
    if (!best) continue;
    const { iv, overlapMs } = best;
    const cfg = links.find((l) => l.name === iv.link);
    const after = history.activeAt(Math.min(iv.to, end) - 1, now);
    return {
      link: iv.link,
      reason: state === "down" ? iv.reason : `degraded: ${iv.reason ?? "poor figures"}`,
      details: {
        state,
        interface: cfg?.interface,
        role: cfg?.role,
        from: iso(iv.from),
        ...(iv.to < now ? { to: iso(iv.to) } : {}),
        overlapS: Math.round(overlapMs / 1000),
        ...(iv.firstFailAt !== undefined ? { firstFailAt: iso(iv.firstFailAt) } : {}),
        ...(carrying ? { activeAtStart: carrying } : {}),
        ...(after && after !== carrying ? { failoverTo: after } : {}),
      },
    };
  }
  const known = links.filter((l) => history.upPct(l.name, start, end, now) !== null).map((l) => l.name);
  return known.length
    ? { details: { linksUp: known, note: "every link answered; the broker or NOC side was unreachable" } }
    : {};
}
