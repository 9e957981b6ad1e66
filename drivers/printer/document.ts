/**
 * A slip as a list of blocks, encoded for one printer profile: text the code page can show goes as
 * text (a few bytes a line); anything else (Devanagari, ₹, images, QR without native support) as GS v 0.
 */
import {
  ditherFloydSteinberg,
  fitGray,
  placeBitmap,
  resizeGray,
  stackBitmaps,
  type Bitmap,
  type Gray,
} from "./bitmap.js";
import { CodePage, EPSON_CODE_PAGE_NUMBERS, type CodePageName } from "./codepage.js";
import * as cmd from "./escpos.js";
import { qrBitmap } from "./qr.js";
import { hasDevanagari, type TextRasterizer } from "./text-raster.js";

export interface PrinterProfile {
  /** Printable dots per line: 384 on 58 mm and 576 on 80 mm 203-dpi heads; some models differ. */
  widthDots: number;
  codePage: CodePageName;
  /** ESC t number of `codePage` on this model (Epson numbering when absent). */
  codePageNumber?: number;
  /** GS ( k QR support; cheap clones lack it and get a raster QR. */
  nativeQr: boolean;
  /** Rows per GS v 0 command. */
  rasterRows: number;
  cut: "full" | "partial" | "none";
}

export const PROFILES = {
  "58mm": {
    widthDots: 384,
    codePage: "cp437",
    nativeQr: false,
    rasterRows: cmd.DEFAULT_RASTER_ROWS,
    cut: "partial",
  },
  "80mm": {
    widthDots: 576,
    codePage: "cp437",
    nativeQr: true,
    rasterRows: cmd.DEFAULT_RASTER_ROWS,
    cut: "partial",
  },
} as const satisfies Record<string, PrinterProfile>;

/** Font A is 12 dots wide on 203-dpi heads. */
export const FONT_A_WIDTH = 12;

export type Block =
  /** `optional` text is left out (and reported) when it needs a font the station does not have. */
  | { kind: "text"; text: string; align?: cmd.Align; bold?: boolean; size?: 1 | 2 | 3; optional?: boolean }
  | { kind: "field"; label: string; value: string; optional?: boolean }
  | { kind: "rule" }
  | { kind: "image"; image: Gray; align?: cmd.Align; width?: number }
  | { kind: "bitmap"; bitmap: Bitmap; align?: cmd.Align }
  | { kind: "qr"; data: string; moduleSize?: number; ecc?: cmd.QrEcc; align?: cmd.Align }
  | { kind: "feed"; dots: number }
  | { kind: "cut" };

export interface EncodeOptions {
  /** Needed only when some text is outside the code page. */
  rasterizer?: TextRasterizer;
  /** Told about each optional block that was left out, and why. */
  onSkip?: (text: string, why: string) => void;
}

/** Dithered form of an image block as it will be printed (tests compare the emulator's paper with it). */
export function imageBitmap(block: { image: Gray; width?: number }, widthDots: number): Bitmap {
  const target = block.width ? Math.min(block.width, widthDots) : undefined;
  const scaled = target
    ? resizeGray(
        block.image,
        target,
        Math.max(1, Math.round((block.image.height * target) / block.image.width)),
      )
    : fitGray(block.image, widthDots);
  return ditherFloydSteinberg(scaled);
}

export function encodeDocument(
  blocks: Block[],
  profile: PrinterProfile,
  opts: EncodeOptions = {},
): Uint8Array {
  return cmd.concat(encodeDocumentParts(blocks, profile, opts));
}

/**
 * The job as whole commands. The device sends them in segments and asks for the status between
 * segments; splitting inside a raster would make the printer read the status request as dots.
 */
export function encodeDocumentParts(
  blocks: Block[],
  profile: PrinterProfile,
  opts: EncodeOptions = {},
): Uint8Array[] {
  const page = new CodePage(profile.codePage);
  const out: Uint8Array[] = [
    cmd.init(),
    cmd.codePage(profile.codePageNumber ?? EPSON_CODE_PAGE_NUMBERS[profile.codePage]),
  ];
  const columns = (size: number): number => Math.floor(profile.widthDots / (FONT_A_WIDTH * size));

  const rasterOut = (bmp: Bitmap, align: cmd.Align = "left"): void => {
    // Pad on the left for centre/right instead of trusting ESC a, which printers apply to rasters unevenly.
    const width = Math.min(profile.widthDots, bmp.width);
    const offset =
      align === "left"
        ? 0
        : align === "right"
          ? profile.widthDots - width
          : Math.floor((profile.widthDots - width) / 2);
    const placed = placeBitmap(bmp, offset + width, "right");
    out.push(cmd.align("left"), ...cmd.raster(placed, profile.rasterRows));
  };

  const textOut = (text: string, align: cmd.Align, bold: boolean, size: number, optional = false): void => {
    if (page.canEncode(text)) {
      out.push(cmd.align(align), cmd.bold(bold), cmd.size(size, size));
      for (const line of wrapColumns(text, columns(size))) out.push(page.encode(line)!, cmd.lineFeed());
      out.push(cmd.size(1, 1), cmd.bold(false));
      return;
    }
    const r = opts.rasterizer;
    const missing = !r
      ? `text outside code page ${profile.codePage} needs a text rasterizer`
      : hasDevanagari(text) && !r.hasDevanagari
        ? "Devanagari text needs a Devanagari font (install fonts-lohit-deva or fonts-noto-core)"
        : undefined;
    if (missing || !r) {
      if (!optional) throw new Error(`${missing}: ${JSON.stringify(text.slice(0, 40))}`);
      opts.onSkip?.(text, missing ?? "no rasterizer");
      return;
    }
    const style = { sizePx: 24 * size, bold };
    const lines = r.wrap(text, profile.widthDots, style).map((l) => r.render(l, style));
    if (align === "left") rasterOut(stackBitmaps(lines), "left");
    else for (const l of lines) rasterOut(l, align);
  };

  for (const b of blocks) {
    switch (b.kind) {
      case "text":
        textOut(b.text, b.align ?? "left", b.bold ?? false, b.size ?? 1, b.optional);
        break;
      case "field":
        textOut(`${b.label}: ${b.value}`, "left", false, 1, b.optional);
        break;
      case "rule":
        out.push(cmd.align("left"), page.encode("-".repeat(columns(1)))!, cmd.lineFeed());
        break;
      case "image":
        rasterOut(imageBitmap(b, profile.widthDots), b.align ?? "center");
        break;
      case "bitmap":
        rasterOut(b.bitmap, b.align ?? "center");
        break;
      case "qr":
        if (profile.nativeQr) {
          out.push(cmd.align(b.align ?? "center"));
          out.push(
            ...cmd.qrNative(new TextEncoder().encode(b.data), {
              moduleSize: b.moduleSize ?? 4,
              ecc: b.ecc ?? "M",
            }),
          );
          out.push(cmd.lineFeed(), cmd.align("left"));
        } else {
          rasterOut(
            qrBitmap(b.data, { moduleSize: b.moduleSize ?? 4, ecc: b.ecc ?? "M" }),
            b.align ?? "center",
          );
        }
        break;
      case "feed":
        for (let left = b.dots; left > 0; left -= 255) out.push(cmd.feedDots(Math.min(255, left)));
        break;
      case "cut":
        if (profile.cut !== "none") out.push(cmd.cut(profile.cut, 0));
        break;
    }
  }
  return out;
}

/** Word wrap by character count for code-page text (font A is monospaced). */
export function wrapColumns(text: string, columns: number): string[] {
  const lines: string[] = [];
  for (const para of text.split("\n")) {
    let line = "";
    for (const word of para.split(/ +/)) {
      if (!line) line = word;
      else if (line.length + 1 + word.length <= columns) line += ` ${word}`;
      else {
        lines.push(line);
        line = word;
      }
      while (line.length > columns) {
        lines.push(line.slice(0, columns));
        line = line.slice(columns);
      }
    }
    lines.push(line);
  }
  return lines;
}
