/**
 * Deterministic ridge-like test images: a whorl/loop pattern of dark ridges inside an elliptical finger
 * print on a white window, with a little noise. Good enough to exercise packing, PNG, ISO and the quality
 * score; not a biometric sample.
 */
import type { GrayImage, SensorGeometry } from "../image.js";

export interface RidgeImageOptions extends SensorGeometry {
  seed?: number;
  /** Ridges per pixel (real prints at 500 ppi: about 1/9). */
  frequency?: number;
  /** 0..1 of the window the print covers, roughly. 0 gives a blank window (no finger). */
  coverage?: number;
  /** Peak-to-peak ridge contrast, 0..255. */
  contrast?: number;
  noise?: number;
}

export function generateRidgeImage(options: RidgeImageOptions): GrayImage {
  const { width, height } = options;
  const rand = mulberry32(options.seed ?? 1);
  const frequency = options.frequency ?? 1 / 9;
  const coverage = options.coverage ?? 0.75;
  const contrast = options.contrast ?? 220;
  const noise = options.noise ?? 12;
  const cx = width * (0.45 + 0.1 * rand());
  const cy = height * (0.45 + 0.1 * rand());
  const twist = 1 + 2 * rand();
  const rx = (width / 2) * Math.sqrt(coverage) * 1.15;
  const ry = (height / 2) * Math.sqrt(coverage) * 1.15;
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const dx = x - cx;
      const dy = y - cy;
      const r = Math.hypot(dx / 1.0, dy / 1.25);
      const theta = Math.atan2(dy, dx);
      const phase = 2 * Math.PI * frequency * r + twist * Math.sin(theta) + 0.6 * Math.sin(dx / 23);
      const ridge = 0.5 + 0.5 * Math.cos(phase);
      // Soft-edged ellipse: the finger's contact area.
      const e = (dx * dx) / (rx * rx) + (dy * dy) / (ry * ry);
      const inside = coverage <= 0 ? 0 : Math.max(0, Math.min(1, (1.1 - e) / 0.2));
      const value = 255 - inside * contrast * ridge + (rand() - 0.5) * noise;
      pixels[y * width + x] = Math.max(0, Math.min(255, Math.round(value)));
    }
  }
  return { width, height, pixels };
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
