/**
 * Ten distinct synthetic fingers, one per ANSI/NIST finger position (1 right thumb … 10 left little).
 * Each has its own pattern class, singular points, ridge period, fingertip shape and pressure, so
 * quality scoring, WSQ and matching see real ridge structure. Pure, deterministic, cached per request.
 */
import { modelFor, ridgeOrientation, type PatternClass } from "./orientation.js";
import { growRidges } from "./ridges.js";
import { gaussian, seededRandom, smoothField } from "./random.js";

export interface FingerImage {
  width: number;
  height: number;
  ppi: number;
  /** 8-bit grey, row-major, top row first; 255 = white glass, dark = ridges. */
  pixels: Uint8Array;
}

export interface SyntheticFingerOptions {
  width?: number;
  height?: number;
  ppi?: number;
  /** Varies the impression (noise, ridge seeds, placement) while keeping the finger's pattern. */
  seed?: number;
  pattern?: PatternClass;
}

/** The pattern class of each position: a plausible mix (whorls and loops common, arches rare). */
export const FINGER_PATTERNS: Readonly<Record<number, PatternClass>> = {
  1: "whorl",
  2: "loop-left",
  3: "tented-arch",
  4: "loop-right",
  5: "loop-right",
  6: "whorl",
  7: "arch",
  8: "loop-left",
  9: "whorl",
  10: "loop-left",
};

const cache = new Map<string, FingerImage>();
const CACHE_LIMIT = 32;

export function syntheticFinger(position: number, options: SyntheticFingerOptions = {}): FingerImage {
  if (!Number.isInteger(position) || position < 1 || position > 10) {
    throw new RangeError(`finger position must be 1..10, got ${position}`);
  }
  const width = options.width ?? 500;
  const height = options.height ?? 500;
  const ppi = options.ppi ?? 500;
  const seed = options.seed ?? 0;
  const pattern = options.pattern ?? FINGER_PATTERNS[position]!;
  if (!(width >= 16 && height >= 16 && width <= 4096 && height <= 4096)) {
    throw new RangeError(`finger image size must be 16..4096 pixels a side, got ${width}×${height}`);
  }
  const key = `${position}/${width}/${height}/${ppi}/${seed}/${pattern}`;
  const hit = cache.get(key);
  if (hit) return { ...hit, pixels: hit.pixels.slice() };
  const image = render(position, width, height, ppi, seed, pattern);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(key, image);
  return { ...image, pixels: image.pixels.slice() };
}

function render(
  position: number,
  width: number,
  height: number,
  ppi: number,
  seed: number,
  pattern: PatternClass,
): FingerImage {
  // The finger's own traits come from the position; the impression's from the seed too.
  const traits = seededRandom(position * 7919);
  const impression = seededRandom(position * 7919 + 104729 * (seed + 1));
  const thumb = position === 1 || position === 6;
  const little = position === 5 || position === 10;
  const period = ((thumb ? 9.8 : little ? 8.2 : 9) + (traits() - 0.5) * 0.6) * (ppi / 500);
  // Fingertip contact: about 0.4 × 0.55 inch half-axes for a thumb, less for a little finger, but never
  // more than the window (small sensors see only part of the finger, as real ones do).
  const size = thumb ? 1.1 : little ? 0.8 : 0.95;
  const rx = Math.min(0.45 * width, 0.36 * ppi * size);
  const ry = Math.min(0.5 * height, 0.5 * ppi * size);
  const cx = width * (0.5 + (impression() - 0.5) * 0.06);
  const cy = height * (0.53 + (impression() - 0.5) * 0.06);
  const model = modelFor(pattern, cx, cy, rx, ry, traits);
  const tilt = (traits() - 0.5) * 0.25;

  const n = width * height;
  const orientation = new Float32Array(n);
  const mask = new Float32Array(n);
  const growMask = new Float32Array(n);
  const edgeWobble = smoothField(width, height, 0.5 * ppi, impression, 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      orientation[i] = ridgeOrientation(model, x, y) + tilt;
      const dx = (x - cx) / rx;
      // The fingertip is rounder at the top; the lower edge is the first crease, flatter.
      const dy = (y - cy) / (y < cy ? ry : ry * 1.15);
      const e = Math.sqrt(dx * dx + dy * dy) + 0.015 * edgeWobble[i]!;
      mask[i] = Math.max(0, Math.min(1, (1 - e) / 0.08));
      growMask[i] = e < 1.12 ? 1 : 0;
    }
  }
  const ridges = growRidges({ width, height, period, orientation, mask: growMask, rand: impression });
  const pressure = smoothField(width, height, 0.5 * ppi, impression, 5);
  const pores = seededRandom(position * 31 + seed);
  const darkness = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const m = mask[i]!;
    // Harder pressure widens ridges and darkens them; light pressure at the edge thins them out.
    const p = 0.12 * pressure[i]! + 0.25 * (m - 1);
    const ink = smoothstep(-0.55, 0.45, ridges[i]! + p);
    darkness[i] = 200 * m * (0.85 + 0.12 * pressure[i]!) * ink;
  }
  // The scanner's optics soften ridge edges a little; its sensor then adds grain.
  const soft = blur121(blur121(darkness, width, height, 1), width, height, width);
  const pixels = new Uint8Array(n);
  for (let i = 0; i < n; i++) pixels[i] = clampByte(250 - soft[i]! + gaussian(pores) * 4);
  return { width, height, ppi, pixels };
}

/** [1 2 1]/4 along rows (step 1) or columns (step width), edges repeated. */
function blur121(src: Float32Array, width: number, height: number, step: number): Float32Array {
  const out = new Float32Array(src.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const atStart = step === 1 ? x === 0 : y === 0;
      const atEnd = step === 1 ? x === width - 1 : y === height - 1;
      out[i] = (src[atStart ? i : i - step]! + 2 * src[i]! + src[atEnd ? i : i + step]!) / 4;
    }
  }
  return out;
}

function smoothstep(lo: number, hi: number, v: number): number {
  const t = Math.max(0, Math.min(1, (v - lo) / (hi - lo)));
  return t * t * (3 - 2 * t);
}

function clampByte(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}
