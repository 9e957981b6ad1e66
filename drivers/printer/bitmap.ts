/**
 * Images as the printer sees them. A Gray image is 8-bit luminance (0 black .. 255 white); a Bitmap is one
 * byte per dot, 1 = black (burnt), 0 = white, exactly what GS v 0 prints. Pure functions, no I/O.
 */
export interface Gray {
  width: number;
  height: number;
  /** width*height luminance values, row-major from the top. */
  data: Uint8Array;
}

export interface Bitmap {
  width: number;
  height: number;
  /** width*height dots, 1 = black. */
  data: Uint8Array;
}

export function blankBitmap(width: number, height: number): Bitmap {
  return { width, height, data: new Uint8Array(width * height) };
}

/**
 * Floyd–Steinberg error diffusion. Thermal heads have two levels only, so a grey fingerprint must be
 * dithered; error diffusion keeps ridge detail better than a plain threshold or an ordered matrix.
 */
export function ditherFloydSteinberg(img: Gray): Bitmap {
  const { width, height } = img;
  const out = blankBitmap(width, height);
  let cur = new Float32Array(width + 2);
  let next = new Float32Array(width + 2);
  for (let y = 0; y < height; y++) {
    next.fill(0);
    for (let x = 0; x < width; x++) {
      const v = (img.data[y * width + x] ?? 255) + (cur[x + 1] ?? 0);
      const black = v < 128;
      out.data[y * width + x] = black ? 1 : 0;
      const err = v - (black ? 0 : 255);
      cur[x + 2]! += (err * 7) / 16;
      next[x]! += (err * 3) / 16;
      next[x + 1]! += (err * 5) / 16;
      next[x + 2]! += err / 16;
    }
    [cur, next] = [next, cur];
  }
  return out;
}

/** Plain threshold, for sources that are already black and white (QR modules, rendered text). */
export function threshold(img: Gray, level = 128): Bitmap {
  const out = blankBitmap(img.width, img.height);
  for (let i = 0; i < img.data.length; i++) out.data[i] = (img.data[i] ?? 255) < level ? 1 : 0;
  return out;
}

/** Box-filtered resize, so a 500 dpi fingerprint shrinks to the head's 203 dpi without aliasing. */
export function resizeGray(img: Gray, width: number, height: number): Gray {
  if (width === img.width && height === img.height) return img;
  const out = new Uint8Array(width * height);
  const sx = img.width / width;
  const sy = img.height / height;
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor(y * sy);
    const y1 = Math.max(y0 + 1, Math.floor((y + 1) * sy));
    for (let x = 0; x < width; x++) {
      const x0 = Math.floor(x * sx);
      const x1 = Math.max(x0 + 1, Math.floor((x + 1) * sx));
      let sum = 0;
      let n = 0;
      for (let yy = y0; yy < y1 && yy < img.height; yy++) {
        for (let xx = x0; xx < x1 && xx < img.width; xx++) {
          sum += img.data[yy * img.width + xx] ?? 255;
          n++;
        }
      }
      out[y * width + x] = n ? Math.round(sum / n) : 255;
    }
  }
  return { width, height, data: out };
}

/** Fit inside maxWidth keeping the aspect ratio; never enlarges past `maxScale`. */
export function fitGray(img: Gray, maxWidth: number, maxScale = 1): Gray {
  const scale = Math.min(maxScale, maxWidth / img.width);
  if (scale === 1) return img;
  return resizeGray(
    img,
    Math.max(1, Math.round(img.width * scale)),
    Math.max(1, Math.round(img.height * scale)),
  );
}

/** Scale a bitmap by an integer factor (QR modules, enlarged text). */
export function scaleBitmap(bmp: Bitmap, factor: number): Bitmap {
  if (factor === 1) return bmp;
  const out = blankBitmap(bmp.width * factor, bmp.height * factor);
  for (let y = 0; y < out.height; y++) {
    const src = Math.floor(y / factor) * bmp.width;
    for (let x = 0; x < out.width; x++)
      out.data[y * out.width + x] = bmp.data[src + Math.floor(x / factor)] ?? 0;
  }
  return out;
}

/** Place a bitmap on a wider white canvas: left, centre or right, as ESC a would for text. */
export function placeBitmap(bmp: Bitmap, width: number, align: "left" | "center" | "right"): Bitmap {
  if (bmp.width >= width) return cropBitmap(bmp, 0, 0, width, bmp.height);
  const offset =
    align === "left" ? 0 : align === "right" ? width - bmp.width : Math.floor((width - bmp.width) / 2);
  const out = blankBitmap(width, bmp.height);
  for (let y = 0; y < bmp.height; y++) {
    out.data.set(bmp.data.subarray(y * bmp.width, (y + 1) * bmp.width), y * width + offset);
  }
  return out;
}

export function cropBitmap(bmp: Bitmap, x: number, y: number, width: number, height: number): Bitmap {
  const out = blankBitmap(width, height);
  for (let yy = 0; yy < height; yy++) {
    for (let xx = 0; xx < width; xx++) {
      const sx = x + xx;
      const sy = y + yy;
      if (sx < bmp.width && sy < bmp.height) out.data[yy * width + xx] = bmp.data[sy * bmp.width + sx] ?? 0;
    }
  }
  return out;
}

/** Stack bitmaps top to bottom on a canvas as wide as the widest. */
export function stackBitmaps(parts: Bitmap[]): Bitmap {
  const width = Math.max(0, ...parts.map((p) => p.width));
  const out = blankBitmap(
    width,
    parts.reduce((h, p) => h + p.height, 0),
  );
  let y = 0;
  for (const p of parts) {
    for (let row = 0; row < p.height; row++) {
      out.data.set(p.data.subarray(row * p.width, (row + 1) * p.width), (y + row) * width);
    }
    y += p.height;
  }
  return out;
}

/** Pack rows MSB-first, bit 1 = black, each row padded with white to a whole byte (GS v 0 layout). */
export function packRows(bmp: Bitmap): { bytesPerRow: number; data: Uint8Array } {
  const bytesPerRow = Math.ceil(bmp.width / 8);
  const data = new Uint8Array(bytesPerRow * bmp.height);
  for (let y = 0; y < bmp.height; y++) {
    for (let x = 0; x < bmp.width; x++) {
      if (bmp.data[y * bmp.width + x]) data[y * bytesPerRow + (x >> 3)]! |= 0x80 >> (x & 7);
    }
  }
  return { bytesPerRow, data };
}

/** The inverse of packRows, used by the emulator. */
export function unpackRows(
  data: Uint8Array,
  bytesPerRow: number,
  rows: number,
  width = bytesPerRow * 8,
): Bitmap {
  const out = blankBitmap(width, rows);
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < width; x++) {
      out.data[y * width + x] = ((data[y * bytesPerRow + (x >> 3)] ?? 0) >> (7 - (x & 7))) & 1;
    }
  }
  return out;
}
