/**
 * A documented, simple image quality score. It is NOT NFIQ: it says whether enough of the window holds
 * ridges and whether they stand out, which is what decides "ask the arrestee to press again".
 *
 * The image is cut into 16×16 blocks. A block is foreground when its grey-level standard deviation is at
 * least 14 (blank glass and 4-bit quantisation noise stay below that; ridges are far above).
 *   coverage C = foreground blocks / all blocks
 *   contrast K = mean over foreground blocks of min(1, σ / 64)   (a clean full-range ridge pattern has σ ≈ 90)
 *   score      = round(100 × min(1, C / 0.6) × K)                (a plain press fills ≥ 60 % of the window)
 */
import type { GrayImage } from "./image.js";

export const QUALITY_METHOD = "coverage-contrast-v1";
export const QUALITY_BLOCK = 16;
export const FOREGROUND_MIN_STDDEV = 14;
export const CONTRAST_FULL_STDDEV = 64;
export const COVERAGE_FULL = 0.6;

export interface QualityScore {
  /** 0..100, higher is better. */
  score: number;
  /** Fraction of blocks that hold ridges, 0..1. */
  coverage: number;
  /** Mean normalised ridge contrast over the foreground, 0..1. */
  contrast: number;
  method: typeof QUALITY_METHOD;
}

export function assessQuality(image: GrayImage): QualityScore {
  const { width, height, pixels } = image;
  let blocks = 0;
  let foreground = 0;
  let contrastSum = 0;
  for (let by = 0; by + QUALITY_BLOCK <= height; by += QUALITY_BLOCK) {
    for (let bx = 0; bx + QUALITY_BLOCK <= width; bx += QUALITY_BLOCK) {
      let sum = 0;
      let sumSq = 0;
      for (let y = by; y < by + QUALITY_BLOCK; y++) {
        const row = y * width;
        for (let x = bx; x < bx + QUALITY_BLOCK; x++) {
          const p = pixels[row + x]!;
          sum += p;
          sumSq += p * p;
        }
      }
      const n = QUALITY_BLOCK * QUALITY_BLOCK;
      const mean = sum / n;
      const std = Math.sqrt(Math.max(0, sumSq / n - mean * mean));
      blocks++;
      if (std >= FOREGROUND_MIN_STDDEV) {
        foreground++;
        contrastSum += Math.min(1, std / CONTRAST_FULL_STDDEV);
      }
    }
  }
  const coverage = blocks === 0 ? 0 : foreground / blocks;
  const contrast = foreground === 0 ? 0 : contrastSum / foreground;
  const score = Math.round(100 * Math.min(1, coverage / COVERAGE_FULL) * contrast);
  return { score, coverage: round3(coverage), contrast: round3(contrast), method: QUALITY_METHOD };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
