/**
 * Text the printer's code pages cannot show (Devanagari, ₹) is shaped with HarfBuzz and drawn as dots.
 * HarfBuzz does the Indic reordering, conjuncts and matra placement; each run of one script gets its
 * own font. Loading reads font files once; measuring and rendering are pure afterwards.
 */
import { existsSync, readFileSync } from "node:fs";
import { blankBitmap, type Bitmap } from "./bitmap.js";
import { CoverageCanvas } from "./outline-fill.js";

type HarfBuzz = typeof import("harfbuzzjs");
type HbFont = InstanceType<HarfBuzz["Font"]>;

export const DEFAULT_FONTS = {
  devanagari: [
    "/usr/share/fonts/truetype/lohit-devanagari/Lohit-Devanagari.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansDevanagari-Regular.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansDevanagari-Regular.ttf",
  ],
  latin: [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
  ],
  mono: [
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansMono-Regular.ttf",
  ],
};

export interface FontPaths {
  /** Font for Devanagari runs (null: none); without one, Devanagari text cannot be printed (a clear error says so). */
  devanagari?: string | null;
  /** Font for every other run. */
  latin?: string;
}

export interface TextStyle {
  /** Em size in dots: 24 matches the height of the printer's font A. */
  sizePx?: number;
  bold?: boolean;
}

interface LoadedFont {
  font: HbFont;
  upem: number;
  ascender: number;
  descender: number;
}

/** Devanagari, Devanagari Extended and Vedic Extensions blocks (code point ranges, not a regex class of marks). */
function isDevanagari(ch: string): boolean {
  const c = ch.codePointAt(0) ?? 0;
  return (c >= 0x0900 && c <= 0x097f) || (c >= 0xa8e0 && c <= 0xa8ff) || (c >= 0x1cd0 && c <= 0x1cff);
}

/** Characters that belong to whichever run they sit in (spaces, joiners, dandas, punctuation). */
function isNeutral(ch: string): boolean {
  return /\s/.test(ch) || ch === "\u200c" || ch === "\u200d" || " .,:;!?()-/".includes(ch);
}

export function firstExisting(paths: readonly string[]): string | undefined {
  return paths.find((p) => existsSync(p));
}

export class TextRasterizer {
  /**
   * One shaping buffer, reset for each run. harfbuzzjs frees a Buffer only from a FinalizationRegistry
   * after a major GC; a new one per run grew the wasm memory by ~3 MB per thousand lines, and wasm memory
   * never shrinks.
   */
  private readonly buf: InstanceType<HarfBuzz["Buffer"]>;

  private constructor(
    private readonly hb: HarfBuzz,
    private readonly latin: LoadedFont,
    private readonly devanagari: LoadedFont | undefined,
  ) {
    this.buf = new hb.Buffer();
  }

  static async load(paths: FontPaths = {}): Promise<TextRasterizer> {
    const latinPath = paths.latin ?? firstExisting(DEFAULT_FONTS.latin);
    if (!latinPath)
      throw new Error(
        `no Latin font found (tried ${DEFAULT_FONTS.latin.join(", ")}); install fonts-dejavu-core`,
      );
    const devaPath =
      paths.devanagari === null ? undefined : (paths.devanagari ?? firstExisting(DEFAULT_FONTS.devanagari));
    const hb = await import("harfbuzzjs");
    const open = (p: string): LoadedFont => {
      const face = new hb.Face(new hb.Blob(readFileSync(p)));
      const font = new hb.Font(face);
      const ext = font.hExtents();
      return { font, upem: face.upem, ascender: ext.ascender, descender: ext.descender };
    };
    return new TextRasterizer(hb, open(latinPath), devaPath ? open(devaPath) : undefined);
  }

  get hasDevanagari(): boolean {
    return this.devanagari !== undefined;
  }

  /** Height in dots of one rendered line at `sizePx`. */
  lineHeight(sizePx = 24): number {
    const fonts = [this.latin, ...(this.devanagari ? [this.devanagari] : [])];
    const asc = Math.max(...fonts.map((f) => f.ascender / f.upem));
    const desc = Math.max(...fonts.map((f) => -f.descender / f.upem));
    return Math.ceil((asc + desc) * sizePx) + 2;
  }

  /** Row of the baseline in a rendered line at `sizePx`. */
  baseline(sizePx = 24): number {
    const fonts = [this.latin, ...(this.devanagari ? [this.devanagari] : [])];
    return 1 + Math.ceil(Math.max(...fonts.map((f) => f.ascender / f.upem)) * sizePx);
  }

  measure(text: string, style: TextStyle = {}): number {
    const sizePx = style.sizePx ?? 24;
    let width = 0;
    for (const run of this.runs(text)) {
      for (const g of this.shape(run.text, run.font)) width += (g.xAdvance * sizePx) / run.font.upem;
    }
    return Math.ceil(width) + (style.bold ? 1 : 0);
  }

  /** Break at spaces so each line fits `maxWidth` dots; a single over-long word is split by characters. */
  wrap(text: string, maxWidth: number, style: TextStyle = {}): string[] {
    const lines: string[] = [];
    for (const para of text.split("\n")) {
      let line = "";
      for (const word of para.split(/ +/)) {
        const candidate = line ? `${line} ${word}` : word;
        if (this.measure(candidate, style) <= maxWidth) {
          line = candidate;
          continue;
        }
        if (line) lines.push(line);
        line = word;
        while (this.measure(line, style) > maxWidth && line.length > 1) {
          const graphemes = [...new Intl.Segmenter("hi", { granularity: "grapheme" }).segment(line)].map(
            (s) => s.segment,
          );
          let n = graphemes.length - 1;
          while (n > 1 && this.measure(graphemes.slice(0, n).join(""), style) > maxWidth) n--;
          lines.push(graphemes.slice(0, n).join(""));
          line = graphemes.slice(n).join("");
        }
      }
      lines.push(line);
    }
    return lines;
  }

  /** One line of text as black dots on white, `lineHeight(sizePx)` tall and as wide as the text. */
  render(text: string, style: TextStyle = {}): Bitmap {
    const sizePx = style.sizePx ?? 24;
    const height = this.lineHeight(sizePx);
    const width = Math.max(1, this.measure(text, style));
    const canvas = new CoverageCanvas(width, height);
    const baseline = this.baseline(sizePx);
    let pen = 0;
    for (const run of this.runs(text)) {
      const scale = sizePx / run.font.upem;
      for (const g of this.shape(run.text, run.font)) {
        const path = run.font.font.glyphToJson(g.glyph);
        const x = pen + g.xOffset * scale;
        const y = baseline - g.yOffset * scale;
        canvas.addPath(path, scale, x, y);
        if (style.bold) canvas.addPath(path, scale, x + 1, y);
        canvas.flush();
        pen += g.xAdvance * scale;
      }
    }
    const out = blankBitmap(width, height);
    for (let i = 0; i < out.data.length; i++) out.data[i] = (canvas.coverage[i] ?? 0) >= 0.5 ? 1 : 0;
    return out;
  }

  private runs(text: string): { text: string; font: LoadedFont }[] {
    const runs: { text: string; font: LoadedFont }[] = [];
    for (const ch of text) {
      const isDeva = isDevanagari(ch);
      if (isDeva && !this.devanagari) {
        throw new Error(
          "Devanagari text needs a Devanagari font (install fonts-lohit-deva or fonts-noto-core)",
        );
      }
      const last = runs[runs.length - 1];
      const font = isDeva ? this.devanagari! : isNeutral(ch) && last ? last.font : this.latin;
      if (last && last.font === font) last.text += ch;
      else runs.push({ text: ch, font });
    }
    return runs;
  }

  private shape(
    text: string,
    font: LoadedFont,
  ): { glyph: number; xAdvance: number; xOffset: number; yOffset: number }[] {
    const buf = this.buf;
    buf.reset();
    buf.addText(text);
    buf.guessSegmentProperties();
    this.hb.shape(font.font, buf);
    const infos = buf.getGlyphInfos();
    const pos = buf.getGlyphPositions();
    return infos.map((info, i) => ({
      glyph: info.codepoint,
      xAdvance: pos[i]!.xAdvance,
      xOffset: pos[i]!.xOffset,
      yOffset: pos[i]!.yOffset,
    }));
  }
}

/** Whether text contains a script that needs the Devanagari font. */
export function hasDevanagari(text: string): boolean {
  for (const ch of text) if (isDevanagari(ch)) return true;
  return false;
}
