/** A session's progress as the API, the CLI and events show it (no name, no images). */
import { describePosition, type Plan, type Position } from "./plan.js";
import type { SessionState } from "./session-store.js";

export interface PositionProgress {
  position: Position;
  words: string;
  status: "to-take" | "retake" | "accepted" | "kept-flagged" | "annotated";
  attempts: number;
  quality?: number;
  nfiq?: number;
  reason?: string;
  annotation?: string;
}

export interface Progress {
  id: string;
  plan: Plan;
  reference: string;
  createdAt: string;
  updatedAt: string;
  positions: PositionProgress[];
  /** Positions still to take, in order; sealing is allowed when this is empty. */
  remaining: Position[];
  next: Position | null;
  taken: number;
  annotated: number;
  flagged: number;
  sealable: boolean;
}

export function progressOf(state: SessionState, maxRejections: number): Progress {
  const positions = state.positions.map((p): PositionProgress => {
    const base = { position: p.position, words: describePosition(p.position), attempts: p.attempts };
    if (p.annotation) return { ...base, status: "annotated", annotation: p.annotation };
    if (!p.best) return { ...base, status: "to-take" };
    const q = {
      quality: p.best.quality.score,
      ...(p.best.nfiq !== undefined ? { nfiq: p.best.nfiq } : {}),
      ...(p.best.reason ? { reason: p.best.reason } : {}),
    };
    if (p.best.accepted) return { ...base, ...q, status: "accepted" };
    return { ...base, ...q, status: p.rejections >= maxRejections ? "kept-flagged" : "retake" };
  });
  const remaining = positions
    .filter((p) => p.status === "to-take" || p.status === "retake")
    .map((p) => p.position);
  return {
    id: state.id,
    plan: state.plan,
    reference: state.person.reference,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
    positions,
    remaining,
    next: remaining[0] ?? null,
    taken: positions.filter((p) => p.status === "accepted" || p.status === "kept-flagged").length,
    annotated: positions.filter((p) => p.status === "annotated").length,
    flagged: positions.filter((p) => p.status === "kept-flagged").length,
    sealable: remaining.length === 0,
  };
}

/** For the booking.sealed event: the spread of kept qualities. */
export function qualitySummary(state: SessionState): { min: number; mean: number; max: number } | null {
  const scores = state.positions.flatMap((p) => (p.best ? [p.best.quality.score] : []));
  if (scores.length === 0) return null;
  const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
  return { min: Math.min(...scores), mean: Math.round(mean), max: Math.max(...scores) };
}
