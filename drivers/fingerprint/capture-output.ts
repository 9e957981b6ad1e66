/** Turns a raw capture into what callers receive: PNG, ISO/IEC 19794-4:2005 record and a quality score. */
import { encodeFingerImageRecord, type FingerName } from "./iso19794-4.js";
import { encodeGrayPng } from "./png.js";
import { assessQuality, type QualityScore } from "./quality.js";
import type { ScannerCapture } from "./scanner.js";

export interface CaptureOutputs {
  png: Buffer;
  iso: Buffer;
  quality: QualityScore;
  width: number;
  height: number;
  resolutionPpi: number;
  encodeMs: number;
}

export function buildCaptureOutputs(capture: ScannerCapture, finger: FingerName): CaptureOutputs {
  const started = performance.now();
  const { image, resolutionPpi } = capture;
  const png = encodeGrayPng(image);
  const iso = encodeFingerImageRecord({ image, finger, resolutionPpi });
  const quality = assessQuality(image);
  return {
    png,
    iso,
    quality,
    width: image.width,
    height: image.height,
    resolutionPpi,
    encodeMs: performance.now() - started,
  };
}
