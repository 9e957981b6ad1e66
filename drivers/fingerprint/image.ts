/** 8-bit grayscale images and the R30x 4-bit UART packing. Pure. */

export interface GrayImage {
  width: number;
  height: number;
  /** Row-major, top row first, one byte per pixel, 0 = black, 255 = white. */
  pixels: Uint8Array;
}

export interface SensorGeometry {
  width: number;
  height: number;
}

/** ZFM-20 / R30x / AS608 optical modules. */
export const R30X_SENSOR: SensorGeometry = { width: 256, height: 288 };
/** R503 capacitive module (R503 manual p.6); same 4-bit packing, smaller array. */
export const R503_SENSOR: SensorGeometry = { width: 192, height: 192 };

export function packedImageBytes(geometry: SensorGeometry): number {
  return (geometry.width * geometry.height) / 2;
}

/**
 * Over UART the module sends only the top 4 bits of each pixel, two pixels per byte, the high nibble
 * being the left pixel. Expanding by ×17 maps 0..15 onto the full 0..255 range (0x0 → 0, 0xF → 255).
 */
export function unpack4BitImage(data: Uint8Array, geometry: SensorGeometry): GrayImage {
  const expected = packedImageBytes(geometry);
  if (data.length !== expected) {
    throw new RangeError(
      `image data is ${data.length} bytes, a ${geometry.width}×${geometry.height} image needs ${expected}`,
    );
  }
  const pixels = new Uint8Array(geometry.width * geometry.height);
  for (let i = 0; i < data.length; i++) {
    const byte = data[i]!;
    pixels[2 * i] = (byte >> 4) * 17;
    pixels[2 * i + 1] = (byte & 0x0f) * 17;
  }
  return { width: geometry.width, height: geometry.height, pixels };
}

/** The module side of the packing (used by the emulator): keeps each pixel's top 4 bits. */
export function pack4BitImage(image: GrayImage): Buffer {
  if (image.width % 2 !== 0) throw new RangeError("4-bit packing needs an even width");
  const out = Buffer.alloc((image.width * image.height) / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = (image.pixels[2 * i]! & 0xf0) | (image.pixels[2 * i + 1]! >> 4);
  }
  return out;
}

/** What a 4-bit round trip turns an image into: exactly the pixels the host can reconstruct. */
export function quantizeTo4Bit(image: GrayImage): GrayImage {
  const pixels = new Uint8Array(image.pixels.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (image.pixels[i]! >> 4) * 17;
  return { width: image.width, height: image.height, pixels };
}
