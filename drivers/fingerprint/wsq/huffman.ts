/**
 * Huffman tables as WSQ uses them (the JPEG scheme, ITU T.81 Annex K): code lengths from symbol
 * frequencies, limited to 16 bits, with the all-ones code kept unused so 1-bit padding never decodes as
 * a symbol; canonical codes from the (bits, values) pair a DHT segment carries.
 */
import { WsqFormatError } from "./errors.js";

export interface HuffmanTable {
  /** bits[i] = number of codes of length i + 1, i = 0..15. */
  bits: number[];
  /** Symbols in order of increasing code length. */
  values: number[];
}

export interface HuffmanCodes {
  code: Int32Array;
  size: Uint8Array;
}

const MAX_CODE_LENGTH = 16;

export function tableFromFrequencies(freq: ArrayLike<number>): HuffmanTable {
  const n = 257;
  const f = new Float64Array(n);
  for (let i = 0; i < 256; i++) f[i] = freq[i] ?? 0;
  f[256] = 1; // reserved: guarantees no real symbol gets the all-ones code
  const codeSize = new Int32Array(n);
  const others = new Int32Array(n).fill(-1);
  for (;;) {
    let v1 = -1;
    let v2 = -1;
    for (let i = 0; i < n; i++) {
      if (f[i]! > 0 && (v1 < 0 || f[i]! <= f[v1]!)) v1 = i;
    }
    for (let i = 0; i < n; i++) {
      if (i !== v1 && f[i]! > 0 && (v2 < 0 || f[i]! <= f[v2]!)) v2 = i;
    }
    if (v2 < 0) break;
    f[v1]! += f[v2]!;
    f[v2] = 0;
    codeSize[v1]!++;
    while (others[v1]! >= 0) {
      v1 = others[v1]!;
      codeSize[v1]!++;
    }
    others[v1] = v2;
    codeSize[v2]!++;
    while (others[v2]! >= 0) {
      v2 = others[v2]!;
      codeSize[v2]!++;
    }
  }
  const counts = new Array<number>(33).fill(0);
  for (let i = 0; i < n; i++) if (codeSize[i]! > 0) counts[codeSize[i]!]!++;
  // Limit lengths to 16 bits (Annex K.3).
  for (let i = 32; i > MAX_CODE_LENGTH; i--) {
    while (counts[i]! > 0) {
      let j = i - 2;
      while (counts[j] === 0) j--;
      counts[i]! -= 2;
      counts[i - 1]!++;
      counts[j + 1]! += 2;
      counts[j]!--;
    }
  }
  let longest = MAX_CODE_LENGTH;
  while (counts[longest] === 0) longest--;
  counts[longest]!--; // drop the reserved symbol's code
  const values: number[] = [];
  for (let len = 1; len <= 32; len++) {
    for (let s = 0; s < 256; s++) if (codeSize[s] === len) values.push(s);
  }
  return { bits: counts.slice(1, MAX_CODE_LENGTH + 1), values };
}

/** The canonical code of every symbol of a table (Annex C). */
export function canonicalCodes(table: HuffmanTable): HuffmanCodes {
  const code = new Int32Array(256).fill(-1);
  const size = new Uint8Array(256);
  let next = 0;
  let k = 0;
  for (let len = 1; len <= MAX_CODE_LENGTH; len++) {
    for (let i = 0; i < table.bits[len - 1]!; i++) {
      const symbol = table.values[k++]!;
      code[symbol] = next++;
      size[symbol] = len;
    }
    next <<= 1;
  }
  return { code, size };
}

/** Decoding tables (Annex F.2.2.3): per length, the largest code and where its symbols start. */
export class HuffmanDecoder {
  private readonly maxCode = new Int32Array(MAX_CODE_LENGTH + 2).fill(-1);
  private readonly valPtr = new Int32Array(MAX_CODE_LENGTH + 1);
  private readonly minCode = new Int32Array(MAX_CODE_LENGTH + 1);

  constructor(private readonly table: HuffmanTable) {
    let code = 0;
    let k = 0;
    for (let len = 1; len <= MAX_CODE_LENGTH; len++) {
      const count = table.bits[len - 1]!;
      if (count > 0) {
        this.valPtr[len] = k;
        this.minCode[len] = code;
        code += count;
        k += count;
        this.maxCode[len] = code - 1;
      }
      if (code > 1 << len) throw new WsqFormatError(`Huffman table is over-subscribed at code length ${len}`);
      code <<= 1;
    }
  }

  /** Next symbol from `bit`, or -1 when the data ends (at a marker) before a whole code. */
  decode(bit: () => number): number {
    let code = 0;
    for (let len = 1; len <= MAX_CODE_LENGTH; len++) {
      const b = bit();
      if (b < 0) return -1;
      code = (code << 1) | b;
      if (code <= this.maxCode[len]!)
        return this.table.values[this.valPtr[len]! + code - this.minCode[len]!]!;
    }
    throw new WsqFormatError("invalid Huffman code in WSQ block data");
  }
}
