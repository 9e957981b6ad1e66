/**
 * Four-finger (slap) scanners: the right four, the left four and the two thumbs on one platen. The
 * device gives one ~1600×1500 image at 500 ppi; we segment it ourselves (slap-segmentation.ts) so
 * the boxes that go into Type-14 SEG do not depend on what a vendor SDK does or does not report.
 */
import type { GrayImage } from "./image.js";
import type { ScannerCheck } from "./scanner.js";

export type SlapKind = "right-four" | "left-four" | "thumbs";

/** FGP codes of the slap images (ANSI/NIST-ITL Table "finger position"). */
export const SLAP_POSITION: Record<SlapKind, number> = { "right-four": 13, "left-four": 14, thumbs: 15 };

/** Finger positions in each slap, left to right in the image as the hand lies on the glass. */
export const SLAP_FINGERS: Record<SlapKind, number[]> = {
  // Right hand palm down: little finger on the image's right, index on the left.
  "right-four": [2, 3, 4, 5],
  // Left hand palm down: little finger on the left, index on the right.
  "left-four": [10, 9, 8, 7],
  // Both thumbs: left thumb on the left of the image, right thumb on the right.
  thumbs: [6, 1],
};

/** One finger found in a slap image. Box is inclusive pixel coordinates. */
export interface SlapSegment {
  position: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
  /** Tilt of the finger's long axis from vertical, degrees, clockwise positive. */
  angleDeg: number;
}

export interface SlapCapture {
  kind: SlapKind;
  image: GrayImage;
  resolutionPpi: number;
  /** The fingers found, in image order; fewer than expected when some are missing. */
  segments: SlapSegment[];
  /** Positions expected but not found (amputated, bandaged or not placed). */
  missing: number[];
  transferMs: number;
}

export interface SlapScanner {
  readonly driver: string;
  check(): Promise<ScannerCheck>;
  /**
   * Captures one slap. `missing` tells the segmenter which fingers were annotated as not present,
   * so it assigns the positions of the fingers it does find correctly.
   */
  captureSlap(
    kind: SlapKind,
    options: { timeoutMs: number; signal?: AbortSignal; missing?: number[] },
  ): Promise<SlapCapture>;
  close(): Promise<void>;
}
