/** Synthetic sample data for tests, the demo and the benchmarks: no real person's fingerprint is ever used. */
import type { Gray } from "../bitmap.js";

/** A 256x288 grey image with whorl-like ridges, the size an R30x-class sensor uploads. */
export function syntheticFingerprint(width = 256, height = 288, seed = 7): Gray {
  const data = new Uint8Array(width * height);
  let s = seed;
  const rand = (): number => (s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const cx = width / 2 + 6;
  const cy = height / 2 - 10;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const dx = (x - cx) / (width * 0.42);
      const dy = (y - cy) / (height * 0.45);
      const r = Math.hypot(dx, dy);
      if (r > 1) {
        data[y * width + x] = 235 + Math.floor(rand() * 20);
        continue;
      }
      const angle = Math.atan2(dy, dx);
      // Whole multiples of the angle keep the pattern continuous across atan2's jump at ±π.
      const ridge = Math.sin(r * 70 + angle + Math.sin(angle * 3) * 0.8);
      const fade = 1 - r * r * 0.5;
      const v = 128 + ridge * 110 * fade + (rand() - 0.5) * 50;
      data[y * width + x] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  return { width, height, data };
}

/** A horizontal grey ramp: every dither level appears, which makes round-trip checks meaningful. */
export function grayRamp(width: number, height: number): Gray {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) data[y * width + x] = Math.round((x * 255) / (width - 1));
  return { width, height, data };
}
