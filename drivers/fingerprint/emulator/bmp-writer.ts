/** Writes 8-bit grayscale BMPs the way fingerprint services do (256-entry gray palette, bottom-up rows). */
import type { GrayImage } from "../image.js";

export function encodeGrayBmp(image: GrayImage): Buffer {
  const stride = Math.ceil(image.width / 4) * 4;
  const paletteBytes = 256 * 4;
  const offset = 14 + 40 + paletteBytes;
  const out = Buffer.alloc(offset + stride * image.height);
  out.write("BM", 0, "latin1");
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(offset, 10);
  out.writeUInt32LE(40, 14);
  out.writeInt32LE(image.width, 18);
  out.writeInt32LE(image.height, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(8, 28);
  out.writeUInt32LE(stride * image.height, 34);
  out.writeInt32LE(19685, 38); // 500 ppi in pixels per metre
  out.writeInt32LE(19685, 42);
  out.writeUInt32LE(256, 46);
  for (let i = 0; i < 256; i++) out.writeUInt32LE(i * 0x010101, 54 + 4 * i);
  for (let y = 0; y < image.height; y++) {
    const row = offset + (image.height - 1 - y) * stride;
    out.set(image.pixels.subarray(y * image.width, (y + 1) * image.width), row);
  }
  return out;
}
