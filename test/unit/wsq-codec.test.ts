// WSQ codec on its own: round trips, rate control, and bad input that must end in WsqFormatError.
import { describe, expect, it } from "vitest";
import { WsqFormatError, decodeWsq, encodeWsq } from "../../drivers/fingerprint/wsq/index.js";
import { syntheticFinger } from "../../drivers/fingerprint/synthetic/index.js";
import { seededRandom } from "../../drivers/fingerprint/synthetic/random.js";
import { psnr } from "../support/nbis.js";

const finger = syntheticFinger(6, { width: 300, height: 320 });
const encoded = encodeWsq(finger);

describe("WSQ round trip", () => {
  it("decodes its own output to the same geometry, resolution and a faithful image", () => {
    const out = decodeWsq(encoded);
    expect(out).toMatchObject({ width: 300, height: 320, ppi: 500 });
    expect(psnr(finger.pixels, out.pixels)).toBeGreaterThan(22);
    expect([encoded[0], encoded[1], encoded.at(-2), encoded.at(-1)]).toEqual([0xff, 0xa0, 0xff, 0xa1]);
  });

  it("spends more bits for a higher bitrate and gets a better image for them", () => {
    const low = encodeWsq(finger, { bitrate: 0.5 });
    const high = encodeWsq(finger, { bitrate: 2.25 });
    expect(high.length).toBeGreaterThan(low.length * 2);
    expect(psnr(finger.pixels, decodeWsq(high).pixels)).toBeGreaterThan(
      psnr(finger.pixels, decodeWsq(low).pixels) + 5,
    );
  });

  it("handles odd sizes (every subband split uneven)", () => {
    const odd = syntheticFinger(8, { width: 257, height: 301 });
    const out = decodeWsq(encodeWsq(odd, { bitrate: 1.5 }));
    expect(out).toMatchObject({ width: 257, height: 301 });
    expect(psnr(odd.pixels, out.pixels)).toBeGreaterThan(22);
  });

  it("is deterministic", () => {
    expect(Buffer.from(encodeWsq(finger)).equals(Buffer.from(encoded))).toBe(true);
  });

  it("refuses images it cannot code, with the reason", () => {
    expect(() => encodeWsq({ width: 200, height: 300, ppi: 500, pixels: new Uint8Array(60000) })).toThrow(
      /at least 256×256/,
    );
    expect(() => encodeWsq({ ...finger, pixels: finger.pixels.subarray(1) })).toThrow(WsqFormatError);
    expect(() => encodeWsq(finger, { bitrate: 0 })).toThrow(RangeError);
  });
});

describe("WSQ decoder on bad input", () => {
  it("rejects empty, foreign and garbage bytes", () => {
    for (const bad of [
      new Uint8Array(0),
      new Uint8Array([0xff]),
      new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a]),
      new Uint8Array([0xff, 0xa0, 0xff, 0xa1]),
      Uint8Array.from({ length: 5000 }, (_, i) => (i * 7919) & 0xff),
    ]) {
      expect(() => decodeWsq(bad)).toThrow(WsqFormatError);
    }
  });

  it("rejects every truncation with WsqFormatError, never another error or a hang", () => {
    for (let cut = 0; cut < encoded.length - 2; cut += Math.max(1, Math.floor(encoded.length / 300))) {
      let error: unknown;
      try {
        decodeWsq(encoded.subarray(0, cut));
      } catch (e) {
        error = e;
      }
      expect(error, `cut at ${cut}`).toBeInstanceOf(WsqFormatError);
    }
  });

  it("either decodes or rejects with WsqFormatError when bytes are corrupted", () => {
    const rand = seededRandom(99);
    let rejected = 0;
    for (let trial = 0; trial < 150; trial++) {
      const bad = encoded.slice();
      for (let k = 0; k < 3; k++) bad[Math.floor(rand() * 1200)] = Math.floor(rand() * 256);
      try {
        const out = decodeWsq(bad);
        expect(out.pixels.length).toBe(out.width * out.height);
      } catch (e) {
        expect(e, `trial ${trial}: ${(e as Error).message}`).toBeInstanceOf(WsqFormatError);
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(0);
  });
});
