/** A small PNG for the operator's screen: box-averaged down to at most `maxSide` pixels on the long side. */
import type { GrayImage } from "../../drivers/fingerprint/image.js";
import { encodeGrayPng } from "../../drivers/fingerprint/png.js";

export const PREVIEW_MAX_SIDE = 160;

export function previewPng(image: GrayImage, maxSide = PREVIEW_MAX_SIDE): Buffer {
  const factor = Math.max(1, Math.ceil(Math.max(image.width, image.height) / maxSide));
  if (factor === 1) return encodeGrayPng(image);
  const width = Math.floor(image.width / factor);
  const height = Math.floor(image.height / factor);
  const pixels = new Uint8Array(width * height);
  const area = factor * factor;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let dy = 0; dy < factor; dy++) {
        const row = (y * factor + dy) * image.width + x * factor;
        for (let dx = 0; dx < factor; dx++) sum += image.pixels[row + dx]!;
      }
      pixels[y * width + x] = Math.round(sum / area);
    }
  }
  return encodeGrayPng({ width, height, pixels });
}
