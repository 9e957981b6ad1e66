/**
 * Ridge growth by iterative oriented filtering (as in SFinGe): white noise is filtered again and again
 * with a Gabor filter tuned to the local ridge direction and period, and clipped after each pass. Within
 * a few passes the noise organises into continuous ridges that follow the orientation field, with the
 * bifurcations and ridge endings that noise seeds. Pure and deterministic.
 */
import type { Random } from "./random.js";

const ORIENTATION_BINS = 32;
const PASSES = 6;

interface Kernel {
  offsets: Int32Array;
  weights: Float32Array;
}

/** Zero-mean, unit-energy Gabor kernels, one per quantised ridge direction, as flat offset lists. */
function gaborBank(period: number, stride: number): Kernel[] {
  const sigmaAcross = 0.42 * period;
  const sigmaAlong = 0.75 * period;
  const radius = Math.ceil(1.1 * period);
  const bank: Kernel[] = [];
  for (let b = 0; b < ORIENTATION_BINS; b++) {
    const theta = (b * Math.PI) / ORIENTATION_BINS;
    const c = Math.cos(theta);
    const s = Math.sin(theta);
    const taps: Array<[number, number]> = [];
    let mean = 0;
    for (let v = -radius; v <= radius; v++) {
      for (let u = -radius; u <= radius; u++) {
        const along = u * c + v * s;
        const across = -u * s + v * c;
        const env = Math.exp(
          -(along * along) / (2 * sigmaAlong ** 2) - (across * across) / (2 * sigmaAcross ** 2),
        );
        if (env < 0.03) continue; // the corners add time, not shape
        const w = env * Math.cos((2 * Math.PI * across) / period);
        taps.push([v * stride + u, w]);
        mean += w;
      }
    }
    mean /= taps.length;
    let energy = 0;
    for (const t of taps) {
      t[1] -= mean;
      energy += t[1] * t[1];
    }
    const norm = 1 / Math.sqrt(energy);
    bank.push({
      offsets: Int32Array.from(taps.map((t) => t[0])),
      weights: Float32Array.from(taps.map((t) => t[1] * norm)),
    });
  }
  return bank;
}

export interface RidgeFieldInput {
  width: number;
  height: number;
  /** Ridge period in pixels. */
  period: number;
  /** Ridge direction per pixel, radians. */
  orientation: Float32Array;
  /** Pixels with mask 0 are not grown (outside the finger); saves most of the time on big windows. */
  mask: Float32Array;
  rand: Random;
}

/** Returns a ridge field in -1..1 (1 = ridge centre), row-major width×height. */
export function growRidges(input: RidgeFieldInput): Float32Array {
  const { width, height, period, orientation, mask, rand } = input;
  const pad = Math.ceil(1.1 * period) + 1;
  const stride = width + 2 * pad;
  const rows = height + 2 * pad;
  const bank = gaborBank(period, stride);
  let src = new Float32Array(stride * rows);
  let dst = new Float32Array(stride * rows);
  const active: number[] = [];
  const bins: number[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (mask[i]! <= 0) continue;
      const p = (y + pad) * stride + x + pad;
      active.push(p);
      const t = ((orientation[i]! % Math.PI) + Math.PI) % Math.PI;
      bins.push(Math.round((t / Math.PI) * ORIENTATION_BINS) % ORIENTATION_BINS);
      src[p] = rand() * 2 - 1;
    }
  }
  const activeIdx = Int32Array.from(active);
  const binIdx = Uint8Array.from(bins);
  for (let pass = 0; pass < PASSES; pass++) {
    let sumSq = 0;
    for (let k = 0; k < activeIdx.length; k++) {
      const p = activeIdx[k]!;
      const { offsets, weights } = bank[binIdx[k]!]!;
      let acc = 0;
      for (let t = 0; t < offsets.length; t++) acc += weights[t]! * src[p + offsets[t]!]!;
      dst[p] = acc;
      sumSq += acc * acc;
    }
    // Normalise to unit RMS and clip: the clip is the nonlinearity that turns filtered noise into
    // ridges of even width instead of a Gaussian texture.
    const gain = activeIdx.length === 0 ? 1 : 1.6 / Math.sqrt(sumSq / activeIdx.length);
    for (let k = 0; k < activeIdx.length; k++) {
      const p = activeIdx[k]!;
      const v = dst[p]! * gain;
      dst[p] = v > 1 ? 1 : v < -1 ? -1 : v;
    }
    [src, dst] = [dst, src];
  }
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    out.set(src.subarray((y + pad) * stride + pad, (y + pad) * stride + pad + width), y * width);
  }
  return out;
}
