/** Images handed to the printer: PNG files (any colour type) or raw 8-bit grey from the fingerprint scanner. */
import { PNG } from "pngjs";
import type { Gray } from "./bitmap.js";

export const MAX_IMAGE_SIDE = 4000;

/** PNG -> grey, alpha composited over white paper (transparent areas must not burn black). */
export function decodePng(data: Uint8Array): Gray {
  let png: PNG;
  try {
    png = PNG.sync.read(Buffer.from(data));
  } catch (e) {
    throw new Error(`not a readable PNG: ${(e as Error).message}`);
  }
  const { width, height } = png;
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE)
    throw new Error(`image ${width}x${height} is larger than ${MAX_IMAGE_SIDE} px`);
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
