/**
 * The two-dimensional subband decomposition and its inverse. Each wavelet-tree node is split first along
 * rows, then along columns, with the 9-tap lowpass centred on even samples and the 7-tap highpass on odd
 * samples, and whole-sample symmetric extension at both ends (so nothing leaks across the image edge).
 * The synthesis filters are the analysis filters modulated by (-1)^k, applied to the zero-stuffed
 * subbands with the same extension; the pair reconstructs exactly.
 */
import type { WaveletNode } from "./trees.js";

export interface FilterBank {
  /** Analysis lowpass (odd length, symmetric). */
  lowpass: Float64Array;
  /** Analysis highpass (odd length, symmetric). */
  highpass: Float64Array;
}

/** Index of sample i in a length-n signal extended by whole-sample symmetry. */
function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let j = i % period;
  if (j < 0) j += period;
  return j < n ? j : period - j;
}

function split(len: number): { low: number; high: number } {
  const low = len % 2 === 0 ? len / 2 : (len + 1) / 2;
  return { low, high: len - low };
}

/**
 * Filters `count` lines of `len` samples. Line l starts at base + l·pitch, samples step by `step`; the
 * result goes to the same positions of `out`, lowpass half first unless `inverted`.
 */
function analyse(
  src: Float64Array,
  out: Float64Array,
  base: number,
  count: number,
  len: number,
  pitch: number,
  step: number,
  bank: FilterBank,
  inverted: boolean,
): void {
  const { low, high } = split(len);
  const lo = bank.lowpass;
  const hi = bank.highpass;
  const lr = (lo.length - 1) / 2;
  const hr = (hi.length - 1) / 2;
  const line = new Float64Array(len);
  for (let l = 0; l < count; l++) {
    const start = base + l * pitch;
    for (let i = 0; i < len; i++) line[i] = src[start + i * step]!;
    const lowStart = inverted ? high : 0;
    const highStart = inverted ? 0 : low;
    for (let n = 0; n < low; n++) {
      out[start + (lowStart + n) * step] = tap(line, len, 2 * n, lo, lr);
    }
    for (let n = 0; n < high; n++) {
      out[start + (highStart + n) * step] = tap(line, len, 2 * n + 1, hi, hr);
    }
  }
}

/** Σ f[k + r]·x[c + k] for k = −r..r, reflecting at the ends (only near them). */
function tap(x: Float64Array, len: number, c: number, f: Float64Array, r: number): number {
  let acc = 0;
  if (c - r >= 0 && c + r < len) {
    for (let k = -r; k <= r; k++) acc += f[k + r]! * x[c + k]!;
  } else {
    for (let k = -r; k <= r; k++) acc += f[k + r]! * x[reflect(c + k, len)]!;
  }
  return acc;
}

function synthesise(
  src: Float64Array,
  out: Float64Array,
  base: number,
  count: number,
  len: number,
  pitch: number,
  step: number,
  bank: FilterBank,
  inverted: boolean,
): void {
  const { low, high } = split(len);
  // Synthesis lowpass = analysis highpass modulated; synthesis highpass = analysis lowpass modulated.
  const g0 = bank.highpass.map((v, i) => (((i - (bank.highpass.length - 1) / 2) & 1) === 0 ? v : -v));
  const g1 = bank.lowpass.map((v, i) => (((i - (bank.lowpass.length - 1) / 2) & 1) === 0 ? v : -v));
  const r0 = (g0.length - 1) / 2;
  const r1 = (g1.length - 1) / 2;
  const lowLine = new Float64Array(len);
  const highLine = new Float64Array(len);
  for (let l = 0; l < count; l++) {
    const start = base + l * pitch;
    const lowStart = inverted ? high : 0;
    const highStart = inverted ? 0 : low;
    lowLine.fill(0);
    highLine.fill(0);
    for (let n = 0; n < low; n++) lowLine[2 * n] = src[start + (lowStart + n) * step]!;
    for (let n = 0; n < high; n++) highLine[2 * n + 1] = src[start + (highStart + n) * step]!;
    for (let i = 0; i < len; i++) {
      // Reflection keeps parity, so only taps landing on the non-zero (even or odd) samples count.
      out[start + i * step] = sparseTap(lowLine, len, i, g0, r0, 0) + sparseTap(highLine, len, i, g1, r1, 1);
    }
  }
}

/** Σ f[k + r]·x[i − k] over the k for which i − k has the given parity. */
function sparseTap(
  x: Float64Array,
  len: number,
  i: number,
  f: Float64Array,
  r: number,
  parity: number,
): number {
  let acc = 0;
  const first = ((i + r + parity) & 1) === 0 ? -r : -r + 1;
  if (i - r >= 0 && i + r < len) {
    for (let k = first; k <= r; k += 2) acc += f[k + r]! * x[i - k]!;
  } else {
    for (let k = first; k <= r; k += 2) acc += f[k + r]! * x[reflect(i - k, len)]!;
  }
  return acc;
}

export function decompose(data: Float64Array, width: number, tree: WaveletNode[], bank: FilterBank): void {
  const tmp = new Float64Array(data.length);
  for (const node of tree) {
    const base = node.y * width + node.x;
    analyse(data, tmp, base, node.leny, node.lenx, width, 1, bank, node.invRow);
    analyse(tmp, data, base, node.lenx, node.leny, 1, width, bank, node.invCol);
  }
}

export function reconstruct(data: Float64Array, width: number, tree: WaveletNode[], bank: FilterBank): void {
  const tmp = new Float64Array(data.length);
  for (let n = tree.length - 1; n >= 0; n--) {
    const node = tree[n]!;
    const base = node.y * width + node.x;
    synthesise(data, tmp, base, node.lenx, node.leny, 1, width, bank, node.invCol);
    synthesise(tmp, data, base, node.leny, node.lenx, width, 1, bank, node.invRow);
  }
}
