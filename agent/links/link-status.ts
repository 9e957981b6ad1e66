import type { LinkFigures } from "../../contract/index.js";
import { computeFigures } from "./figures.js";
import { probesPerRound, type StreamRuntime, type TargetRuntime } from "./targets.js";
import type { ProbeFault } from "./types.js";

/** What a link's targets say, for figures, status lines and event evidence. Reads, never changes, state. */

export interface TargetStatus {
  label: string;
  role: string;
  address?: string;
  answering: boolean;
  lostInARow: number;
  lastOkAt?: number;
  lastError?: string;
  fault?: string;
  figures: LinkFigures;
  deciding?: true;
}

export const EMPTY_FIGURES: LinkFigures = computeFigures([]);

export function iso(ms: number): string;
export function iso(ms: number | undefined): string | undefined;
export function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

/** A target's figures come from its first probe that is not faulted (ICMP unless configured otherwise). */
export function referenceStream(t: TargetRuntime): StreamRuntime {
  return t.streams.find((x) => !x.fault) ?? t.streams[0]!;
}

const byQuality = (
  a: { lossPct: number; rttMedianMs: number | null },
  b: { lossPct: number; rttMedianMs: number | null },
) => a.lossPct - b.lossPct || (a.rttMedianMs ?? Infinity) - (b.rttMedianMs ?? Infinity);

/** The link is as good as its reliability-th best deciding target (by loss, then median RTT). */
export function referenceFigures(deciding: TargetRuntime[], reliability: number, now: number): LinkFigures {
  if (deciding.length === 0) return EMPTY_FIGURES;
  const figs = deciding.map((t) => targetFigures(t, now)).sort(byQuality);
  return figs[Math.min(reliability, figs.length) - 1]!;
}

/** The same choice, loss and median only, without allocating: once per round. */
export function referenceQuick(deciding: TargetRuntime[], reliability: number, now: number) {
  if (deciding.length === 0) return { sent: 0, lossPct: 0, rttMedianMs: null };
  const figs = deciding.map((t) => {
    const s = referenceStream(t);
    s.window.prune(now);
    return s.window.quick();
  });
  return figs.sort(byQuality)[Math.min(reliability, figs.length) - 1]!;
}

export function targetFigures(t: TargetRuntime, now: number): LinkFigures {
  const s = referenceStream(t);
  s.window.prune(now);
  return s.window.figures();
}

/** Lost probes in a row that make a clean target silent: downAfter rounds' worth of its probes. */
export function baseRun(t: TargetRuntime, downAfter: number, icmpPerRound: number): number {
  return downAfter * probesPerRound(t, icmpPerRound);
}

export function targetStatuses(
  targets: TargetRuntime[],
  deciding: TargetRuntime[],
  cfg: { downAfter: number; icmpPerRound: number },
  now: number,
): TargetStatus[] {
  return targets.map((t) => ({
    label: t.label,
    role: t.cfg.role,
    address: t.address,
    answering:
      !t.fault &&
      t.address !== undefined &&
      t.tracker.lastOkAt !== undefined &&
      !t.tracker.silent(baseRun(t, cfg.downAfter, cfg.icmpPerRound)),
    lostInARow: t.tracker.run,
    lastOkAt: t.tracker.lastOkAt,
    lastError: t.tracker.run > 0 ? t.tracker.lastError : undefined,
    fault: t.fault ?? (t.streams.every((s) => s.fault) ? t.streams[0]!.fault : undefined),
    figures: targetFigures(t, now),
    ...(deciding.includes(t) ? { deciding: true as const } : {}),
  }));
}

export function targetFaults(targets: TargetRuntime[], since: number): ProbeFault[] {
  const out: ProbeFault[] = [];
  for (const t of targets) {
    if (t.fault) out.push({ probe: t.label, message: t.fault, since });
    for (const s of t.streams) {
      if (s.fault)
        out.push({ probe: `${t.label} ${s.label}`, message: s.fault, since: s.faultSince ?? since });
    }
  }
  return out;
}

/** When the current degradation began: the first lost (or slow) probe in the deciding targets' windows. */
export function firstBadSampleAt(deciding: TargetRuntime[], slowMs: number): number | undefined {
  let first: number | undefined;
  for (const t of deciding) {
    const s = t.streams.find((x) => !x.fault);
    const bad = s?.window.recent(s.window.size).find((x) => !x.ok || (x.rttMs ?? 0) >= slowMs);
    if (bad && (first === undefined || bad.sentAt < first)) first = bad.sentAt;
  }
  return first;
}

/** Why the deciding targets went quiet, in the words the NOC and the uptime ledger use. */
export function causeOf(
  iface: { name: string; exists: boolean; carrier: boolean | null },
  targets: TargetRuntime[],
  deciding: TargetRuntime[],
  quietSince: number,
): string {
  if (!iface.exists) return `interface ${iface.name} does not exist`;
  if (iface.carrier === false) return "no carrier";
  const decidingRole = deciding[0]?.cfg.role;
  const gateways = targets.filter((t) => t.cfg.role === "gateway" && !t.fault && t.address);
  if (decidingRole !== "datacentre" || gateways.length === 0) {
    return decidingRole === "gateway" ? "gateway unreachable" : "data centre unreachable";
  }
  const gwAnswers = gateways.some((g) => (g.tracker.lastOkAt ?? -Infinity) >= quietSince);
  return gwAnswers ? "data centre unreachable while gateway answers" : "gateway unreachable";
}
