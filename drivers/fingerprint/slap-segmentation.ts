/**
 * Finds the fingers in a slap image. Pure, and made for real platen images rather than for what an
 * emulator knows: ridges are where the local contrast is high, so the image is cut into blocks
 * about one ridge period wide, and a block whose grey-level spread is high is finger. Only the band
 * from the fingertips down 1.3 inch is kept (real slaps show whole fingers and the palm's edge);
 * the blocks are closed into blobs and labelled as connected components; a piece lying under a
 * fingertip (a middle phalanx) is dropped; fingers touching are split by eroding the blob until it
 * falls apart (or by k-means when they overlap); each box then ends at the first crease. The slant
 * of each finger comes from the blob's second moments. Positions are assigned left to right in the
 * order the hand lies on the glass.
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
  // Close only small holes: the first crease (a few blocks of no ridges) must stay open.
  const closed = tipBand(erode(dilate(fg, gw, gh, 1), gw, gh, 1), gw, gh, ppi / block);
  const minBlocks = Math.round(((0.12 * ppi) / block) ** 2);
  let blobs = components(closed, gw, gh).filter((b) => b.xs.length >= minBlocks);
  const tipDepth = (0.6 * ppi) / block;
  blobs = dropLowerPhalanges(blobs, tipDepth);

  const expected = SLAP_FINGERS[options.kind].filter((p) => !(options.missing ?? []).includes(p));
  // Fingers pressed together make one blob wider than a finger: split it where it is thinnest.
  const maxFingerBlocks = (0.95 * ppi) / block;
  const fingerBlocks = (0.58 * ppi) / block;
  for (let round = 0; round < 8 && blobs.length < expected.length; round++) {
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
    // A split can free a phalanx that hung under two touching tips: drop it now.
    blobs = dropLowerPhalanges(blobs.filter((b) => b !== widest).concat(parts), tipDepth);
  }
  // More blobs than fingers (a smudge, the palm's edge): keep the biggest.
  if (blobs.length > expected.length)
    blobs = [...blobs].sort((a, b) => b.xs.length - a.xs.length).slice(0, expected.length);
  blobs.sort((a, b) => mean(a.xs) - mean(b.xs));

  blobs = blobs.map((b) => fingertip(b, fg, gw, ppi / block));

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

/**
 * Real slaps show whole fingers down to the palm, and neighbouring fingers touch lower down. Only
 * the band from the fingertips down 1.3 inch matters: each column keeps the blocks within that
 * distance of the highest fingertip near it (±0.3 inch), which drops middle phalanges and palm.
 */
function tipBand(m: Uint8Array, w: number, h: number, blocksPerInch: number): Uint8Array {
  const top = new Array<number>(w).fill(h);
  for (let x = 0; x < w; x++)
    for (let y = 0; y < h; y++)
      if (m[y * w + x]) {
        top[x] = y;
        break;
      }
  const reach = Math.round(0.3 * blocksPerInch);
  const band = Math.round(1.3 * blocksPerInch);
  const out = new Uint8Array(m.length);
  for (let x = 0; x < w; x++) {
    let tip = h;
    for (let k = Math.max(0, x - reach); k <= Math.min(w - 1, x + reach); k++) tip = Math.min(tip, top[k]!);
    for (let y = tip; y < Math.min(h, tip + band); y++) out[y * w + x] = m[y * w + x]!;
  }
  return out;
}

/**
 * SEG boxes the fingertip (distal phalanx), not the whole finger down to the palm. Along the
 * finger's own axis, the first crease is where the ridge blocks thin out 0.55 to 1.35 inch below
 * the tip; without a clear crease the box ends 1.2 inch below the tip.
 */
function fingertip(b: Blob, fg: Uint8Array, gw: number, blocksPerInch: number): Blob {
  const a = (tiltDeg(b) * Math.PI) / 180;
  const mx = mean(b.xs);
  const my = mean(b.ys);
  // Distance down the finger's axis: the tile's downward direction after a clockwise tilt a.
  const t = b.xs.map((x, i) => (x - mx) * -Math.sin(a) + (b.ys[i]! - my) * Math.cos(a));
  const tMin = Math.min(...t);
  const length = Math.max(...t) - tMin;
  if (length < 0.6 * blocksPerInch) return b;
  const bins = Math.ceil(length) + 1;
  const ridge = new Array<number>(bins).fill(0);
  t.forEach((v, i) => {
    if (fg[b.ys[i]! * gw + b.xs[i]!]) ridge[Math.floor(v - tMin)]!++;
  });
  const at = (inch: number) => Math.min(bins - 1, Math.round(inch * blocksPerInch));
  const tip = ridge.slice(at(0.15), at(0.55)).sort((p, q) => p - q);
  const typical = tip[Math.floor(tip.length / 2)] ?? 0;
  let crease = -1;
  for (let k = at(0.55); k <= at(1.35) && k < bins; k++)
    if (crease < 0 || ridge[k]! < ridge[crease]!) crease = k;
  let cut = Infinity;
  if (crease >= 0 && crease < bins - 1 && ridge[crease]! < 0.4 * typical) cut = crease;
  else if (length > 1.35 * blocksPerInch) cut = at(1.2);
  if (!Number.isFinite(cut)) return b;
  const kept: Blob = { xs: [], ys: [] };
  t.forEach((v, i) => {
    if (v - tMin < cut) {
      kept.xs.push(b.xs[i]!);
      kept.ys.push(b.ys[i]!);
    }
  });
  return kept.xs.length ? kept : b;
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

/**
 * A piece lying under another in the same columns and starting well below it (more than a
 * fingertip's depth, `drop`) is a middle phalanx or palm under a fingertip: SEG wants the tip.
 */
function dropLowerPhalanges(blobs: Blob[], drop: number): Blob[] {
  const box = blobs.map((b) => ({
    l: Math.min(...b.xs),
    r: Math.max(...b.xs),
    t: Math.min(...b.ys),
    b: Math.max(...b.ys),
  }));
  return blobs.filter((_, i) => {
    const me = box[i]!;
    return !box.some((other, j) => {
      if (j === i) return false;
      const overlap = Math.min(me.r, other.r) - Math.max(me.l, other.l);
      return overlap > 0.5 * Math.min(me.r - me.l, other.r - other.l) && me.t - other.t > drop;
    });
  });
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
