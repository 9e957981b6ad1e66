// The ten synthetic fingers: deterministic, distinct, with ridges at the right period inside a fingertip.
import { describe, expect, it } from "vitest";
import { DEGRADATIONS, degrade, syntheticFinger } from "../../drivers/fingerprint/synthetic/index.js";
import { assessQuality } from "../../drivers/fingerprint/quality.js";

/** Period down a column near the fingertip's top, where ridges run across: mean distance between dark runs. */
function columnPeriod(pixels: Uint8Array, width: number, x: number, y0: number, y1: number): number {
  const starts: number[] = [];
  let dark = false;
  for (let y = y0; y < y1; y++) {
    const d = pixels[y * width + x]! < 150;
    if (d && !dark) starts.push(y);
    dark = d;
  }
  return (starts[starts.length - 1]! - starts[0]!) / (starts.length - 1);
}

describe("syntheticFinger", () => {
  it("is deterministic and returns independent copies", () => {
    const a = syntheticFinger(3, { width: 256, height: 288 });
    const b = syntheticFinger(3, { width: 256, height: 288 });
    expect(Buffer.from(a.pixels).equals(Buffer.from(b.pixels))).toBe(true);
    a.pixels[0] = 0;
    expect(syntheticFinger(3, { width: 256, height: 288 }).pixels[0]).not.toBe(0);
  });

  it("gives ten distinct fingers with white glass around a dark-ridged fingertip", () => {
    const fingers = Array.from({ length: 10 }, (_, i) => syntheticFinger(i + 1));
    for (const f of fingers) {
      expect(f).toMatchObject({ width: 500, height: 500, ppi: 500 });
      expect(f.pixels[0]).toBeGreaterThan(235); // corner: glass
      const q = assessQuality(f);
      expect(q.coverage).toBeGreaterThan(0.35);
      expect(q.score).toBeGreaterThan(60);
    }
    for (let i = 0; i < 10; i++) {
      for (let j = i + 1; j < 10; j++) {
        let diff = 0;
        for (let k = 0; k < 250_000; k += 7)
          diff += Math.abs(fingers[i]!.pixels[k]! - fingers[j]!.pixels[k]!);
        expect(diff / (250_000 / 7)).toBeGreaterThan(20);
      }
    }
  });

  it("has ridges about 9 px apart at 500 ppi, scaling with ppi", () => {
    const f = syntheticFinger(2);
    const p500 = columnPeriod(f.pixels, 500, 250, 60, 200);
    expect(p500).toBeGreaterThan(7);
    expect(p500).toBeLessThan(12.5);
    const g = syntheticFinger(2, { width: 800, height: 800, ppi: 1000 });
    const p1000 = columnPeriod(g.pixels, 800, 400, 70, 300);
    expect(p1000 / p500).toBeGreaterThan(1.6);
    expect(p1000 / p500).toBeLessThan(2.4);
  });

  it("another impression of the same finger differs a little, not entirely", () => {
    const a = syntheticFinger(4, { width: 256, height: 288 });
    const b = syntheticFinger(4, { width: 256, height: 288, seed: 5 });
    expect(Buffer.from(a.pixels).equals(Buffer.from(b.pixels))).toBe(false);
  });

  it("rejects positions outside 1..10", () => {
    expect(() => syntheticFinger(0)).toThrow(RangeError);
    expect(() => syntheticFinger(11)).toThrow(RangeError);
    expect(() => syntheticFinger(2.5)).toThrow(RangeError);
  });
});

describe("degrade", () => {
  it("lowers our quality score for every kind of damage, more for more", () => {
    const clean = syntheticFinger(6, { width: 256, height: 288 });
    const base = assessQuality(clean).score;
    for (const kind of DEGRADATIONS) {
      const half = assessQuality(degrade(clean, kind, 0.5)).score;
      const full = assessQuality(degrade(clean, kind, 1)).score;
      expect(full, kind).toBeLessThanOrEqual(half);
      expect(full, kind).toBeLessThan(base);
    }
    expect(Buffer.from(degrade(clean, "noisy", 0).pixels).equals(Buffer.from(clean.pixels))).toBe(true);
    expect(() => degrade(clean, "dry", 1.5)).toThrow(RangeError);
  });
});
