/**
 * WSQ encoder (FBI WSQ specification v3.1): shift and scale the pixels to ±128, 64-subband 7/9 wavelet
 * decomposition, bitrate-driven scalar quantization, run-length + Huffman coding in three blocks.
 * Pure: bytes in, bytes out.
 */
import { BitWriter, ByteWriter } from "./bytes.js";
import { ANALYSIS_HIGHPASS, ANALYSIS_LOWPASS, BIN_CENTER, MIN_DIMENSION, Marker } from "./constants.js";
import { WsqFormatError } from "./errors.js";
import { canonicalCodes, tableFromFrequencies } from "./huffman.js";
import { binWidths, blockSizes, quantize, subbandVariances } from "./quantize.js";
import { countSymbols, writeSymbols } from "./symbols.js";
import {
  nistcom,
  writeFrameHeader,
  writeHuffmanTable,
  writeQuantizationTable,
  writeTransformTable,
} from "./tables.js";
import { decompose } from "./transform.js";
import { buildQuantizationTree, buildWaveletTree } from "./trees.js";

export interface WsqImage {
  width: number;
  height: number;
  /** Scan resolution, pixels per inch; recorded in the NISTCOM comment. */
  ppi: number;
  /** 8-bit grey, row-major, top row first. */
  pixels: Uint8Array;
}

export interface WsqEncodeOptions {
  /** Target bits per pixel; 0.75 (about 15:1) is the FBI's setting for 500 ppi prints. */
  bitrate?: number;
  /** Free text stored in its own COM segment. Must not contain biometric or personal data. */
  comment?: string;
}

export const DEFAULT_WSQ_BITRATE = 0.75;

const BANK = { lowpass: Float64Array.from(ANALYSIS_LOWPASS), highpass: Float64Array.from(ANALYSIS_HIGHPASS) };

export function encodeWsq(image: WsqImage, options: WsqEncodeOptions = {}): Uint8Array {
  const { width, height, pixels } = image;
  const bitrate = options.bitrate ?? DEFAULT_WSQ_BITRATE;
  if (
    !Number.isInteger(width) ||
    !Number.isInteger(height) ||
    width < MIN_DIMENSION ||
    height < MIN_DIMENSION
  ) {
    throw new WsqFormatError(
      `WSQ needs an image of at least ${MIN_DIMENSION}×${MIN_DIMENSION}, got ${width}×${height}`,
    );
  }
  if (width > 0xffff || height > 0xffff)
    throw new WsqFormatError(`image ${width}×${height} is too large for WSQ`);
  if (pixels.length !== width * height) {
    throw new WsqFormatError(`image has ${pixels.length} pixels, ${width}×${height} needs ${width * height}`);
  }
  if (!(bitrate > 0 && bitrate <= 8)) throw new RangeError(`WSQ bitrate must be in (0, 8], got ${bitrate}`);

  // Shift to zero mean and scale so the larger excursion is 128.
  let sum = 0;
  let low = 255;
  let high = 0;
  for (let i = 0; i < pixels.length; i++) {
    const p = pixels[i]!;
    sum += p;
    if (p < low) low = p;
    if (p > high) high = p;
  }
  const shift = sum / pixels.length;
  const scale = Math.max(shift - low, high - shift, 1e-3) / 128;
  const data = new Float64Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) data[i] = (pixels[i]! - shift) / scale;

  const wTree = buildWaveletTree(width, height);
  const qTree = buildQuantizationTree(wTree);
  decompose(data, width, wTree, BANK);
  const table = binWidths(subbandVariances(data, width, qTree), bitrate);
  const coeffs = quantize(data, width, qTree, table);
  const [size1, size2, size3] = blockSizes(qTree, table);
  const blocks = [
    coeffs.subarray(0, size1),
    coeffs.subarray(size1, size1 + size2),
    coeffs.subarray(size1 + size2, size1 + size2 + size3),
  ];

  const w = new ByteWriter();
  w.u16(Marker.SOI);
  writeComment(
    w,
    nistcom([
      ["PIX_WIDTH", String(width)],
      ["PIX_HEIGHT", String(height)],
      ["PIX_DEPTH", "8"],
      ["PPI", String(Math.round(image.ppi))],
      ["LOSSY", "1"],
      ["COLORSPACE", "GRAY"],
      ["COMPRESSION", "WSQ"],
      ["WSQ_BITRATE", bitrate.toFixed(6)],
    ]),
  );
  if (options.comment !== undefined && options.comment.length > 0) {
    writeComment(w, new TextEncoder().encode(options.comment));
  }
  writeTransformTable(w, ANALYSIS_LOWPASS, ANALYSIS_HIGHPASS);
  writeQuantizationTable(w, table, BIN_CENTER);
  writeFrameHeader(w, { width, height, shift, scale });
  // Block 1 has its own table; blocks 2 and 3 (the finer subbands) share one built from both.
  const groups: Array<{ tableId: number; blocks: Int32Array[] }> = [
    { tableId: 0, blocks: [blocks[0]!] },
    { tableId: 1, blocks: [blocks[1]!, blocks[2]!] },
  ];
  for (const group of groups) {
    const freq = new Float64Array(256);
    for (const b of group.blocks) countSymbols(b, freq);
    const huff = tableFromFrequencies(freq);
    const codes = canonicalCodes(huff);
    writeHuffmanTable(w, group.tableId, huff);
    for (const b of group.blocks) {
      w.u16(Marker.SOB);
      w.u16(3);
      w.byte(group.tableId);
      const bits = new BitWriter(w);
      writeSymbols(b, codes, bits);
      bits.flush();
    }
  }
  w.u16(Marker.EOI);
  return w.result();
}

function writeComment(w: ByteWriter, text: Uint8Array): void {
  if (text.length > 0xffff - 2) throw new RangeError("WSQ comment is too long (max 65533 bytes)");
  w.u16(Marker.COM);
  w.u16(text.length + 2);
  w.bytes(text);
}
