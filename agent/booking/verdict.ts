/**
 * Accept or ask again: the booking's decision for one take, with the reason in words staff can act on.
 * The judgement itself lives with the quality measure in drivers/fingerprint; this maps it onto the
 * booking's answer so the API and CLI say the same thing.
 */
import type { GrayImage } from "../../drivers/fingerprint/image.js";
import { assessQuality, type QualityScore } from "../../drivers/fingerprint/quality.js";

export interface Verdict {
  accepted: boolean;
  quality: QualityScore;
  /** NFIQ-scale 1 (best) .. 5 (worst), when the measure gives one. */
  nfiq?: number;
  /** Why a take was rejected, in plain words; absent when accepted. */
  reason?: string;
}

export type JudgeImpression = (image: GrayImage) => Verdict;

/** Below this coverage the finger did not lie flat on the glass. */
export const MIN_COVERAGE = 0.35;
/** Below this ridge contrast the print is too faint (dry finger) or smudged (wet finger, dirty glass). */
export const MIN_CONTRAST = 0.35;
export const MIN_SCORE = 40;

export const judgeImpression: JudgeImpression = (image) => {
  const quality = assessQuality(image);
  if (quality.coverage < MIN_COVERAGE) {
    return { accepted: false, quality, reason: "too little of the finger on the glass; press it flat" };
  }
  if (quality.contrast < MIN_CONTRAST) {
    return {
      accepted: false,
      quality,
      reason: "the print is faint or smudged; wipe the glass and the finger, then press firmly",
    };
  }
  if (quality.score < MIN_SCORE) {
    return { accepted: false, quality, reason: "the print is not clear enough; take it again" };
  }
  return { accepted: true, quality };
};
