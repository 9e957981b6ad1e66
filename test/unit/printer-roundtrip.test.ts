/**
 * Round trip: encoder -> emulator parser -> paper -> PNG file, and the PNG's pixels equal the dithered
 * source dot for dot. Also the slips a person reads: no unknown command, text where it should be.
 */
import { describe, expect, it } from "vitest";
import { ditherFloydSteinberg, placeBitmap, type Bitmap } from "../../drivers/printer/bitmap.js";
import {
  encodeDocument,
  imageBitmap,
  PROFILES,
  type PrinterProfile,
} from "../../drivers/printer/document.js";
import { grayRamp, syntheticFingerprint } from "../../drivers/printer/emulator/sample-images.js";
import { qrBitmap } from "../../drivers/printer/qr.js";
import { encodeSlip } from "../../drivers/printer/slip.js";
import { inkCount, loadFonts, pngToBitmap, RECEIPT, SLIP, virtualPrinter } from "../support/printer.js";

function region(b: Bitmap, y0: number, height: number): Bitmap {
  return { width: b.width, height, data: b.data.slice(y0 * b.width, (y0 + height) * b.width) };
}

/** First row with any ink at or after `from`. */
function firstInkRow(b: Bitmap, from = 0): number {
  for (let y = from; y < b.height; y++)
    if (b.data.subarray(y * b.width, (y + 1) * b.width).some((v) => v)) return y;
  return -1;
}

describe("round trip through the emulator to a PNG", () => {
  for (const [name, profile] of Object.entries(PROFILES) as [string, PrinterProfile][]) {
    it(`a grey fingerprint on ${name} comes out as exactly the dithered dots`, async () => {
      const fp = syntheticFingerprint();
      const printer = await virtualPrinter(profile.widthDots);
      printer.receive(encodeDocument([{ kind: "image", image: fp, align: "center" }], profile));
      const paper = pngToBitmap(printer.paper.toPng());
      const expected = placeBitmap(ditherFloydSteinberg(fp), profile.widthDots, "center");
      expect(paper.width).toBe(profile.widthDots);
      expect(paper.height).toBe(fp.height);
      expect(Buffer.from(paper.data).equals(Buffer.from(expected.data))).toBe(true);
      expect(inkCount(paper)).toBeGreaterThan(fp.width * fp.height * 0.2);
    });
  }

  it("a tall image split into many GS v 0 fragments prints seamlessly (scaled to full width)", async () => {
    const ramp = grayRamp(200, 900);
    const profile: PrinterProfile = { ...PROFILES["58mm"], rasterRows: 128 };
    const block = { kind: "image" as const, image: ramp, width: 384 };
    const printer = await virtualPrinter(384);
    printer.receive(encodeDocument([block], profile));
    const paper = pngToBitmap(printer.paper.toPng());
    const expected = imageBitmap(block, 384);
    expect(expected.width).toBe(384);
    expect(expected.height).toBe(1728);
    expect(paper.height).toBe(expected.height);
    expect(Buffer.from(paper.data).equals(Buffer.from(expected.data))).toBe(true);
  });

  it("a raster QR comes out as the library's symbol", async () => {
    const printer = await virtualPrinter(384);
    printer.receive(
      encodeDocument([{ kind: "qr", data: "CCTNS1|X|FIR:1", align: "left" }], PROFILES["58mm"]),
    );
    const paper = pngToBitmap(printer.paper.toPng());
    const qr = qrBitmap("CCTNS1|X|FIR:1");
    const expected = placeBitmap(qr, 384, "left");
    expect(Buffer.from(region(paper, 0, qr.height).data).equals(Buffer.from(expected.data))).toBe(true);
  });

  it("a native QR (GS ( k) is drawn by the emulator at the requested module size", async () => {
    const printer = await virtualPrinter(576);
    printer.receive(
      encodeDocument(
        [{ kind: "qr", data: "CCTNS1|X|FIR:1", moduleSize: 5, align: "left" }],
        PROFILES["80mm"],
      ),
    );
    const paper = pngToBitmap(printer.paper.toPng());
    const expected = qrBitmap("CCTNS1|X|FIR:1", { moduleSize: 5, quiet: 0 });
    const top = firstInkRow(paper);
    expect(top).toBe(0);
    expect(
      Buffer.from(region(paper, 0, expected.height).data).equals(
        Buffer.from(placeBitmap(expected, 576, "left").data),
      ),
    ).toBe(true);
  });

  it("code-page text lands in 12x24 cells on the line, descenders included", async () => {
    const printer = await virtualPrinter(384);
    printer.receive(encodeDocument([{ kind: "text", text: "Ag_" }], PROFILES["58mm"]));
    const paper = printer.paper.toBitmap();
    const inkRows = (x0: number): number[] => {
      const rows: number[] = [];
      for (let y = 0; y < paper.height; y++)
        for (let x = x0; x < x0 + 12; x++) if (paper.data[y * paper.width + x]) rows.push(y);
      return rows;
    };
    for (const cell of [0, 1, 2]) {
      const rows = inkRows(cell * 12);
      expect(rows.length).toBeGreaterThan(0);
      expect(Math.max(...rows)).toBeLessThan(24);
    }
    // The underscore sits below the baseline of "A"; nothing is drawn past the third cell.
    expect(Math.min(...inkRows(24))).toBeGreaterThan(Math.max(...inkRows(0)));
    expect(inkRows(36)).toEqual([]);
  });

  it("slips on both widths parse cleanly and carry text, the fingerprint and the QR", async () => {
    const { text } = await loadFonts();
    for (const profile of [PROFILES["58mm"], PROFILES["80mm"]]) {
      for (const [template, data] of [
        ["arrest-slip", SLIP],
        ["complaint-receipt", RECEIPT],
      ] as const) {
        const job = encodeSlip(template, data, profile, text);
        expect(job.skipped).toEqual([]);
        const printer = await virtualPrinter(profile.widthDots);
        printer.receive(job.bytes);
        expect(printer.paper.unknown).toEqual([]);
        expect(printer.paper.cuts.length).toBe(1);
        const paper = printer.paper.toBitmap();
        expect(inkCount(paper)).toBeGreaterThan(5000);
        // Nothing is drawn past the printable width (the PNG has exactly widthDots of paper).
        expect(paper.width).toBe(profile.widthDots);
      }
    }
  });
});
