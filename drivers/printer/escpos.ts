/**
 * ESC/POS command bytes (Epson numbering). Pure: every function returns the bytes of one command.
 * References: python-escpos constants.py/escpos.py, node-thermal-printer epson.js, see docs/printer.md.
 */
import { packRows, type Bitmap } from "./bitmap.js";

export const ESC = 0x1b;
export const GS = 0x1d;
export const DLE = 0x10;
export const EOT = 0x04;
export const LF = 0x0a;

export type Align = "left" | "center" | "right";
export type QrEcc = "L" | "M" | "Q" | "H";

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

function u8(n: number, what: string, min = 0, max = 255): number {
  if (!Number.isInteger(n) || n < min || n > max)
    throw new RangeError(`${what} must be an integer ${min}..${max}, got ${n}`);
  return n;
}

/** ESC @: clears the buffer and every mode. */
export const init = (): Uint8Array => bytes(ESC, 0x40);

/** ESC t n: select the character code table (numbering differs between printer models: configure it). */
export const codePage = (n: number): Uint8Array => bytes(ESC, 0x74, u8(n, "code page"));

/** ESC E n */
export const bold = (on: boolean): Uint8Array => bytes(ESC, 0x45, on ? 1 : 0);

/** ESC - n: 0 off, 1 or 2 dots thick. */
export const underline = (dots: 0 | 1 | 2): Uint8Array => bytes(ESC, 0x2d, u8(dots, "underline", 0, 2));

/**
 * GS ! n: width and height multipliers 1..8. Epson and python-escpos put the width in the HIGH nibble;
 * node-thermal-printer swaps them (protocols.md §7.9), which we do not copy.
 */
export const size = (width: number, height: number): Uint8Array =>
  bytes(GS, 0x21, ((u8(width, "width", 1, 8) - 1) << 4) | (u8(height, "height", 1, 8) - 1));

/** ESC a n: 0 left, 1 centre, 2 right. */
export const align = (a: Align): Uint8Array => bytes(ESC, 0x61, a === "left" ? 0 : a === "center" ? 1 : 2);

/** ESC M n: 0 = font A (12x24 on 203 dpi heads), 1 = font B (9x17). */
export const font = (f: "A" | "B"): Uint8Array => bytes(ESC, 0x4d, f === "A" ? 0 : 1);

/** ESC 3 n: line spacing in dots; ESC 2 restores the default. */
export const lineSpacing = (dots?: number): Uint8Array =>
  dots === undefined ? bytes(ESC, 0x32) : bytes(ESC, 0x33, u8(dots, "line spacing"));

export const lineFeed = (): Uint8Array => bytes(LF);

/** ESC d n: print the buffer and feed n lines. */
export const feedLines = (n: number): Uint8Array => bytes(ESC, 0x64, u8(n, "lines"));

/** ESC J n: print the buffer and feed n dots (fine spacing between blocks). */
export const feedDots = (n: number): Uint8Array => bytes(ESC, 0x4a, u8(n, "dots"));

/**
 * GS V: without `feed`, cut where the paper is (m = 0 full, 1 partial). With `feed`, function B:
 * feed to the cutter plus `feed` dots, then cut (m = 0x41 full, 0x42 partial), which keeps the last
 * printed line clear of the blade.
 */
export function cut(mode: "full" | "partial" = "partial", feed?: number): Uint8Array {
  if (feed === undefined) return bytes(GS, 0x56, mode === "full" ? 0 : 1);
  return bytes(GS, 0x56, mode === "full" ? 0x41 : 0x42, u8(feed, "cut feed"));
}

/** DLE EOT n: real-time status request, n = 1 printer, 2 offline cause, 3 error cause, 4 paper sensor. */
export const statusRequest = (n: 1 | 2 | 3 | 4): Uint8Array => bytes(DLE, EOT, u8(n, "status", 1, 4));

/** Default fragment height: python-escpos uses 960; smaller fragments suit printers with small buffers. */
export const DEFAULT_RASTER_ROWS = 240;

/**
 * GS v 0 m xL xH yL yH d...: one raster command per fragment of at most `maxRows` rows. Bit 1 = black,
 * MSB = leftmost dot, rows padded to whole bytes with white.
 */
export function raster(bmp: Bitmap, maxRows = DEFAULT_RASTER_ROWS): Uint8Array[] {
  u8(maxRows, "raster fragment rows", 1, 65535);
  const { bytesPerRow, data } = packRows(bmp);
  if (bytesPerRow > 0xffff) throw new RangeError("raster too wide");
  const out: Uint8Array[] = [];
  for (let row = 0; row < bmp.height; row += maxRows) {
    const rows = Math.min(maxRows, bmp.height - row);
    const cmd = new Uint8Array(8 + bytesPerRow * rows);
    cmd.set([GS, 0x76, 0x30, 0, bytesPerRow & 0xff, bytesPerRow >> 8, rows & 0xff, rows >> 8]);
    cmd.set(data.subarray(row * bytesPerRow, (row + rows) * bytesPerRow), 8);
    out.push(cmd);
  }
  return out;
}

const QR_ECC: Record<QrEcc, number> = { L: 0x30, M: 0x31, Q: 0x32, H: 0x33 };

/** GS ( k cn=49: a native QR symbol: model 2, module size, error correction, store data, print. */
export function qrNative(data: Uint8Array, opts: { moduleSize?: number; ecc?: QrEcc } = {}): Uint8Array[] {
  const moduleSize = u8(opts.moduleSize ?? 4, "QR module size", 1, 16);
  if (data.length === 0 || data.length > 7089) throw new RangeError("QR data must be 1..7089 bytes");
  const fn = (f: number, ...params: number[]): Uint8Array => {
    const len = params.length + 2;
    return bytes(GS, 0x28, 0x6b, len & 0xff, len >> 8, 0x31, f, ...params);
  };
  const storeLen = data.length + 3;
  const store = new Uint8Array(8 + data.length);
  store.set([GS, 0x28, 0x6b, storeLen & 0xff, storeLen >> 8, 0x31, 0x50, 0x30]);
  store.set(data, 8);
  return [
    fn(0x41, 0x32, 0x00),
    fn(0x43, moduleSize),
    fn(0x45, QR_ECC[opts.ecc ?? "M"]),
    store,
    fn(0x51, 0x30),
  ];
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
