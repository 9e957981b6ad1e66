/**
 * The virtual printer's paper: applies parsed commands to a growing strip of dots the way a 203-dpi
 * thermal head would (font A cells of 12x24, default line spacing 30 dots), and renders it to a PNG.
 */
import { PNG } from "pngjs";
import { unpackRows, type Bitmap } from "../bitmap.js";
import { CodePage, EPSON_CODE_PAGE_NUMBERS, type CodePageName } from "../codepage.js";
import { qrBitmap } from "../qr.js";
import type { QrEcc } from "../escpos.js";
import type { TextRasterizer } from "../text-raster.js";
import type { Op } from "./parser.js";

const CELL_W = 12;
const CELL_H = 24;
const CELL_BASELINE = 19;
const DEFAULT_SPACING = 30;
/** Em size of the monospaced font that makes a 12-dot advance. */
const GLYPH_EM = 20;

interface Cell {
  ch: string;
  bold: boolean;
  underline: number;
  width: number;
  height: number;
}

const ECC: Record<number, QrEcc> = { 0x30: "L", 0x31: "M", 0x32: "Q", 0x33: "H" };

export class Paper {
  private rows: Uint8Array[] = [];
  private y = 0;
  private line: Cell[] = [];
  private lineAlign = 0;
  private bold = false;
  private underline = 0;
  private width = 1;
  private height = 1;
  private align = 0;
  private spacing = DEFAULT_SPACING;
  private page: CodePage;
  private qr: { data: Uint8Array; moduleSize: number; ecc: QrEcc } = {
    data: new Uint8Array(),
    moduleSize: 3,
    ecc: "L",
  };
  private readonly glyphs = new Map<string, Bitmap>();
  /** Y positions of cuts, for the picture and for splitting slips. */
  readonly cuts: number[] = [];
  /** Bytes of unknown commands: a non-empty list means the encoder sent something this printer cannot parse. */
  readonly unknown: number[] = [];

  constructor(
    readonly widthDots: number,
    private readonly font: TextRasterizer,
    private readonly codePages: Record<number, CodePageName> = invert(EPSON_CODE_PAGE_NUMBERS),
  ) {
    this.page = new CodePage("cp437");
  }

  get heightDots(): number {
    return Math.max(this.y, this.rows.length);
  }

  apply(op: Op): void {
    switch (op.op) {
      case "init":
        this.flushLine(false);
        this.bold = false;
        this.underline = 0;
        this.width = this.height = 1;
        this.align = 0;
        this.spacing = DEFAULT_SPACING;
        this.page = new CodePage("cp437");
        return;
      case "codePage": {
        const name = this.codePages[op.n];
        if (name) this.page = new CodePage(name);
        return;
      }
      case "bold":
        this.bold = op.on;
        return;
      case "underline":
        this.underline = op.n;
        return;
      case "printMode":
        this.bold = (op.n & 0x08) !== 0;
        this.height = op.n & 0x10 ? 2 : 1;
        this.width = op.n & 0x20 ? 2 : 1;
        return;
      case "size":
        this.width = op.width;
        this.height = op.height;
        return;
      case "align":
        this.align = op.n;
        if (this.line.length === 0) this.lineAlign = op.n;
        return;
      case "lineSpacing":
        this.spacing = op.dots ?? DEFAULT_SPACING;
        return;
      case "text":
        if (this.line.length === 0) this.lineAlign = this.align;
        for (const b of op.bytes) {
          this.line.push({
            ch: this.page.decodeByte(b),
            bold: this.bold,
            underline: this.underline,
            width: this.width,
            height: this.height,
          });
        }
        return;
      case "lf":
        this.flushLine(true);
        return;
      case "feedLines":
        this.flushLine(true);
        this.y += Math.max(0, op.n - 1) * this.spacing;
        return;
      case "feedDots":
        this.flushLine(false);
        this.y += op.n;
        return;
      case "cut":
        this.flushLine(false);
        this.y += op.feed ?? 0;
        this.cuts.push(this.y);
        return;
      case "raster":
        this.flushLine(false);
        this.raster(op.data, op.bytesPerRow, op.rows, op.mode);
        return;
      case "qr":
        this.qrCommand(op.fn, op.params);
        return;
      case "unknown":
        this.unknown.push(op.byte);
        return;
      default:
        return;
    }
  }

  private qrCommand(fn: number, p: Uint8Array): void {
    if (fn === 0x43) this.qr.moduleSize = p[0] ?? 3;
    else if (fn === 0x45) this.qr.ecc = ECC[p[0] ?? 0x30] ?? "L";
    else if (fn === 0x50) this.qr.data = p.slice(1);
    else if (fn === 0x51) {
      this.flushLine(false);
      const bmp = qrBitmap(new TextDecoder().decode(this.qr.data), {
        moduleSize: this.qr.moduleSize,
        ecc: this.qr.ecc,
        quiet: 0,
      });
      this.blit(bmp, this.offsetFor(bmp.width, this.align), this.y);
      this.y += bmp.height;
    }
  }

  private raster(data: Uint8Array, bytesPerRow: number, rows: number, mode: number): void {
    const src = unpackRows(data, bytesPerRow, rows);
    const sx = mode & 1 ? 2 : 1;
    const sy = mode & 2 ? 2 : 1;
    const x0 = this.offsetFor(src.width * sx, this.align);
    for (let y = 0; y < rows * sy; y++) {
      const row = this.row(this.y + y);
      for (let x = 0; x < src.width * sx; x++) {
        const px = x0 + x;
        if (px < this.widthDots && src.data[Math.floor(y / sy) * src.width + Math.floor(x / sx)]) row[px] = 1;
      }
    }
    this.y += rows * sy;
  }

  private flushLine(advance: boolean): void {
    if (this.line.length === 0) {
      if (advance) this.y += this.spacing;
      return;
    }
    const lineH = Math.max(...this.line.map((c) => c.height)) * CELL_H;
    const lineW = this.line.reduce((w, c) => w + c.width * CELL_W, 0);
    let x = this.offsetFor(lineW, this.lineAlign);
    for (const c of this.line) {
      const g = this.glyph(c.ch, c.height, c.bold);
      const cellW = c.width * CELL_W;
      const stretch = c.width / c.height;
      const top = this.y + lineH - c.height * CELL_H;
      // Put the font's baseline on the cell's (row 19 of 24, as font A), so descenders (_ g y) stay inside.
      const shift = this.font.baseline(GLYPH_EM * c.height) - CELL_BASELINE * c.height;
      for (let gy = 0; gy < c.height * CELL_H; gy++) {
        const sy = gy + shift;
        if (sy < 0 || sy >= g.height) continue;
        const row = this.row(top + gy);
        for (let gx = 0; gx < cellW; gx++) {
          const srcX = Math.floor(gx / stretch);
          if (srcX < g.width && g.data[sy * g.width + srcX] && x + gx < this.widthDots) row[x + gx] = 1;
        }
      }
      if (c.underline) {
        for (let u = 0; u < c.underline; u++)
          this.row(top + c.height * CELL_H - 1 - u).fill(1, x, Math.min(this.widthDots, x + cellW));
      }
      x += cellW;
    }
    this.line = [];
    this.y += advance ? Math.max(this.spacing, lineH) : lineH;
  }

  private glyph(ch: string, scale: number, bold: boolean): Bitmap {
    const key = `${ch}|${scale}|${bold}`;
    let g = this.glyphs.get(key);
    if (!g) {
      g =
        ch.trim() === ""
          ? { width: 1, height: 1, data: new Uint8Array(1) }
          : this.font.render(ch, { sizePx: GLYPH_EM * scale, bold });
      this.glyphs.set(key, g);
    }
    return g;
  }

  private offsetFor(width: number, align: number): number {
    if (align === 1) return Math.max(0, Math.floor((this.widthDots - width) / 2));
    if (align === 2) return Math.max(0, this.widthDots - width);
    return 0;
  }

  private row(y: number): Uint8Array {
    while (this.rows.length <= y) this.rows.push(new Uint8Array(this.widthDots));
    return this.rows[y]!;
  }

  private blit(bmp: Bitmap, x0: number, y0: number): void {
    for (let y = 0; y < bmp.height; y++) {
      const row = this.row(y0 + y);
      for (let x = 0; x < bmp.width && x0 + x < this.widthDots; x++)
        if (bmp.data[y * bmp.width + x]) row[x0 + x] = 1;
    }
  }

  /** Everything printed so far, 1 = black. */
  toBitmap(): Bitmap {
    this.flushLine(false);
    const height = this.heightDots;
    const out = new Uint8Array(this.widthDots * height);
    this.rows.forEach((r, y) => out.set(r, y * this.widthDots));
    return { width: this.widthDots, height, data: out };
  }

  /** The paper as a person would see it: black dots on white, a margin, cuts as red dashed lines. */
  toPng(): Buffer {
    const bmp = this.toBitmap();
    const margin = 16;
    const png = new PNG({ width: bmp.width + 2 * margin, height: bmp.height + 2 * margin });
    png.data.fill(0xe0);
    for (let y = 0; y < bmp.height; y++) {
      for (let x = 0; x < bmp.width; x++) {
        const i = ((y + margin) * png.width + x + margin) * 4;
        const v = bmp.data[y * bmp.width + x] ? 0 : 255;
        png.data[i] = png.data[i + 1] = png.data[i + 2] = v;
        png.data[i + 3] = 255;
      }
    }
    for (let i = 3; i < png.data.length; i += 4) png.data[i] = 255;
    for (const cy of this.cuts) {
      const y = Math.min(png.height - 1, cy + margin);
      for (let x = 0; x < png.width; x++) {
        if ((x >> 3) % 2) continue;
        const i = (y * png.width + x) * 4;
        png.data[i] = 220;
        png.data[i + 1] = png.data[i + 2] = 0;
      }
    }
    return PNG.sync.write(png);
  }
}

function invert(map: Record<CodePageName, number>): Record<number, CodePageName> {
  const out: Record<number, CodePageName> = {};
  for (const [name, n] of Object.entries(map)) out[n] = name as CodePageName;
  return out;
}
