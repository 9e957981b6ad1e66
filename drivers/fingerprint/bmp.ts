/**
 * Minimal Windows BMP reader for what fingerprint services return (Mantra's BitmapData): uncompressed
 * 8-bit palettised, 24-bit or 32-bit, bottom-up or top-down. Output is 8-bit grayscale.
 */
import type { GrayImage } from "./image.js";

export function decodeBmpToGray(bytes: Buffer): GrayImage {
  if (bytes.length < 54 || bytes.toString("latin1", 0, 2) !== "BM") throw new RangeError("not a BMP file");
  const dataOffset = bytes.readUInt32LE(10);
  const dibSize = bytes.readUInt32LE(14);
  if (dibSize < 40) throw new RangeError(`BMP header of ${dibSize} bytes is not supported (OS/2 bitmap?)`);
  const width = bytes.readInt32LE(18);
  const rawHeight = bytes.readInt32LE(22);
  const bpp = bytes.readUInt16LE(28);
  const compression = bytes.readUInt32LE(30);
  const colorsUsed = bytes.readUInt32LE(46);
  const height = Math.abs(rawHeight);
  const topDown = rawHeight < 0;
  if (width <= 0 || height === 0 || width > 10_000 || height > 10_000)
    throw new RangeError(`BMP size ${width}×${height} is implausible`);
  if (compression !== 0 && !(compression === 3 && bpp === 32))
    throw new RangeError(`compressed BMP (method ${compression}) is not supported`);
  if (bpp !== 8 && bpp !== 24 && bpp !== 32) throw new RangeError(`${bpp}-bit BMP is not supported`);

  const stride = Math.ceil((width * bpp) / 32) * 4;
  if (dataOffset + stride * height > bytes.length) throw new RangeError("BMP pixel data is truncated");
  let palette: Uint8Array | null = null;
  if (bpp === 8) {
    const entries = colorsUsed || 256;
    const at = 14 + dibSize;
    if (at + entries * 4 > dataOffset) throw new RangeError("BMP palette overlaps the pixel data");
    palette = new Uint8Array(256);
    for (let i = 0; i < entries; i++)
      palette[i] = luminance(bytes[at + 4 * i + 2]!, bytes[at + 4 * i + 1]!, bytes[at + 4 * i]!);
  }

  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      if (palette) pixels[y * width + x] = palette[bytes[row + x]!]!;
      else {
        const p = row + x * (bpp / 8);
        pixels[y * width + x] = luminance(bytes[p + 2]!, bytes[p + 1]!, bytes[p]!);
      }
    }
  }
  return { width, height, pixels };
}

/** ITU-R BT.601 luma; a gray palette (R = G = B) maps to itself. */
function luminance(r: number, g: number, b: number): number {
  return Math.round((299 * r + 587 * g + 114 * b) / 1000);
}
