/** A small seeded PRNG (mulberry32) and a smooth random field built from it: deterministic, no I/O. */

export type Random = () => number;

export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal deviate (Box-Muller). */
export function gaussian(rand: Random): number {
  const u = Math.max(1e-12, rand());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/**
 * A smooth field in about -1..1 over a width×height image: a sum of a few random plane waves whose
 * wavelength is near `scale` pixels. Used for pressure, dryness and smudge patches, which vary over
 * millimetres, not pixels.
 */
export function smoothField(
  width: number,
  height: number,
  scale: number,
  rand: Random,
  waves = 6,
): Float32Array {
  const field = new Float32Array(width * height);
  const params: Array<[number, number, number]> = [];
  for (let k = 0; k < waves; k++) {
    const angle = 2 * Math.PI * rand();
    const f = (2 * Math.PI) / (scale * (0.6 + 0.8 * rand()));
    params.push([Math.cos(angle) * f, Math.sin(angle) * f, 2 * Math.PI * rand()]);
  }
  const norm = Math.sqrt(2 / waves);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let v = 0;
      for (const [fx, fy, phase] of params) v += Math.cos(fx * x + fy * y + phase);
      field[y * width + x] = v * norm;
    }
  }
  return field;
}
