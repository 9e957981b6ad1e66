/**
 * Accept or ask again: the booking's decision for one take. The judgement (score, retake threshold,
 * the reason in words staff can act on, the NFIQ 1.0 equivalent) lives with the quality measure in
 * drivers/fingerprint; this shapes it for the session, which stores the NFIQ level in Type-14 NQM.
 */
import type { GrayImage } from "../../drivers/fingerprint/image.js";
import { assessQuality, type QualityScore } from "../../drivers/fingerprint/quality.js";
import { judgeQuality, type QualityProblem } from "../../drivers/fingerprint/quality-verdict.js";

export interface Verdict {
  accepted: boolean;
  quality: QualityScore;
  /** NFIQ-scale 1 (best) .. 5 (worst). */
  nfiq?: number;
  /** Why a take was rejected, in plain words; absent when accepted. */
  reason?: string;
  /** The same as a stable code, so a client can say it in its reader's language. */
  problem?: QualityProblem;
}

export type JudgeImpression = (image: GrayImage, resolutionPpi: number) => Verdict;

export const judgeImpression: JudgeImpression = (image, resolutionPpi) => {
  const quality = assessQuality(image, resolutionPpi);
  const v = judgeQuality(quality);
  return {
    accepted: v.accepted,
    quality,
    nfiq: v.nfiqEquivalent,
    ...(v.accepted ? {} : { reason: v.reason, ...(v.problem ? { problem: v.problem } : {}) }),
  };
};
