/**
 * Finds the fingers in a slap image. Pure, and made for real platen images rather than for what an
 * emulator knows: ridges are where the local contrast is high, so the image is cut into blocks
 * about one ridge period wide, a block whose grey-level spread is high is finger, the blocks are
 * closed into blobs and labelled as connected components. A finger broken by its first crease is
 * joined back (its pieces share a column range); fingers touching are split by eroding the blob
 * until it falls apart and growing the cores back. The slant of each finger comes from the blob's second
 * moments. Positions are assigned left to right in the order the hand lies on the glass.
 */
import type { GrayImage } from "./image.js";
import { SLAP_FINGERS, type SlapKind, type SlapSegment } from "./slap-scanner.js";

export interface SegmentSlapOptions {
  kind: SlapKind;
  /** Fingers known not to be on the glass (amputated, bandaged): their positions are skipped. */
  missing?: number[];
  resolutionPpi?: number;
}

export interface SlapSegmentation {
  segments: SlapSegment[];
  /** Expected positions with no finger found (including `options.missing`). */
  missing: number[];
}

interface Blob {
  /** Block coordinates of the blob's blocks. */
  xs: number[];
  ys: number[];
}

export function segmentSlap(image: GrayImage, options: SegmentSlapOptions): SlapSegmentation {
  const ppi = options.resolutionPpi ?? 500;
  if (image.width < 64 || image.height < 64 || image.pixels.length !== image.width * image.height)
    throw new RangeError(
      `slap image ${image.width}×${image.height} is too small or its pixel count is wrong`,
    );
  const block = Math.max(4, Math.round((8 * ppi) / 500));
  const gw = Math.floor(image.width / block);
  const gh = Math.floor(image.height / block);
  const fg = foregroundBlocks(image, block, gw, gh);
  const closed = erode(dilate(fg, gw, gh, 2), gw, gh, 2);
  const minBlocks = Math.round(((0.12 * ppi) / block) ** 2);
  let blobs = components(closed, gw, gh).filter((b) => b.xs.length >= minBlocks);
  blobs = joinCreases(blobs);

  const expected = SLAP_FINGERS[options.kind].filter((p) => !(options.missing ?? []).includes(p));
  // Fingers pressed together make one blob wider than a finger: split it where it is thinnest.
  const maxFingerBlocks = (0.95 * ppi) / block;
  const fingerBlocks = (0.58 * ppi) / block;
  while (blobs.length < expected.length) {
    const widest = blobs.reduce<Blob | undefined>(
      (w, b) => (w && span(w.xs) >= span(b.xs) ? w : b),
      undefined,
    );
    if (!widest || span(widest.xs) <= maxFingerBlocks) break;
    // How many fingers the blob holds: by width, but never more than are still unaccounted for.
    const k = Math.max(
      2,
      Math.min(expected.length - blobs.length + 1, Math.ceil(span(widest.xs) / fingerBlocks - 0.3)),
    );
    const parts = splitByErosion(widest) ?? splitByClusters(widest, k);
    blobs = blobs.filter((b) => b !== widest).concat(parts);
  }
  // More blobs than fingers (a smudge, the palm's edge): keep the biggest.
  if (blobs.length > expected.length)
    blobs = [...blobs].sort((a, b) => b.xs.length - a.xs.length).slice(0, expected.length);
  blobs.sort((a, b) => mean(a.xs) - mean(b.xs));

  const segments: SlapSegment[] = blobs.map((b, i) => ({
    position: expected[i]!,
    left: Math.min(...b.xs) * block,
    right: Math.min(image.width - 1, (Math.max(...b.xs) + 1) * block - 1),
    top: Math.min(...b.ys) * block,
    bottom: Math.min(image.height - 1, (Math.max(...b.ys) + 1) * block - 1),
    angleDeg: tiltDeg(b),
  }));
  const found = new Set(segments.map((s) => s.position));
  return { segments, missing: SLAP_FINGERS[options.kind].filter((p) => !found.has(p)) };
}

/** Blocks whose standard deviation says "ridges": above a floor, and above a share of the strongest. */
function foregroundBlocks(image: GrayImage, block: number, gw: number, gh: number): Uint8Array {
  const std = new Float32Array(gw * gh);
  for (let by = 0; by < gh; by++) {
    for (let bx = 0; bx < gw; bx++) {
      let sum = 0;
      let sq = 0;
      for (let y = by * block; y < (by + 1) * block; y++) {
        const row = y * image.width;
        for (let x = bx * block; x < (bx + 1) * block; x++) {
          const v = image.pixels[row + x]!;
          sum += v;
          sq += v * v;
        }
      }
      const n = block * block;
      std[by * gw + bx] = Math.sqrt(Math.max(0, sq / n - (sum / n) ** 2));
    }
  }
  const sorted = Float32Array.from(std).sort();
  const strong = sorted[Math.floor(sorted.length * 0.95)]!;
  const threshold = Math.max(12, 0.3 * strong);
  const fg = new Uint8Array(gw * gh);
  for (let i = 0; i < fg.length; i++) fg[i] = std[i]! > threshold ? 1 : 0;
  return fg;
}

function dilate(m: Uint8Array, w: number, h: number, r: number): Uint8Array {
  return morph(m, w, h, r, 1);
}
function erode(m: Uint8Array, w: number, h: number, r: number): Uint8Array {
  return morph(m, w, h, r, 0);
}

/** Square structuring element, separable: rows then columns. `hit` 1 = dilate, 0 = erode. */
function morph(m: Uint8Array, w: number, h: number, r: number, hit: 0 | 1): Uint8Array {
  const tmp = new Uint8Array(m.length);
  const out = new Uint8Array(m.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let v = 1 - hit;
      for (let k = -r; k <= r && v !== hit; k++) {
        const xx = x + k;
        const s = xx < 0 || xx >= w ? 1 - hit : m[y * w + xx]!;
        if (s === hit) v = hit;
      }
      tmp[y * w + x] = v;
    }
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let v = 1 - hit;
      for (let k = -r; k <= r && v !== hit; k++) {
        const yy = y + k;
        const s = yy < 0 || yy >= h ? 1 - hit : tmp[yy * w + x]!;
        if (s === hit) v = hit;
      }
      out[y * w + x] = v;
    }
  return out;
}

/** 8-connected components by an explicit stack (no recursion depth limit on big blobs). */
function components(m: Uint8Array, w: number, h: number): Blob[] {
  const label = new Int32Array(m.length).fill(-1);
  const blobs: Blob[] = [];
  const stack: number[] = [];
  for (let start = 0; start < m.length; start++) {
    if (!m[start] || label[start] !== -1) continue;
    const blob: Blob = { xs: [], ys: [] };
    label[start] = blobs.length;
    stack.push(start);
    while (stack.length) {
      const i = stack.pop()!;
      const x = i % w;
      const y = (i - x) / w;
      blob.xs.push(x);
      blob.ys.push(y);
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
          const j = yy * w + xx;
          if (m[j] && label[j] === -1) {
            label[j] = blobs.length;
            stack.push(j);
          }
        }
    }
    blobs.push(blob);
  }
  return blobs;
}

/** Pieces of one finger (tip and middle phalanx) lie in the same columns; neighbours barely overlap. */
function joinCreases(blobs: Blob[]): Blob[] {
  const out = [...blobs];
  for (let merged = true; merged;) {
    merged = false;
    outer: for (let i = 0; i < out.length; i++)
      for (let j = i + 1; j < out.length; j++) {
        const a = out[i]!;
        const b = out[j]!;
        const overlap =
          Math.min(Math.max(...a.xs), Math.max(...b.xs)) - Math.max(Math.min(...a.xs), Math.min(...b.xs));
        if (overlap > 0.6 * Math.min(span(a.xs), span(b.xs))) {
          out[i] = { xs: a.xs.concat(b.xs), ys: a.ys.concat(b.ys) };
          out.splice(j, 1);
          merged = true;
          break outer;
        }
      }
  }
  return out;
}

/**
 * Splits a blob of fingers pressed together: erode it until it falls apart into cores (the
 * fingers' centres stay thick longest), then give every block of the blob to its nearest core.
 * Slanted fingers touching along a diagonal split right, where a column cut would not.
 */
function splitByErosion(b: Blob): Blob[] | undefined {
  const x0 = Math.min(...b.xs) - 1;
  const y0 = Math.min(...b.ys) - 1;
  const w = span(b.xs) + 3;
  const h = span(b.ys) + 3;
  let mask: Uint8Array = new Uint8Array(w * h);
  b.xs.forEach((x, i) => (mask[(b.ys[i]! - y0) * w + (x - x0)] = 1));
  const minCore = Math.max(4, Math.round(b.xs.length * 0.01));
  for (let step = 0; step < 40; step++) {
    mask = erode(mask, w, h, 1);
    const cores = components(mask, w, h).filter((c) => c.xs.length >= minCore);
    if (cores.length === 0) return undefined;
    if (cores.length < 2) continue;
    const parts: Blob[] = cores.map(() => ({ xs: [], ys: [] }));
    b.xs.forEach((x, i) => {
      const y = b.ys[i]!;
      let best = 0;
      let bestD = Infinity;
      cores.forEach((c, k) => {
        for (let j = 0; j < c.xs.length; j++) {
          const d = (c.xs[j]! + x0 - x) ** 2 + (c.ys[j]! + y0 - y) ** 2;
          if (d < bestD) {
            bestD = d;
            best = k;
          }
        }
      });
      parts[best]!.xs.push(x);
      parts[best]!.ys.push(y);
    });
    return parts;
  }
  return undefined;
}

/**
 * Fingers overlapping so much that no neck is left: k-means on the blocks' positions, with height
 * weighted down because fingers are long and stand side by side. Cuts are straight, so slants of
 * such fingers are only approximate.
 */
function splitByClusters(b: Blob, k: number): Blob[] {
  const x0 = Math.min(...b.xs);
  const width = span(b.xs);
  const centres = Array.from({ length: k }, (_, i) => ({ x: x0 + ((i + 0.5) * width) / k, y: mean(b.ys) }));
  let assign = new Int32Array(b.xs.length);
  for (let iter = 0; iter < 20; iter++) {
    const next = new Int32Array(b.xs.length);
    b.xs.forEach((x, i) => {
      let best = 0;
      let bestD = Infinity;
      centres.forEach((c, j) => {
        const d = (x - c.x) ** 2 + (0.3 * (b.ys[i]! - c.y)) ** 2;
        if (d < bestD) {
          bestD = d;
          best = j;
        }
      });
      next[i] = best;
    });
    const sums = centres.map(() => ({ x: 0, y: 0, n: 0 }));
    next.forEach((j, i) => {
      sums[j]!.x += b.xs[i]!;
      sums[j]!.y += b.ys[i]!;
      sums[j]!.n++;
    });
    sums.forEach((s, j) => s.n && (centres[j] = { x: s.x / s.n, y: s.y / s.n }));
    const stable = next.every((v, i) => v === assign[i]);
    assign = next;
    if (stable) break;
  }
  const parts: Blob[] = centres.map(() => ({ xs: [], ys: [] }));
  assign.forEach((j, i) => {
    parts[j]!.xs.push(b.xs[i]!);
    parts[j]!.ys.push(b.ys[i]!);
  });
  return parts.filter((p) => p.xs.length > 0);
}

/** Clockwise tilt of the blob's long axis from vertical, in degrees (image y points down). */
function tiltDeg(b: Blob): number {
  const mx = mean(b.xs);
  const my = mean(b.ys);
  let m20 = 0;
  let m02 = 0;
  let m11 = 0;
  for (let i = 0; i < b.xs.length; i++) {
    const dx = b.xs[i]! - mx;
    const dy = b.ys[i]! - my;
    m20 += dx * dx;
    m02 += dy * dy;
    m11 += dx * dy;
  }
  // φ from the downward vertical towards +x; a tip leaning right has φ < 0, i.e. clockwise = -φ.
  const phi = 0.5 * Math.atan2(2 * m11, m02 - m20);
  return Math.round(((-phi * 180) / Math.PI) * 10) / 10;
}

function span(xs: number[]): number {
  return Math.max(...xs) - Math.min(...xs);
}

function mean(xs: number[]): number {
  return xs.reduce((s, v) => s + v, 0) / xs.length;
}

/**
 * One finger cut out of a slap by its segment box, for per-finger quality (NFIQ per SEG entry) or
 * for individual flat records made from slaps. Copies; the slap is left as it was.
 */
export function cropSegment(
  image: GrayImage,
  box: { left: number; right: number; top: number; bottom: number },
): GrayImage {
  const { left, right, top, bottom } = box;
  if (!(
    left >= 0 &&
    top >= 0 &&
    left <= right &&
    top <= bottom &&
    right < image.width &&
    bottom < image.height
  ))
    throw new RangeError(
      `box ${left}-${right} × ${top}-${bottom} is not inside the ${image.width}×${image.height} image`,
    );
  const width = right - left + 1;
  const height = bottom - top + 1;
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++)
    pixels.set(
      image.pixels.subarray((top + y) * image.width + left, (top + y) * image.width + left + width),
      y * width,
    );
  return { width, height, pixels };
}
