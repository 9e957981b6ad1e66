import { describe, expect, it } from "vitest";
import { composeSlap, type PlacedFinger } from "../../drivers/fingerprint/emulator/slap-image.js";
import { cropSegment, segmentSlap } from "../../drivers/fingerprint/slap-segmentation.js";
import type { SlapKind, SlapSegment } from "../../drivers/fingerprint/slap-scanner.js";
import { degrade } from "../../drivers/fingerprint/synthetic/index.js";

/** Each placed finger's centre lies in the segment given its position, and the slant is close. */
function expectMatches(segments: SlapSegment[], placed: PlacedFinger[], slantTolerance = 4): void {
  expect(segments.map((s) => s.position)).toEqual(placed.map((p) => p.position));
  for (const [i, p] of placed.entries()) {
    const s = segments[i]!;
    expect(p.cx, `finger ${p.position} x`).toBeGreaterThan(s.left);
    expect(p.cx).toBeLessThan(s.right);
    expect(p.cy, `finger ${p.position} y`).toBeGreaterThan(s.top);
    expect(p.cy).toBeLessThan(s.bottom);
    // A fingertip is about 0.6 × 0.9 inch: the box is finger-sized, not the whole platen.
    expect(s.right - s.left).toBeLessThan(450);
    expect(s.bottom - s.top).toBeLessThan(650);
    expect(Math.abs(s.angleDeg - p.angleDeg), `finger ${p.position} slant`).toBeLessThan(slantTolerance);
  }
}

describe("slap segmentation", () => {
  for (const kind of ["right-four", "left-four", "thumbs"] as SlapKind[]) {
    it(`finds every finger of a ${kind} slap, with its position and slant`, () => {
      const { image, placed } = composeSlap(kind, { seed: 3 });
      const result = segmentSlap(image, { kind });
      expectMatches(result.segments, placed);
      expect(result.missing).toEqual([]);
    });
  }

  it("skips an amputated finger's position and still names the others right", () => {
    const { image, placed } = composeSlap("left-four", { missing: [8], seed: 1 });
    const result = segmentSlap(image, { kind: "left-four", missing: [8] });
    expectMatches(result.segments, placed);
    expect(result.missing).toEqual([8]);
  });

  for (const spread of [0.8, 0.72]) {
    it(`splits fingers pressed together (spread ${spread})`, () => {
      const { image, placed } = composeSlap("right-four", { spread, seed: 2 });
      const result = segmentSlap(image, { kind: "right-four" });
      // Overlapping fingers are cut straight, so their slant is only roughly right.
      expectMatches(result.segments, placed, 12);
    });
  }

  for (const kind of ["right-four", "left-four"] as SlapKind[]) {
    it(`boxes the fingertips, not the middle phalanges below them (${kind})`, () => {
      const { image, placed } = composeSlap(kind, { phalanges: true, spread: 0.85, seed: 13 });
      const result = segmentSlap(image, { kind });
      expectMatches(result.segments, placed);
      // The tip's print ends about 0.55 inch below its centre; the phalanx starts right after.
      for (const [i, p] of placed.entries()) expect(result.segments[i]!.bottom).toBeLessThan(p.cy + 330);
    });
  }

  it("finds faint fingers (low contrast) too", () => {
    const { image, placed } = composeSlap("thumbs", { seed: 4 });
    const faint = degrade({ ...image, ppi: 500 }, "low-contrast", 0.7);
    expectMatches(segmentSlap(faint, { kind: "thumbs" }).segments, placed);
  });

  it("crops a finger out by its box", () => {
    const image = { width: 5, height: 4, pixels: Uint8Array.from({ length: 20 }, (_, i) => i) };
    expect(cropSegment(image, { left: 1, right: 3, top: 2, bottom: 3 })).toEqual({
      width: 3,
      height: 2,
      pixels: Uint8Array.of(11, 12, 13, 16, 17, 18),
    });
    expect(() => cropSegment(image, { left: 1, right: 5, top: 0, bottom: 1 })).toThrow(RangeError);
  });

  it("reports every finger missing on an empty platen", () => {
    const blank = { width: 1600, height: 1500, pixels: new Uint8Array(1600 * 1500).fill(248) };
    expect(segmentSlap(blank, { kind: "right-four" })).toEqual({ segments: [], missing: [2, 3, 4, 5] });
    expect(() =>
      segmentSlap({ width: 10, height: 10, pixels: new Uint8Array(100) }, { kind: "thumbs" }),
    ).toThrow(RangeError);
  });
});
