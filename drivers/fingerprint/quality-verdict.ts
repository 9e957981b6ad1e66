/**
 * From a quality score to what station staff are told: accept the print, or ask for it again with the
 * one thing to do differently. Pure. The retake threshold is set so that every print NFIQ 1.0 rates 4 or
 * 5 on the synthetic test set is retaken (test/integration/quality-nfiq.test.ts holds it to that).
 */
import type { QualityScore } from "./quality.js";

/** Below this score a retake is asked for. */
export const RETAKE_BELOW = 60;

export type QualityProblem = "no-finger" | "partial" | "faint" | "smudged" | "noisy" | "unclear";

export interface QualityVerdict {
  accepted: boolean;
  /** The main problem when not accepted (or the main weakness of an accepted but imperfect print). */
  problem: QualityProblem | null;
  /** Plain words for staff, e.g. "too faint: press a little harder". */
  reason: string;
  /** Estimate of the NFIQ 1.0 level (1 best … 5 worst) this score corresponds to. */
  nfiqEquivalent: 1 | 2 | 3 | 4 | 5;
}

/** Exported so the agent's catalogue can be held to the same English words (test/unit/i18n-catalogue.test.ts). */
export const REASONS: Record<QualityProblem, string> = {
  "no-finger": "no finger on the glass: place the finger flat on the scanner",
  partial: "too little of the finger on the glass: place it flat, in the middle, up to the first crease",
  faint: "too faint: press a little harder",
  smudged: "smudged: clean the glass and the finger, then press without sliding",
  noisy: "grainy image: clean the glass; if it stays grainy the scanner needs service",
  unclear: "ridges broken or unclear: a dry finger — breathe on it or moisten it slightly, then press again",
};

export function nfiqEquivalent(score: number): 1 | 2 | 3 | 4 | 5 {
  return score >= 90 ? 1 : score >= 75 ? 2 : score >= RETAKE_BELOW ? 3 : score >= 40 ? 4 : 5;
}

export function judgeQuality(q: QualityScore): QualityVerdict {
  const accepted = q.score >= RETAKE_BELOW;
  const problem = mainProblem(q);
  const reason =
    problem === null
      ? "good print"
      : accepted
        ? `accepted; could be better: ${REASONS[problem]}`
        : REASONS[problem];
  return { accepted, problem, reason, nfiqEquivalent: nfiqEquivalent(q.score) };
}

/** The factor that costs the score most, named as the cause staff can act on. */
function mainProblem(q: QualityScore): QualityProblem | null {
  if (q.coverage === 0 && q.faint < 0.5 && q.smudged < 0.5) return "no-finger";
  if (q.faint >= 0.5 || (q.coverage === 0 && q.faint > 0)) return "faint";
  const losses: Array<[QualityProblem, number]> = [
    ["partial", 1 - q.area],
    ["smudged", q.smudged],
    ["faint", Math.max(1 - q.contrast, q.faint)],
    ["noisy", q.snr > 0 ? clamp01((1.6 - q.snr) / 1.3) : 0],
    ["unclear", 1 - q.clarity],
  ];
  losses.sort((a, b) => b[1] - a[1]);
  const [problem, loss] = losses[0]!;
  return loss < 0.08 ? null : problem;
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}
