/**
 * Size and colour of a baseline JPEG for Type-10 (HLL/VLL/CSP), read from its frame header, so a photo
 * that is not a baseline JPEG is refused before it is stored. No decoding: the record carries the
 * photo's own bytes.
 */
export interface JpegInfo {
  width: number;
  height: number;
  colorSpace: "GRAY" | "YCC";
}

export class JpegError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JpegError";
  }
}

export function readJpegInfo(bytes: Uint8Array): JpegInfo {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) throw new JpegError("not a JPEG file");
  let i = 2;
  while (i + 4 <= bytes.length) {
    if (bytes[i] !== 0xff) throw new JpegError(`bad marker at byte ${i}`);
    const marker = bytes[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    const length = (bytes[i + 2]! << 8) | bytes[i + 3]!;
    if (length < 2 || i + 2 + length > bytes.length)
      throw new JpegError(`segment at byte ${i} runs past the end`);
    if (marker === 0xc0 || marker === 0xc1) {
      if (length < 8) throw new JpegError("frame header too short");
      const height = (bytes[i + 5]! << 8) | bytes[i + 6]!;
      const width = (bytes[i + 7]! << 8) | bytes[i + 8]!;
      const components = bytes[i + 9]!;
      if (width === 0 || height === 0) throw new JpegError("the photo has no size");
      if (components !== 1 && components !== 3)
        throw new JpegError(`${components} colour components (want 1 or 3)`);
      return { width, height, colorSpace: components === 1 ? "GRAY" : "YCC" };
    }
    if (marker >= 0xc2 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      throw new JpegError(
        "only baseline JPEG is accepted (this one is progressive, lossless or arithmetic-coded)",
      );
    }
    if (marker === 0xda || marker === 0xd9) break;
    i += 2 + length;
  }
  throw new JpegError("no frame header before the image data");
}
