// Our WSQ codec against NIST's reference cwsq/dwsq on synthetic fingers of both booking sizes.
import { expect, it } from "vitest";
import { decodeWsq, encodeWsq } from "../../drivers/fingerprint/wsq/index.js";
import { syntheticFinger, degrade } from "../../drivers/fingerprint/synthetic/index.js";
import { cwsq, describeWithNbis, dwsq, psnr, runNbis, scratchDir } from "../support/nbis.js";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const CASES = [
  { position: 1, width: 500, height: 500 },
  { position: 4, width: 500, height: 500 },
  { position: 7, width: 500, height: 500 },
  { position: 3, width: 800, height: 750 },
  { position: 9, width: 800, height: 750 },
  // Odd sides: every subband split is uneven, which is where layouts go wrong.
  { position: 8, width: 257, height: 301 },
];

describeWithNbis("WSQ against NBIS cwsq/dwsq", ["cwsq", "dwsq", "rdwsqcom"], () => {
  for (const c of CASES) {
    it(`finger ${c.position} at ${c.width}×${c.height}: interchangeable with NBIS at 0.75 bpp`, () => {
      const image = syntheticFinger(c.position, { width: c.width, height: c.height });
      const ours = encodeWsq(image, { bitrate: 0.75 });
      const theirs = cwsq(image, 0.75);

      // NBIS decodes our file, and it is as good as NBIS's own at the same rate.
      const nbisOfOurs = dwsq(ours);
      const nbisOfTheirs = dwsq(theirs);
      expect(nbisOfOurs.length).toBe(c.width * c.height);
      const ourPsnr = psnr(image.pixels, nbisOfOurs);
      const theirPsnr = psnr(image.pixels, nbisOfTheirs);
      expect(Math.abs(ourPsnr - theirPsnr), `ours ${ourPsnr} dB, cwsq ${theirPsnr} dB`).toBeLessThan(0.5);
      expect(ourPsnr).toBeGreaterThan(20);

      // Our decoder reads cwsq's file as dwsq does (float rounding may move a pixel by one level).
      const decoded = decodeWsq(theirs);
      expect(decoded).toMatchObject({ width: c.width, height: c.height, ppi: 500 });
      expect(psnr(decoded.pixels, nbisOfTheirs)).toBeGreaterThan(60);
      let worst = 0;
      for (let i = 0; i < decoded.pixels.length; i++) {
        worst = Math.max(worst, Math.abs(decoded.pixels[i]! - nbisOfTheirs[i]!));
      }
      expect(worst).toBeLessThanOrEqual(1);

      // Same bit allocation: the size tracks cwsq's and stays under the target rate.
      expect(Math.abs(ours.length - theirs.length) / theirs.length).toBeLessThan(0.03);
      expect((ours.length * 8) / (c.width * c.height)).toBeLessThanOrEqual(0.75 * 1.05);
    });
  }

  it("tracks cwsq at a higher rate and on a noisy, low-contrast print too", () => {
    const image = degrade(degrade(syntheticFinger(5), "noisy", 0.15), "low-contrast", 0.4);
    for (const bitrate of [0.75, 2.25]) {
      const ours = encodeWsq(image, { bitrate });
      const theirs = cwsq(image, bitrate);
      const diff = psnr(image.pixels, dwsq(ours)) - psnr(image.pixels, dwsq(theirs));
      expect(Math.abs(diff), `at ${bitrate} bpp`).toBeLessThan(0.5);
      expect(Math.abs(ours.length - theirs.length) / theirs.length).toBeLessThan(0.03);
    }
  });

  it("writes a NISTCOM that NBIS reads, and a free comment beside it", () => {
    const image = syntheticFinger(2, { width: 256, height: 288, ppi: 500 });
    const bytes = encodeWsq(image, { comment: "station-agent booking" });
    const { dir, cleanup } = scratchDir();
    try {
      writeFileSync(join(dir, "a.wsq"), bytes);
      const text = runNbis("rdwsqcom", [join(dir, "a.wsq")]);
      expect(text).toContain("PPI 500");
      expect(text).toContain("PIX_WIDTH 256");
      expect(text).toContain("station-agent booking");
    } finally {
      cleanup();
    }
    expect(decodeWsq(bytes).comments).toEqual([expect.stringContaining("NIST_COM"), "station-agent booking"]);
  });
});
