/** Images handed to the printer: PNG files (any colour type) or raw 8-bit grey from the fingerprint scanner. */
import { PNG } from "pngjs";
import type { Gray } from "./bitmap.js";

export const MAX_IMAGE_SIDE = 4000;
/**
 * A slip printer is 384-576 dots wide; a 1000 ppi fingerprint is about 1600x1500 px. Beyond these a PNG
 * is refused from its header, before anything is inflated: a 380 KB PNG can declare 20000x20000 px and
 * take gigabytes to decode.
 */
export const MAX_PNG_SIDE = 2000;
export const MAX_PNG_PIXELS = 1600 * 1600;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlaced: boolean;
}

/** The IHDR chunk, which the PNG format puts first; throws when it is not there. */
export function readPngHeader(data: Uint8Array): PngHeader {
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (b.length < 33 || !b.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error("not a PNG file");
  if (b.readUInt32BE(8) !== 13 || b.toString("latin1", 12, 16) !== "IHDR")
    throw new Error("PNG does not start with its IHDR header");
  return {
    width: b.readUInt32BE(16),
    height: b.readUInt32BE(20),
    bitDepth: b[24]!,
    colorType: b[25]!,
    interlaced: b[28] !== 0,
  };
}

/** PNG -> grey, alpha composited over white paper (transparent areas must not burn black). */
export function decodePng(data: Uint8Array): Gray {
  let header: PngHeader;
  try {
    header = readPngHeader(data);
  } catch (e) {
    throw new Error(`not a readable PNG: ${(e as Error).message}`);
  }
  const { width: w, height: h } = header;
  if (w < 1 || h < 1 || w > MAX_PNG_SIDE || h > MAX_PNG_SIDE || w * h > MAX_PNG_PIXELS)
    throw new Error(
      `image ${w}x${h} is larger than the printer can print (at most ${MAX_PNG_SIDE} px a side, ${MAX_PNG_PIXELS} px in all)`,
    );
  // pngjs bounds the inflate to the size IHDR implies, except for interlaced images (no bound at all);
  // scanners and image tools do not interlace fingerprints.
  if (header.interlaced) throw new Error("interlaced PNG is not supported; save it without interlacing");
  let png: PNG;
  try {
    png = PNG.sync.read(Buffer.from(data));
  } catch (e) {
    throw new Error(`not a readable PNG: ${(e as Error).message}`);
  }
  const { width, height } = png;
  const out = new Uint8Array(width * height);
  for (let i = 0; i < out.length; i++) {
    const r = png.data[i * 4]!;
    const g = png.data[i * 4 + 1]!;
    const b = png.data[i * 4 + 2]!;
    const a = png.data[i * 4 + 3]! / 255;
    const lum = 0.299 * r + 0.587 * g + 0.114 * b;
    out[i] = Math.round(lum * a + 255 * (1 - a));
  }
  return { width, height, data: out };
}

export function grayFromRaw(width: number, height: number, data: Uint8Array): Gray {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    throw new Error("image size must be positive integers");
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE)
    throw new Error(`image ${width}x${height} is larger than ${MAX_IMAGE_SIDE} px`);
  if (data.length !== width * height)
    throw new Error(`raw grey image needs ${width * height} bytes, got ${data.length}`);
  return { width, height, data };
}

export function encodeGrayPng(img: Gray): Buffer {
  const png = new PNG({ width: img.width, height: img.height });
  for (let i = 0; i < img.data.length; i++) {
    const v = img.data[i]!;
    png.data[i * 4] = png.data[i * 4 + 1] = png.data[i * 4 + 2] = v;
    png.data[i * 4 + 3] = 255;
  }
  return PNG.sync.write(png);
}
