/**
 * Encoder bytes against vectors checked by hand from the references in shared/protocols.md §2
 * (python-escpos constants/escpos.py, node-thermal-printer epson.js, Epson numbering).
 */
import { describe, expect, it } from "vitest";
import * as cmd from "../../drivers/printer/escpos.js";
import { CodePage } from "../../drivers/printer/codepage.js";
import { packRows, ditherFloydSteinberg, type Bitmap } from "../../drivers/printer/bitmap.js";

const hex = (b: Uint8Array | Uint8Array[]): string =>
  (Array.isArray(b) ? cmd.concat(b) : b)
    .reduce((s, x) => s + x.toString(16).padStart(2, "0") + " ", "")
    .trim()
    .toUpperCase();

describe("ESC/POS command bytes", () => {
  it("matches the basic command table", () => {
    expect(hex(cmd.init())).toBe("1B 40");
    expect(hex(cmd.bold(true))).toBe("1B 45 01");
    expect(hex(cmd.bold(false))).toBe("1B 45 00");
    expect(hex(cmd.underline(2))).toBe("1B 2D 02");
    expect(hex(cmd.align("left"))).toBe("1B 61 00");
    expect(hex(cmd.align("center"))).toBe("1B 61 01");
    expect(hex(cmd.align("right"))).toBe("1B 61 02");
    expect(hex(cmd.font("B"))).toBe("1B 4D 01");
    expect(hex(cmd.codePage(16))).toBe("1B 74 10");
    expect(hex(cmd.lineSpacing(30))).toBe("1B 33 1E");
    expect(hex(cmd.lineSpacing())).toBe("1B 32");
    expect(hex(cmd.feedLines(3))).toBe("1B 64 03");
    expect(hex(cmd.feedDots(24))).toBe("1B 4A 18");
    expect(hex(cmd.lineFeed())).toBe("0A");
  });

  it("GS ! puts the width in the high nibble (Epson/python-escpos, not node-thermal-printer)", () => {
    // python-escpos: width{1..8} -> 0x00..0x70, height{1..8} -> 0x00..0x07.
    expect(hex(cmd.size(1, 1))).toBe("1D 21 00");
    expect(hex(cmd.size(2, 1))).toBe("1D 21 10");
    expect(hex(cmd.size(1, 2))).toBe("1D 21 01");
    expect(hex(cmd.size(8, 8))).toBe("1D 21 77");
    expect(() => cmd.size(9, 1)).toThrow(RangeError);
  });

  it("cuts: plain full/partial, and feed-then-cut (python-escpos cut(feed=False) sends 1D 56 42 00)", () => {
    expect(hex(cmd.cut("full"))).toBe("1D 56 00");
    expect(hex(cmd.cut("partial"))).toBe("1D 56 01");
    expect(hex(cmd.cut("partial", 0))).toBe("1D 56 42 00");
    expect(hex(cmd.cut("full", 10))).toBe("1D 56 41 0A");
  });

  it("DLE EOT n real-time status requests", () => {
    expect(hex(cmd.statusRequest(1))).toBe("10 04 01");
    expect(hex(cmd.statusRequest(4))).toBe("10 04 04");
  });

  it("GS ( k QR: model 2, module size, error correction, store, print", () => {
    const parts = cmd.qrNative(new TextEncoder().encode("ABC"), { moduleSize: 3, ecc: "M" });
    expect(parts.map((p) => hex(p))).toEqual([
      "1D 28 6B 04 00 31 41 32 00",
      "1D 28 6B 03 00 31 43 03",
      "1D 28 6B 03 00 31 45 31",
      "1D 28 6B 06 00 31 50 30 41 42 43",
      "1D 28 6B 03 00 31 51 30",
    ]);
    // The protocols.md example module size 6 and error level L.
    expect(hex(cmd.qrNative(Uint8Array.of(0x31), { moduleSize: 6, ecc: "L" })[1]!)).toBe(
      "1D 28 6B 03 00 31 43 06",
    );
    expect(hex(cmd.qrNative(Uint8Array.of(0x31), { ecc: "H" })[2]!)).toBe("1D 28 6B 03 00 31 45 33");
    // pL/pH little-endian for data past 252 bytes: 300 + 3 = 0x012F.
    expect(hex(cmd.qrNative(new Uint8Array(300).fill(0x41))[3]!.subarray(0, 8))).toBe(
      "1D 28 6B 2F 01 31 50 30",
    );
  });

  it("GS v 0: x = bytes per row, y = rows, MSB = leftmost dot, 1 = black, rows padded with white", () => {
    // 10 dots wide, 2 rows: row 0 = dots 0 and 9 black; row 1 = dot 7 black.
    const bmp: Bitmap = { width: 10, height: 2, data: new Uint8Array(20) };
    bmp.data[0] = 1;
    bmp.data[9] = 1;
    bmp.data[10 + 7] = 1;
    expect(hex(cmd.raster(bmp))).toBe("1D 76 30 00 02 00 02 00 80 40 01 00");
  });

  it("full-width rows: 384 dots -> xL 48 (0x30), 576 dots -> xL 72 (0x48)", () => {
    const r384 = cmd.raster({ width: 384, height: 1, data: new Uint8Array(384) })[0]!;
    const r576 = cmd.raster({ width: 576, height: 1, data: new Uint8Array(576) })[0]!;
    expect(hex(r384.subarray(0, 8))).toBe("1D 76 30 00 30 00 01 00");
    expect(hex(r576.subarray(0, 8))).toBe("1D 76 30 00 48 00 01 00");
  });

  it("chunks tall images into fragments with yL/yH little-endian", () => {
    const tall: Bitmap = { width: 16, height: 600, data: new Uint8Array(16 * 600) };
    tall.data[599 * 16 + 15] = 1; // last dot of the last row
    const frags = cmd.raster(tall, 256);
    expect(frags.map((f) => hex(f.subarray(0, 8)))).toEqual([
      "1D 76 30 00 02 00 00 01",
      "1D 76 30 00 02 00 00 01",
      "1D 76 30 00 02 00 58 00",
    ]);
    expect(frags.reduce((n, f) => n + f.length - 8, 0)).toBe(2 * 600);
    expect(frags[2]![frags[2]!.length - 1]).toBe(0x01);
    expect(cmd.raster(tall).length).toBe(3); // default 240 rows: 240 + 240 + 120
  });

  it("rejects out-of-range parameters with a clear error", () => {
    expect(() => cmd.codePage(256)).toThrow(/code page/);
    expect(() => cmd.qrNative(new Uint8Array(0))).toThrow(/QR data/);
    expect(() => cmd.qrNative(Uint8Array.of(1), { moduleSize: 17 })).toThrow(/module size/);
  });
});

describe("code pages", () => {
  it("encodes per table and refuses what the table lacks", () => {
    expect([...new CodePage("cp437").encode("Café")!]).toEqual([0x43, 0x61, 0x66, 0x82]);
    expect([...new CodePage("cp858").encode("€")!]).toEqual([0xd5]);
    expect([...new CodePage("cp850").encode("ı")!]).toEqual([0xd5]);
    expect([...new CodePage("wpc1252").encode("€é")!]).toEqual([0x80, 0xe9]);
    expect([...new CodePage("cp866").encode("Ж")!]).toEqual([0x86]);
    expect(new CodePage("cp437").encode("€")).toBeUndefined();
    expect(new CodePage("wpc1252").encode("पुलिस")).toBeUndefined();
    expect(new CodePage("cp437").encode("₹")).toBeUndefined();
  });

  it("decodes what it encodes (the emulator relies on it)", () => {
    for (const name of ["cp437", "cp850", "cp858", "cp866", "wpc1252"] as const) {
      const page = new CodePage(name);
      for (let b = 0x80; b <= 0xff; b++) {
        const ch = page.decodeByte(b);
        if (ch === "\ufffd") continue;
        expect(page.decodeByte(page.encode(ch)![0]!)).toBe(ch);
      }
    }
  });
});

describe("dithering and packing", () => {
  it("keeps black black, white white, and mid grey about half black", () => {
    const n = 64 * 64;
    expect(
      ditherFloydSteinberg({ width: 64, height: 64, data: new Uint8Array(n) }).data.every((v) => v === 1),
    ).toBe(true);
    expect(
      ditherFloydSteinberg({ width: 64, height: 64, data: new Uint8Array(n).fill(255) }).data.every(
        (v) => v === 0,
      ),
    ).toBe(true);
    const mid = ditherFloydSteinberg({ width: 64, height: 64, data: new Uint8Array(n).fill(128) });
    const black = mid.data.reduce((s, v) => s + v, 0) / n;
    expect(black).toBeGreaterThan(0.45);
    expect(black).toBeLessThan(0.55);
  });

  it("diffuses error with the 7/16, 3/16, 5/16, 1/16 weights (2x2 grey 100, hand-computed)", () => {
    // (0,0) 100 -> black, err +100: right +43.75, below +31.25, below-right +6.25.
    // (0,1) 143.75 -> white, err -111.25: below-left -20.86, below -34.77.
    // (1,0) 110.39 -> black, err +110.39: right +48.30.  (1,1) 119.78 -> black.
    const out = ditherFloydSteinberg({ width: 2, height: 2, data: new Uint8Array(4).fill(100) });
    expect([...out.data]).toEqual([1, 0, 1, 1]);
  });

  it("packs MSB first", () => {
    const { bytesPerRow, data } = packRows({
      width: 9,
      height: 1,
      data: Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 1, 1),
    });
    expect(bytesPerRow).toBe(2);
    expect([...data]).toEqual([0x81, 0x80]);
  });
});
