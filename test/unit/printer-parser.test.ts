/** The emulator's parser reads every command the encoder emits, however the bytes are chunked. */
import { describe, expect, it } from "vitest";
import { encodeDocument, PROFILES } from "../../drivers/printer/document.js";
import { EscPosParser, type Op } from "../../drivers/printer/emulator/parser.js";
import * as cmd from "../../drivers/printer/escpos.js";
import { arrestSlip } from "../../drivers/printer/templates.js";
import { encodeTestPage } from "../../drivers/printer/slip.js";
import { loadFonts, SLIP } from "../support/printer.js";

/** Parses in chunks of `chunk` bytes; text split across chunks is joined again (the paper joins it too). */
function parseAll(bytes: Uint8Array, chunk: number): Op[] {
  const p = new EscPosParser();
  const ops: Op[] = [];
  for (let i = 0; i < bytes.length; i += chunk) {
    for (const op of p.push(bytes.subarray(i, i + chunk))) {
      const last = ops[ops.length - 1];
      if (op.op === "text" && last?.op === "text") last.bytes = Uint8Array.from([...last.bytes, ...op.bytes]);
      else ops.push(op);
    }
  }
  expect(p.pending).toBe(0);
  return ops;
}

describe("ESC/POS parser", () => {
  it("parses each command kind the encoder emits", () => {
    const bytes = cmd.concat([
      cmd.init(),
      cmd.codePage(16),
      cmd.bold(true),
      cmd.size(2, 3),
      cmd.align("right"),
      Uint8Array.of(0x41, 0x42),
      cmd.lineFeed(),
      cmd.feedDots(5),
      cmd.feedLines(2),
      ...cmd.raster({ width: 8, height: 1, data: Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 1) }),
      ...cmd.qrNative(Uint8Array.of(0x58), { moduleSize: 3 }),
      cmd.statusRequest(2),
      cmd.cut("partial", 0),
    ]);
    const ops = parseAll(bytes, bytes.length);
    expect(ops.map((o) => o.op)).toEqual([
      "init",
      "codePage",
      "bold",
      "size",
      "align",
      "text",
      "lf",
      "feedDots",
      "feedLines",
      "raster",
      "qr",
      "qr",
      "qr",
      "qr",
      "qr",
      "status",
      "cut",
    ]);
    expect(ops[3]).toEqual({ op: "size", width: 2, height: 3 });
    expect(ops[9]).toMatchObject({ op: "raster", bytesPerRow: 1, rows: 1, data: Uint8Array.of(0x81) });
    expect(ops[16]).toEqual({ op: "cut", partial: true, feed: 0 });
  });

  it("reads a whole slip byte by byte exactly as in one piece, with no unknown command", async () => {
    const { text } = await loadFonts();
    const bytes = encodeDocument(arrestSlip(SLIP), PROFILES["58mm"], { rasterizer: text });
    const whole = parseAll(bytes, bytes.length);
    expect(whole.filter((o) => o.op === "unknown")).toEqual([]);
    expect(parseAll(bytes, 1)).toEqual(whole);
    expect(parseAll(bytes, 977)).toEqual(whole);
    const test = encodeTestPage(PROFILES["80mm"], "x", text).bytes;
    expect(parseAll(test, 64).filter((o) => o.op === "unknown")).toEqual([]);
  });

  it("does not read status requests inside raster data", () => {
    const bmp = { width: 24, height: 1, data: new Uint8Array(24) };
    // Dots that pack to the bytes 10 04 01: a DLE EOT 1 pattern inside the image.
    for (const x of [3, 13, 23]) bmp.data[x] = 1;
    const ops = parseAll(cmd.concat(cmd.raster(bmp)), 3);
    expect(ops.map((o) => o.op)).toEqual(["raster"]);
  });

  it("reports bytes it cannot parse instead of guessing", () => {
    const ops = parseAll(Uint8Array.of(0x1b, 0x99, 0x00, 0x41), 4);
    expect(ops[0]).toEqual({ op: "unknown", byte: 0x1b });
  });
});
