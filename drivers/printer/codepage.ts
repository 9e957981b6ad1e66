/**
 * Character code tables the printer can show (ESC t). Text is encoded per table; a character no table
 * holds (Devanagari, the rupee sign) makes the caller print that line as a raster image instead.
 * The ESC t number differs between models (Epson vs cheap 58 mm clones), so profiles carry it.
 */
export type CodePageName = "cp437" | "cp850" | "cp858" | "cp866" | "wpc1252";

const CP437_HIGH =
  "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0";
const CP850_HIGH =
  "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜø£Ø×ƒáíóúñÑªº¿®¬½¼¡«»░▒▓│┤ÁÂÀ©╣║╗╝¢¥┐└┴┬├─┼ãÃ╚╔╩╦╠═╬¤ðÐÊËÈıÍÎÏ┘┌█▄¦Ì▀ÓßÔÒõÕµþÞÚÛÙýÝ¯´\u00ad±‗¾¶§÷¸°¨·¹³²■\u00a0";

// Node's TextDecoder treats windows-1252 as Latin-1 (0x80..0x9F become C1 controls), so spell out that row.
const WPC1252_C1 = "€\ufffd‚ƒ„…†‡ˆ‰Š‹Œ\ufffdŽ\ufffd\ufffd‘’“”•–—˜™š›œ\ufffdžŸ";

function decoded(label: string): string {
  const high = Uint8Array.from({ length: 128 }, (_, i) => 0x80 + i);
  return new TextDecoder(label).decode(high);
}

function highHalf(name: CodePageName): string {
  switch (name) {
    case "cp437":
      return CP437_HIGH;
    case "cp850":
      return CP850_HIGH;
    case "cp858":
      // CP858 is CP850 with the euro sign in place of the dotless i at 0xD5.
      return CP850_HIGH.slice(0, 0x55) + "€" + CP850_HIGH.slice(0x56);
    case "cp866":
      return decoded("ibm866");
    case "wpc1252":
      return WPC1252_C1 + String.fromCharCode(...Array.from({ length: 96 }, (_, i) => 0xa0 + i));
  }
}

export const CODE_PAGE_NAMES: readonly CodePageName[] = ["cp437", "cp850", "cp858", "cp866", "wpc1252"];

/** Epson's ESC t numbers (TM-T20II profile). POS-5890 clones differ for some; override per printer. */
export const EPSON_CODE_PAGE_NUMBERS: Record<CodePageName, number> = {
  cp437: 0,
  cp850: 2,
  wpc1252: 16,
  cp866: 17,
  cp858: 19,
};

export class CodePage {
  private readonly toByte = new Map<string, number>();
  readonly table: string;

  constructor(readonly name: CodePageName) {
    const high = highHalf(name);
    if ([...high].length !== 128) throw new Error(`code page ${name}: table has ${[...high].length} entries`);
    this.table = high;
    [...high].forEach((ch, i) => {
      if (ch !== "\ufffd" && !this.toByte.has(ch)) this.toByte.set(ch, 0x80 + i);
    });
  }

  /** The bytes for `text`, or undefined when any character is outside this table. */
  encode(text: string): Uint8Array | undefined {
    const out: number[] = [];
    for (const ch of text) {
      const c = ch.codePointAt(0)!;
      if (c >= 0x20 && c < 0x7f) out.push(c);
      else {
        const b = this.toByte.get(ch);
        if (b === undefined) return undefined;
        out.push(b);
      }
    }
    return Uint8Array.from(out);
  }

  canEncode(text: string): boolean {
    return this.encode(text) !== undefined;
  }

  /** One printable byte back to text (the emulator renders with this). */
  decodeByte(b: number): string {
    if (b >= 0x20 && b < 0x7f) return String.fromCharCode(b);
    if (b >= 0x80) return [...this.table][b - 0x80] ?? "?";
    return "";
  }
}
