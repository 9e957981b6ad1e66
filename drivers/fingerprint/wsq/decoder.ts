/**
 * WSQ decoder: parses the marker stream (tables may come in any order before the blocks they serve),
 * Huffman-decodes the blocks, dequantizes and runs the synthesis filter bank. Any malformed or truncated
 * input ends in a WsqFormatError; sizes are checked before anything is allocated from them.
 */
import { BitReader, ByteReader } from "./bytes.js";
import { Marker, NUM_SUBBANDS } from "./constants.js";
import { WsqFormatError } from "./errors.js";
import { HuffmanDecoder, type HuffmanTable } from "./huffman.js";
import { blockSizes, dequantize, type QuantizerTable } from "./quantize.js";
import { readSymbols } from "./symbols.js";
import {
  parseNistcom,
  readFrameHeader,
  readHuffmanTables,
  readQuantizationTable,
  readTransformTable,
  type FrameHeader,
} from "./tables.js";
import { reconstruct, type FilterBank } from "./transform.js";
import { buildQuantizationTree, buildWaveletTree } from "./trees.js";
import type { WsqImage } from "./encoder.js";

export interface DecodedWsq extends WsqImage {
  /** The COM segments' text, NISTCOM first as stored. */
  comments: string[];
}

/** Largest image the decoder accepts (a 1600×1500 slap is 2.4 million; this bounds what a corrupt header can make us allocate). */
const MAX_PIXELS = 10_000_000;

export function decodeWsq(bytes: Uint8Array): DecodedWsq {
  if (!(bytes instanceof Uint8Array)) throw new WsqFormatError("WSQ input must be bytes");
  const r = new ByteReader(bytes);
  if (bytes.length < 2 || r.u16("SOI") !== Marker.SOI)
    throw new WsqFormatError("not a WSQ file: no SOI marker", 0);

  let bank: FilterBank | undefined;
  let quant: { table: QuantizerTable; binCenter: number } | undefined;
  let frame: FrameHeader | undefined;
  const huffman = new Map<number, HuffmanTable>();
  const comments: string[] = [];
  let coeffs: Int32Array | undefined;
  let sizes: [number, number, number] = [0, 0, 0];
  let qTree: ReturnType<typeof buildQuantizationTree> | undefined;
  let wTree: ReturnType<typeof buildWaveletTree> | undefined;
  let block = 0;
  let filled = 0;

  for (;;) {
    const at = r.pos;
    const marker = r.u16("marker");
    if ((marker & 0xff00) !== 0xff00)
      throw new WsqFormatError(`expected a marker, found 0x${hex(marker)}`, at);
    if (marker === Marker.EOI) break;
    const length = r.u16("segment length");
    if (length < 2) throw new WsqFormatError(`segment length ${length} is too short`, at + 2);
    const end = at + 2 + length;
    r.need(length - 2, `segment 0x${hex(marker)}`);
    switch (marker) {
      case Marker.DTT:
        bank = readTransformTable(r);
        break;
      case Marker.DQT:
        quant = readQuantizationTable(r);
        break;
      case Marker.DHT:
        readHuffmanTables(r, end, huffman);
        break;
      case Marker.COM:
        comments.push(new TextDecoder().decode(bytes.subarray(r.pos, end)));
        break;
      case Marker.DRT:
        break; // restart intervals: the reference encoder never writes them, and the blocks do not need them
      case Marker.SOF: {
        if (frame) throw new WsqFormatError("second SOF frame header", at);
        frame = readFrameHeader(r);
        if (frame.width < 1 || frame.height < 1 || frame.width * frame.height > MAX_PIXELS) {
          throw new WsqFormatError(`frame size ${frame.width}×${frame.height} is not plausible`, at);
        }
        if (!(frame.scale > 0)) throw new WsqFormatError("frame scale is zero", at);
        wTree = buildWaveletTree(frame.width, frame.height);
        qTree = buildQuantizationTree(wTree);
        break;
      }
      case Marker.SOB: {
        if (!frame || !qTree) throw new WsqFormatError("block before the frame header", at);
        if (!quant) throw new WsqFormatError("block before the quantization table", at);
        if (block >= 3) throw new WsqFormatError("more than three blocks", at);
        const tableId = r.byte("SOB table id");
        const table = huffman.get(tableId);
        if (!table)
          throw new WsqFormatError(`block uses Huffman table ${tableId}, which was not defined`, at);
        if (!coeffs) {
          sizes = blockSizes(qTree, quant.table);
          coeffs = new Int32Array(sizes[0] + sizes[1] + sizes[2]);
        }
        r.pos = end;
        const bits = new BitReader(r);
        readSymbols(bits, new HuffmanDecoder(table), coeffs, filled, sizes[block]!);
        filled += sizes[block]!;
        block++;
        bits.skipToMarker();
        continue;
      }
      default:
        throw new WsqFormatError(`unexpected marker 0x${hex(marker)}`, at);
    }
    if (r.pos > end) throw new WsqFormatError(`segment 0x${hex(marker)} is longer than its length says`, at);
    r.pos = end;
  }

  if (!frame || !wTree || !qTree) throw new WsqFormatError("no SOF frame header before EOI");
  if (!bank) throw new WsqFormatError("no DTT transform table");
  if (!quant || !coeffs) throw new WsqFormatError("no coded blocks before EOI");
  if (filled !== coeffs.length) throw new WsqFormatError(`only ${block} of 3 blocks present`);
  for (let s = 0; s < NUM_SUBBANDS; s++) {
    const q = qTree[s]!;
    if (quant.table.binWidth[s]! !== 0 && (q.lenx <= 0 || q.leny <= 0)) {
      throw new WsqFormatError(`image ${frame.width}×${frame.height} is too small for WSQ subband ${s}`);
    }
  }
  const { width, height, shift, scale } = frame;
  const data = dequantize(coeffs, width, height, qTree, quant.table, quant.binCenter);
  reconstruct(data, width, wTree, bank);
  const pixels = new Uint8Array(width * height);
  for (let i = 0; i < pixels.length; i++) {
    const v = data[i]! * scale + shift + 0.5;
    pixels[i] = v < 0 ? 0 : v > 255 ? 255 : Math.floor(v);
  }
  const nist = comments.map(parseNistcom).find((m) => m !== undefined);
  const ppi = Number(nist?.get("PPI") ?? -1);
  return { width, height, ppi: Number.isFinite(ppi) ? ppi : -1, pixels, comments };
}

function hex(v: number): string {
  return v.toString(16).padStart(4, "0");
}
