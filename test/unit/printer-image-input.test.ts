/**
 * Issue 14, agent item 6: a print image is sized from its IHDR before anything is inflated. The attack
 * is the real one: a 380 KB PNG declaring 20000x20000 grey pixels (400 MB inflated, 1.6 GB as RGBA).
 */
import { createDeflate, crc32, deflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { decodePng, encodeGrayPng, MAX_PNG_SIDE, readPngHeader } from "../../drivers/printer/image-input.js";

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

function png(width: number, height: number, idat: Buffer, interlace = 0): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // grey
  ihdr[12] = interlace;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", idat),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** Deflates `rows` zero rows of `width` grey pixels (plus the filter byte) without holding them. */
async function zeroRows(width: number, rows: number): Promise<Buffer> {
  const d = createDeflate({ level: 9, chunkSize: 1 << 20 });
  const out: Buffer[] = [];
  d.on("data", (c: Buffer) => out.push(c));
  const block = Buffer.alloc((width + 1) * 100);
  for (let i = 0; i < rows / 100; i++) {
    if (!d.write(block)) await new Promise((r) => d.once("drain", r));
  }
  d.end();
  await new Promise((r) => d.once("end", r));
  return Buffer.concat(out);
}

describe("print image input", () => {
  it("refuses a 20000x20000 PNG bomb from its header, without inflating it", async () => {
    const bomb = png(20_000, 20_000, await zeroRows(20_000, 20_000));
    expect(bomb.length).toBeLessThan(400 * 1024);
    expect(readPngHeader(bomb)).toMatchObject({ width: 20_000, height: 20_000, interlaced: false });
    const rssBefore = process.memoryUsage().rss;
    expect(() => decodePng(bomb)).toThrow(/image 20000x20000 is larger than the printer can print/);
    // The old decoder inflated first: hundreds of MB (2.46 GB in the agent) before the size check.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(32 * 1024 * 1024);
  }, 60_000);

  it("refuses an interlaced PNG (pngjs would inflate it without a bound)", () => {
    const rows = Buffer.alloc(8 * 9);
    expect(() => decodePng(png(8, 8, deflateSync(rows), 1))).toThrow(/interlaced PNG is not supported/);
  });

  it("bounds the inflate to what IHDR declares: a small image with a huge IDAT fails cheaply", async () => {
    const lying = png(100, 100, await zeroRows(20_000, 5_000)); // 100 MB of rows for a 10 kpx image
    const rssBefore = process.memoryUsage().rss;
    expect(() => decodePng(lying)).toThrow();
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(32 * 1024 * 1024);
  }, 60_000);

  it("still decodes what a scanner produces, up to the limit", () => {
    const img = { width: 260, height: 300, data: new Uint8Array(260 * 300).map((_, i) => i % 256) };
    expect(decodePng(encodeGrayPng(img))).toEqual(img);
    const edge = { width: MAX_PNG_SIDE, height: 16, data: new Uint8Array(MAX_PNG_SIDE * 16).fill(7) };
    expect(decodePng(encodeGrayPng(edge)).width).toBe(MAX_PNG_SIDE);
    expect(() => decodePng(Buffer.from("GIF89a not a png at all, but long enough"))).toThrow(
      /not a readable PNG/,
    );
  });
});
