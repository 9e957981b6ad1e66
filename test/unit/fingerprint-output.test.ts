import { describe, expect, it } from "vitest";
import {
  R30X_SENSOR,
  pack4BitImage,
  quantizeTo4Bit,
  unpack4BitImage,
  type GrayImage,
} from "../../drivers/fingerprint/image.js";
import { decodeGrayPng, encodeGrayPng } from "../../drivers/fingerprint/png.js";
import {
  FIR_QUALITY_UNDEFINED,
  decodeFingerImageRecord,
  encodeFingerImageRecord,
} from "../../drivers/fingerprint/iso19794-4.js";
import { assessQuality } from "../../drivers/fingerprint/quality.js";
import { RETAKE_BELOW, judgeQuality, nfiqEquivalent } from "../../drivers/fingerprint/quality-verdict.js";
import { degrade, syntheticFinger } from "../../drivers/fingerprint/synthetic/index.js";
import { generateRidgeImage } from "../../drivers/fingerprint/emulator/ridge-image.js";
import { resampleUart } from "../../drivers/fingerprint/emulator/uart-garble.js";

describe("4-bit image unpacking", () => {
  it("puts the high nibble on the left and expands ×17", () => {
    const img = unpack4BitImage(Buffer.from([0xf0, 0x1e]), { width: 4, height: 1 });
    expect([...img.pixels]).toEqual([255, 0, 17, 238]);
  });

  it("round-trips the module packing for a full 256×288 frame", () => {
    const source = generateRidgeImage({ ...R30X_SENSOR, seed: 3 });
    const packed = pack4BitImage(source);
    expect(packed.length).toBe(36864);
    expect(
      Buffer.from(unpack4BitImage(packed, R30X_SENSOR).pixels).equals(
        Buffer.from(quantizeTo4Bit(source).pixels),
      ),
    ).toBe(true);
  });

  it("rejects a short upload", () => {
    expect(() => unpack4BitImage(Buffer.alloc(100), R30X_SENSOR)).toThrow(/needs 36864/);
  });
});

describe("PNG", () => {
  it("writes 8-bit grayscale that decodes to the same pixels", () => {
    const img = quantizeTo4Bit(generateRidgeImage({ ...R30X_SENSOR, seed: 5 }));
    const png = encodeGrayPng(img);
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    expect(png[25]).toBe(0); // IHDR colour type: grayscale
    expect(png[24]).toBe(8); // bit depth
    const back = decodeGrayPng(png);
    expect([back.width, back.height]).toEqual([256, 288]);
    expect(Buffer.from(back.pixels).equals(Buffer.from(img.pixels))).toBe(true);
  });
});

describe("ISO/IEC 19794-4:2005 record", () => {
  const image: GrayImage = {
    width: 4,
    height: 2,
    pixels: Uint8Array.from([0, 17, 34, 51, 68, 85, 102, 255]),
  };

  it("writes the general header and view header byte by byte", () => {
    const rec = encodeFingerImageRecord({ image, finger: "left-index", resolutionPpi: 500 });
    expect(rec.length).toBe(32 + 14 + 8);
    expect(rec.subarray(0, 32).toString("hex")).toBe(
      [
        "46495200", // FIR\0
        "30313000", // 010\0
        "000000000036", // record length 54 (48-bit)
        "0000", // capture device id
        "001f", // acquisition level 31
        "01", // one finger
        "01", // pixels per inch
        "01f401f401f401f4", // scan and image resolution 500
        "08", // 8 bits per pixel
        "00", // uncompressed
        "0000", // reserved
      ].join(""),
    );
    expect(rec.subarray(32, 46).toString("hex")).toBe(
      ["00000016", "07", "01", "01", "fe", "00", "0004", "0002", "00"].join(""),
    );
    expect(rec.subarray(46).equals(Buffer.from(image.pixels))).toBe(true);
  });

  it("reads back what it writes", () => {
    const big = generateRidgeImage({ ...R30X_SENSOR, seed: 9 });
    const rec = decodeFingerImageRecord(
      encodeFingerImageRecord({ image: big, finger: "right-thumb", resolutionPpi: 500 }),
    );
    expect(rec).toMatchObject({
      version: "010",
      fingerPosition: 1,
      quality: FIR_QUALITY_UNDEFINED,
      compression: 0,
      pixelDepth: 8,
    });
    expect(Buffer.from(rec.image.pixels).equals(Buffer.from(big.pixels))).toBe(true);
  });

  it("rejects records it did not write", () => {
    const rec = encodeFingerImageRecord({ image, finger: "unknown", resolutionPpi: 500 });
    expect(() => decodeFingerImageRecord(rec.subarray(0, 40))).toThrow(/shorter/);
    const wrongLength = Buffer.from(rec);
    wrongLength[13] = 99;
    expect(() => decodeFingerImageRecord(wrongLength)).toThrow(/length field/);
    const v2011 = Buffer.from(rec);
    v2011.write("020", 4, "latin1");
    expect(() => decodeFingerImageRecord(v2011)).toThrow(/version/);
  });
});

describe("quality score", () => {
  const finger = syntheticFinger(4, { ...R30X_SENSOR, ppi: 500 });

  it("is 0 for an empty window and high for a full, clear print", () => {
    const blank = generateRidgeImage({ ...R30X_SENSOR, coverage: 0 });
    expect(assessQuality(blank).score).toBe(0);
    expect(judgeQuality(assessQuality(blank))).toMatchObject({ accepted: false, problem: "no-finger" });
    const good = assessQuality(finger);
    expect(good.score).toBeGreaterThanOrEqual(90);
    expect(good.method).toBe("ridge-clarity-v2");
    expect(judgeQuality(good)).toMatchObject({ accepted: true, nfiqEquivalent: 1, reason: "good print" });
  });

  it("drops with a small contact area, faint ridges, a smear or noise, and says which", () => {
    const good = assessQuality(finger).score;
    const cases: Array<[Parameters<typeof degrade>[1], number, string]> = [
      ["partial", 1, "partial"],
      ["low-contrast", 1, "faint"],
      ["smudged", 1, "smudged"],
      ["noisy", 1, "noisy"],
    ];
    for (const [kind, amount, problem] of cases) {
      const q = assessQuality(degrade(finger, kind, amount));
      expect(q.score, kind).toBeLessThan(good);
      expect(judgeQuality(q).problem, kind).toBe(problem);
    }
    expect(assessQuality(degrade(finger, "partial", 1)).coverage).toBeLessThan(0.3);
  });

  it("maps scores to NFIQ-like levels and a retake below the threshold", () => {
    expect([95, 80, 65, 45, 10].map(nfiqEquivalent)).toEqual([1, 2, 3, 4, 5]);
    const q = assessQuality(finger);
    expect(judgeQuality({ ...q, score: RETAKE_BELOW - 1 }).accepted).toBe(false);
    expect(judgeQuality({ ...q, score: RETAKE_BELOW }).accepted).toBe(true);
  });
});

describe("UART baud mismatch model", () => {
  it("passes bytes through at the same rate and garbles them at another", () => {
    const bytes = Buffer.from([0xef, 0x01, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00, 0x03, 0x01, 0x00, 0x05]);
    expect(resampleUart(bytes, 57600, 57600).equals(bytes)).toBe(true);
    expect(resampleUart(bytes, 57600, 115200).equals(bytes)).toBe(false);
    expect(resampleUart(bytes, 115200, 57600).equals(bytes)).toBe(false);
  });

  it("hears a sender at half its speed the way a real UART does", () => {
    // The start bit lasts two receiver bit times, so the receiver reads its second half as data bit 0.
    const out = resampleUart(Buffer.from([0xff]), 57600, 115200);
    expect(out[0]).toBe(0xfe);
  });
});
