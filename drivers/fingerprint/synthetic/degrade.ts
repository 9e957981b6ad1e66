/**
 * Realistic ways a capture goes wrong, for quality tests: each takes a clean impression and an amount
 * (0 = unchanged … 1 = as bad as it gets) and returns a new image. Pure and deterministic.
 */
import type { FingerImage } from "./finger.js";
import { gaussian, seededRandom, smoothField } from "./random.js";

export type Degradation = "low-contrast" | "partial" | "smudged" | "dry" | "noisy";
export const DEGRADATIONS: readonly Degradation[] = ["low-contrast", "partial", "smudged", "dry", "noisy"];

export function degrade(image: FingerImage, kind: Degradation, amount: number, seed = 1): FingerImage {
  if (!(amount >= 0 && amount <= 1)) throw new RangeError(`degrade amount must be 0..1, got ${amount}`);
  const out = { ...image, pixels: image.pixels.slice() };
  switch (kind) {
    case "low-contrast":
      return lowContrast(out, amount);
    case "partial":
      return partial(out, amount, seed);
    case "smudged":
      return smudged(out, amount, seed);
    case "dry":
      return dry(out, amount, seed);
    case "noisy":
      return noisy(out, amount, seed);
  }
}

/** A light touch or a dirty window: ridges fade towards the glass's grey. */
function lowContrast(img: FingerImage, amount: number): FingerImage {
  const keep = 1 - 0.93 * amount;
  const floor = 250 - 30 * amount;
  const px = img.pixels;
  for (let i = 0; i < px.length; i++) px[i] = Math.round(floor - (255 - px[i]!) * keep * (floor / 255));
  return img;
}

/**
 * The finger placed off the window or only its tip pressed: everything beyond a cut line is blank glass.
 * `amount` is roughly the fraction of the window lost, cut from below and from one side.
 */
function partial(img: FingerImage, amount: number, seed: number): FingerImage {
  const { width, height, pixels } = img;
  const rand = seededRandom(seed);
  const side = Math.sqrt(1 - 0.9 * amount);
  const keepX = width * side;
  const keepY = height * side;
  const fromLeft = rand() < 0.5;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sx = fromLeft ? width - 1 - x : x;
      const beyond = Math.max(sx - keepX, y - keepY);
      const fade = Math.max(0, Math.min(1, beyond / 6 + 0.5));
      const i = y * width + x;
      pixels[i] = clampByte(pixels[i]! * (1 - fade) + (250 + gaussian(rand) * 2) * fade);
    }
  }
  return img;
}

/** Sweat or a moving finger: ridges run together into dark patches that no longer show valleys. */
function smudged(img: FingerImage, amount: number, seed: number): FingerImage {
  const { width, height, pixels } = img;
  const radius = Math.max(1, Math.round(amount * 7 * (img.ppi / 500)));
  const blurred = boxBlur(boxBlur(pixels, width, height, radius), width, height, radius);
  const patches = smoothField(width, height, 0.35 * img.ppi, seededRandom(seed), 5);
  for (let i = 0; i < pixels.length; i++) {
    const original = pixels[i]!;
    const ink = 255 - blurred[i]!;
    // Where the finger left ink the smear darkens it; patches decide how much of the print is hit.
    const hit = Math.max(0, Math.min(1, amount * (1.7 + patches[i]!)));
    const smear = 255 - Math.min(230, ink * (1 + 0.6 * amount));
    pixels[i] = Math.round(original * (1 - hit) + smear * hit);
  }
  return img;
}

/** A dry finger: ridges break up into dots and dashes and come out light. */
function dry(img: FingerImage, amount: number, seed: number): FingerImage {
  const { width, height, pixels } = img;
  const rand = seededRandom(seed);
  const breaks = smoothField(width, height, 0.03 * img.ppi, rand, 12);
  for (let i = 0; i < pixels.length; i++) {
    const lift = Math.max(0, Math.min(1, (amount * 1.6 - 0.4 - breaks[i]! * 0.5) * 1.5));
    pixels[i] = Math.round(pixels[i]! + (250 - pixels[i]!) * lift * 0.9);
  }
  return lowContrast(img, amount * 0.3);
}

/** Sensor or transmission noise. */
function noisy(img: FingerImage, amount: number, seed: number): FingerImage {
  const rand = seededRandom(seed);
  const px = img.pixels;
  const sigma = 70 * amount;
  for (let i = 0; i < px.length; i++) px[i] = clampByte(px[i]! + gaussian(rand) * sigma);
  return img;
}

function boxBlur(src: Uint8Array, width: number, height: number, r: number): Uint8Array {
  const tmp = new Float32Array(src.length);
  const out = new Uint8Array(src.length);
  const n = 2 * r + 1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let k = -r; k <= r; k++) s += src[row + Math.min(width - 1, Math.max(0, x + k))]!;
      tmp[row + x] = s / n;
    }
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let k = -r; k <= r; k++) s += tmp[Math.min(height - 1, Math.max(0, y + k)) * width + x]!;
      out[y * width + x] = Math.round(s / n);
    }
  }
  return out;
}

function clampByte(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}
