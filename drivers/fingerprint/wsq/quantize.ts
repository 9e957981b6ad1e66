/**
 * Bit allocation and scalar quantization. Each subband's variance (measured over its central region, as
 * the spec prescribes, unless the image is nearly flat) sets its relative bin width; one proportionality
 * constant q is then solved so the coded rate matches the requested bitrate, dropping subbands that would
 * get a non-positive rate and solving again.
 */
import type { Subband } from "./trees.js";
import {
  NUM_SUBBANDS,
  START_SIZE_REGION_2,
  START_SIZE_REGION_3,
  START_SUBBAND_3,
  VARIANCE_THRESHOLD,
} from "./constants.js";

export interface QuantizerTable {
  /** Bin width per subband (0 = subband not coded), 64 entries. */
  binWidth: Float64Array;
  /** Zero-bin width per subband. */
  zeroBinWidth: Float64Array;
}

function regionVariance(data: Float64Array, width: number, s: Subband, central: boolean): number {
  let x0 = s.x;
  let y0 = s.y;
  let lenx = s.lenx;
  let leny = s.leny;
  if (central) {
    x0 += Math.floor(s.lenx / 8);
    y0 += Math.floor((9 * s.leny) / 32);
    lenx = Math.floor((3 * s.lenx) / 4);
    leny = Math.floor((7 * s.leny) / 16);
  }
  let sum = 0;
  let sumSq = 0;
  for (let y = y0; y < y0 + leny; y++) {
    const row = y * width;
    for (let x = x0; x < x0 + lenx; x++) {
      const v = data[row + x]!;
      sum += v;
      sumSq += v * v;
    }
  }
  const n = lenx * leny;
  return n > 1 ? (sumSq - (sum * sum) / n) / (n - 1) : 0;
}

export function subbandVariances(data: Float64Array, width: number, q: Subband[]): Float64Array {
  const variance = new Float64Array(NUM_SUBBANDS);
  let lowSum = 0;
  for (let s = 0; s < 4; s++) {
    variance[s] = regionVariance(data, width, q[s]!, true);
    lowSum += variance[s]!;
  }
  // A nearly flat image has too little in the central regions to judge by; use whole subbands.
  const central = lowSum >= 20000;
  for (let s = central ? 4 : 0; s < NUM_SUBBANDS; s++)
    variance[s] = regionVariance(data, width, q[s]!, central);
  return variance;
}

export function binWidths(variance: Float64Array, bitrate: number): QuantizerTable {
  const weight = new Float64Array(NUM_SUBBANDS).fill(1);
  [1.32, 1.08, 1.42, 1.08, 1.32, 1.42, 1.08, 1.08].forEach((a, i) => (weight[START_SUBBAND_3 + i] = a));
  const relative = new Float64Array(NUM_SUBBANDS);
  const share = new Float64Array(NUM_SUBBANDS);
  const sigma = new Float64Array(NUM_SUBBANDS);
  const coded: number[] = [];
  for (let s = 0; s < NUM_SUBBANDS; s++) {
    share[s] = s < START_SIZE_REGION_2 ? 1 / 1024 : s < START_SIZE_REGION_3 ? 1 / 256 : 1 / 16;
    if (variance[s]! < VARIANCE_THRESHOLD) continue;
    relative[s] = s < START_SIZE_REGION_2 ? 1 : 10 / (weight[s]! * Math.log(variance[s]!));
    sigma[s] = Math.sqrt(variance[s]!);
    coded.push(s);
  }
  let active = coded;
  let q = 1;
  while (active.length > 0) {
    let S = 0;
    let logP = 0;
    for (const s of active) {
      S += share[s]!;
      logP += share[s]! * Math.log(sigma[s]! / relative[s]!);
    }
    q = Math.pow(2, bitrate / S - 1) / 2.5 / Math.exp(logP / S);
    const next = active.filter((s) => relative[s]! / q < 5 * sigma[s]!);
    if (next.length === active.length) break;
    active = next;
  }
  const binWidth = new Float64Array(64);
  const zeroBinWidth = new Float64Array(64);
  for (const s of coded) {
    binWidth[s] = relative[s]! / q;
    zeroBinWidth[s] = 1.2 * binWidth[s];
  }
  return { binWidth, zeroBinWidth };
}

/** Quantized coefficients of every coded subband, in subband order, row by row. */
export function quantize(data: Float64Array, width: number, q: Subband[], table: QuantizerTable): Int32Array {
  let total = 0;
  for (let s = 0; s < NUM_SUBBANDS; s++) if (table.binWidth[s]! !== 0) total += q[s]!.lenx * q[s]!.leny;
  const out = new Int32Array(total);
  let k = 0;
  for (let s = 0; s < NUM_SUBBANDS; s++) {
    const Q = table.binWidth[s]!;
    if (Q === 0) continue;
    const z = table.zeroBinWidth[s]! / 2;
    const { x, y, lenx, leny } = q[s]!;
    for (let r = y; r < y + leny; r++) {
      for (let c = x; c < x + lenx; c++) {
        const v = data[r * width + c]!;
        out[k++] = v >= -z && v <= z ? 0 : v > 0 ? Math.trunc((v - z) / Q + 1) : Math.trunc((v + z) / Q - 1);
      }
    }
  }
  return out;
}

export function dequantize(
  coeffs: Int32Array,
  width: number,
  height: number,
  q: Subband[],
  table: QuantizerTable,
  binCenter: number,
): Float64Array {
  const out = new Float64Array(width * height);
  let k = 0;
  for (let s = 0; s < NUM_SUBBANDS; s++) {
    const Q = table.binWidth[s]!;
    if (Q === 0) continue;
    const z = table.zeroBinWidth[s]! / 2;
    const { x, y, lenx, leny } = q[s]!;
    for (let r = y; r < y + leny; r++) {
      for (let c = x; c < x + lenx; c++) {
        const p = coeffs[k++]!;
        out[r * width + c] = p === 0 ? 0 : p > 0 ? Q * (p - binCenter) + z : Q * (p + binCenter) - z;
      }
    }
  }
  return out;
}

/** Coefficient counts of the three Huffman blocks (subbands 0-18, 19-51, 52-59). */
export function blockSizes(q: Subband[], table: QuantizerTable): [number, number, number] {
  const sizes: [number, number, number] = [0, 0, 0];
  for (let s = 0; s < NUM_SUBBANDS; s++) {
    if (table.binWidth[s]! === 0) continue;
    const block = s < 19 ? 0 : s < START_SUBBAND_3 ? 1 : 2;
    sizes[block] += q[s]!.lenx * q[s]!.leny;
  }
  return sizes;
}
