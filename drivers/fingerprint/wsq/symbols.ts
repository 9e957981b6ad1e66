/**
 * The WSQ run-length alphabet between quantized coefficients and Huffman symbols: 1-100 are zero runs,
 * 107-254 small coefficients (value + 180), and 101-106 escapes followed by an 8- or 16-bit magnitude.
 */
import type { BitReader, BitWriter } from "./bytes.js";
import { COEFF_OFFSET, Escape, MAX_COEFF, MAX_ZERO_RUN_SYMBOL, MIN_COEFF } from "./constants.js";
import type { HuffmanCodes, HuffmanDecoder } from "./huffman.js";
import { WsqFormatError } from "./errors.js";

type Emit = (symbol: number, extra?: number, extraBits?: number) => void;

function walk(coeffs: Int32Array, emit: Emit): void {
  const coefficient = (v: number): void => {
    if (v > MAX_COEFF) {
      if (v > 255) emit(Escape.POS_16, Math.min(v, 0xffff), 16);
      else emit(Escape.POS_8, v, 8);
    } else if (v < MIN_COEFF) {
      if (v < -255) emit(Escape.NEG_16, Math.min(-v, 0xffff), 16);
      else emit(Escape.NEG_8, -v, 8);
    } else {
      emit(v + COEFF_OFFSET);
    }
  };
  const run = (n: number): void => {
    if (n <= MAX_ZERO_RUN_SYMBOL) emit(n);
    else if (n <= 0xff) emit(Escape.ZRUN_8, n, 8);
    else emit(Escape.ZRUN_16, n, 16);
  };
  let zeros = 0;
  for (let i = 0; i < coeffs.length; i++) {
    const v = coeffs[i]!;
    if (v === 0) {
      if (++zeros === 0xffff) {
        run(zeros);
        zeros = 0;
      }
      continue;
    }
    if (zeros > 0) {
      run(zeros);
      zeros = 0;
    }
    coefficient(v);
  }
  if (zeros > 0) run(zeros);
}

export function countSymbols(coeffs: Int32Array, freq: Float64Array): void {
  walk(coeffs, (symbol) => freq[symbol]!++);
}

export function writeSymbols(coeffs: Int32Array, codes: HuffmanCodes, out: BitWriter): void {
  walk(coeffs, (symbol, extra, extraBits) => {
    const size = codes.size[symbol]!;
    if (size === 0) throw new Error(`WSQ encoder: no Huffman code for symbol ${symbol}`);
    out.bits(codes.code[symbol]!, size);
    if (extraBits !== undefined) out.bits(extra!, extraBits);
  });
}

/** Decodes exactly `count` coefficients into `out` from `offset`. */
export function readSymbols(
  bits: BitReader,
  decoder: HuffmanDecoder,
  out: Int32Array,
  offset: number,
  count: number,
): void {
  const end = offset + count;
  let k = offset;
  const bit = (): number => bits.bit();
  const extra = (n: number): number => {
    const v = bits.bits(n);
    if (v < 0) throw new WsqFormatError("WSQ block data ends inside an escape value");
    return v;
  };
  while (k < end) {
    const symbol = decoder.decode(bit);
    if (symbol < 0) {
      throw new WsqFormatError(`WSQ block data ends after ${k - offset} of ${count} coefficients`);
    }
    let zeros = 0;
    let value: number | undefined;
    if (symbol >= 1 && symbol <= MAX_ZERO_RUN_SYMBOL) zeros = symbol;
    else if (symbol > Escape.ZRUN_16 && symbol < 0xff) value = symbol - COEFF_OFFSET;
    else if (symbol === Escape.POS_8) value = extra(8);
    else if (symbol === Escape.NEG_8) value = -extra(8);
    else if (symbol === Escape.POS_16) value = extra(16);
    else if (symbol === Escape.NEG_16) value = -extra(16);
    else if (symbol === Escape.ZRUN_8) zeros = extra(8);
    else if (symbol === Escape.ZRUN_16) zeros = extra(16);
    else throw new WsqFormatError(`invalid WSQ coefficient symbol ${symbol}`);
    if (value !== undefined) {
      out[k++] = value;
    } else {
      if (k + zeros > end) throw new WsqFormatError(`a zero run overruns the block (${count} coefficients)`);
      k += zeros; // out is zero-filled
    }
  }
}
