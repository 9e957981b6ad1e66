/** PNG encoding of grayscale captures through pngjs (8-bit, colour type 0, no alpha). */
import { PNG } from "pngjs";
import type { GrayImage } from "./image.js";

export function encodeGrayPng(image: GrayImage): Buffer {
  const png = new PNG({
    width: image.width,
    height: image.height,
    colorType: 0,
    inputColorType: 0,
    inputHasAlpha: false,
  });
  png.data = Buffer.from(image.pixels.buffer, image.pixels.byteOffset, image.pixels.byteLength);
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8 });
}

/** Decodes any PNG to grayscale (the red channel of pngjs's RGBA output; gray PNGs have R = G = B). */
export function decodeGrayPng(bytes: Buffer): GrayImage {
  const png = PNG.sync.read(bytes);
  const pixels = new Uint8Array(png.width * png.height);
  for (let i = 0; i < pixels.length; i++) pixels[i] = png.data[4 * i]!;
  return { width: png.width, height: png.height, pixels };
}
