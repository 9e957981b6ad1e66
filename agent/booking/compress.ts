/**
 * The image codec of the record's Type-14s: WSQ (CGA WSQ20) at the configured bitrate, loaded at the
 * first seal (agent/booking/runtime.ts). WSQ needs at
 * least 256×256 pixels; smaller sensors (R503: 192×192) are centred on blank white glass of that size,
 * which is what an AFIS sees around any plain print.
 */
import type { GrayImage } from "../../drivers/fingerprint/image.js";
import { encodeWsq } from "../../drivers/fingerprint/wsq/index.js";
import type { RecordProfile } from "./record.js";

export const WSQ_MIN_SIDE = 256;

export function compressor(bitrate: number): RecordProfile["compress"] {
  return (image, resolutionPpi) => {
    const padded = padTo(image, WSQ_MIN_SIDE);
    return {
      data: encodeWsq({ ...padded, ppi: resolutionPpi }, { bitrate }),
      cga: "WSQ20",
      width: padded.width,
      height: padded.height,
    };
  };
}

export function padTo(image: GrayImage, min: number): GrayImage {
  if (image.width >= min && image.height >= min) return image;
  const width = Math.max(min, image.width);
  const height = Math.max(min, image.height);
  const pixels = new Uint8Array(width * height).fill(255);
  const x0 = Math.floor((width - image.width) / 2);
  const y0 = Math.floor((height - image.height) / 2);
  for (let y = 0; y < image.height; y++) {
    pixels.set(image.pixels.subarray(y * image.width, (y + 1) * image.width), (y0 + y) * width + x0);
  }
  return { width, height, pixels };
}
