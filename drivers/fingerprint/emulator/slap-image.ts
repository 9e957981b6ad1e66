/**
 * A synthetic slap: the distinct synthetic fingers of one hand (or both thumbs) pasted onto a
 * 1600×1500 500 ppi platen at the heights and slants of a real hand — the middle finger highest,
 * the little finger lowest and smallest, the fingers fanned out from the palm. Deterministic.
 */
import type { GrayImage } from "../image.js";
import { SLAP_FINGERS, type SlapKind } from "../slap-scanner.js";
import { syntheticFinger } from "../synthetic/index.js";

export const SLAP_WIDTH = 1600;
export const SLAP_HEIGHT = 1500;

/** Where each finger lands: centre in the slap, clockwise tilt (tip to the right = positive). */
export interface PlacedFinger {
  position: number;
  cx: number;
  cy: number;
  angleDeg: number;
}

interface Layout {
  /** Centre x of each finger slot, left to right, as a fraction of the width. */
  x: number[];
  /** Centre y of each slot as a fraction of the height. */
  y: number[];
  angleDeg: number[];
  tile: { width: number; height: number };
}

const LAYOUTS: Record<SlapKind, Layout> = {
  // Index, middle, ring, little (right hand): fanned out, middle highest.
  "right-four": {
    x: [0.2, 0.42, 0.63, 0.83],
    y: [0.53, 0.46, 0.5, 0.6],
    angleDeg: [-14, -4, 6, 16],
    tile: { width: 320, height: 600 },
  },
  // Little, ring, middle, index (left hand): the mirror image.
  "left-four": {
    x: [0.17, 0.37, 0.58, 0.8],
    y: [0.6, 0.5, 0.46, 0.53],
    angleDeg: [-16, -6, 4, 14],
    tile: { width: 320, height: 600 },
  },
  // Left thumb, right thumb: both leaning in towards each other.
  thumbs: { x: [0.3, 0.7], y: [0.52, 0.52], angleDeg: [18, -18], tile: { width: 380, height: 560 } },
};

export interface SlapImageOptions {
  /** Positions left out (amputated or not placed). */
  missing?: number[];
  /** Varies the impressions (noise, placement) while keeping each finger's pattern. */
  seed?: number;
  /** Spacing of the fingers about the hand's centre: 1 = relaxed, about 0.8 = pressed together. */
  spread?: number;
  /** Also print each finger's middle phalanx below its first crease, as a real slap shows it. */
  phalanges?: boolean;
}

export function composeSlap(
  kind: SlapKind,
  options: SlapImageOptions = {},
): { image: GrayImage; placed: PlacedFinger[] } {
  const missing = new Set(options.missing ?? []);
  const seed = options.seed ?? 0;
  const layout = LAYOUTS[kind];
  const pixels = new Uint8Array(SLAP_WIDTH * SLAP_HEIGHT);
  // Glass is not perfectly clean: a faint, uneven background.
  let s = (seed * 2654435761 + 1) >>> 0;
  for (let i = 0; i < pixels.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    pixels[i] = 246 + (s >>> 29);
  }
  const placed: PlacedFinger[] = [];
  SLAP_FINGERS[kind].forEach((position, slot) => {
    if (missing.has(position)) return;
    const little = position === 5 || position === 10;
    const tile = syntheticFinger(position, {
      width: little ? Math.round(layout.tile.width * 0.85) : layout.tile.width,
      height: little ? Math.round(layout.tile.height * 0.85) : layout.tile.height,
      ppi: 500,
      seed: seed * 10 + slot,
    });
    const finger = {
      position,
      cx: Math.round((0.5 + (layout.x[slot]! - 0.5) * (options.spread ?? 1)) * SLAP_WIDTH),
      cy: Math.round(layout.y[slot]! * SLAP_HEIGHT),
      angleDeg: layout.angleDeg[slot]!,
    };
    paste(pixels, { width: tile.width, height: tile.height, pixels: tile.pixels }, finger);
    if (options.phalanges) {
      // The middle phalanx: the middle of the tip's own print turned upside down, faded at its top
      // and bottom (the crease, the second joint) — other ridges than the tip's, at no extra
      // rendering cost. The tip's contact ellipse ends 1.15 ry below a centre 3 % under the
      // tile's middle (synthetic/finger.ts); the phalanx starts a crease's width below that.
      const lower = flippedMiddle(tile, Math.round(tile.height * 0.5));
      const ry = Math.min(
        0.5 * tile.height,
        0.5 * 500 * (position === 1 || position === 6 ? 1.1 : little ? 0.8 : 0.95),
      );
      const d = 0.03 * tile.height + 1.15 * ry + 24 + lower.height / 2;
      const a = (finger.angleDeg * Math.PI) / 180;
      paste(pixels, lower, {
        ...finger,
        cx: Math.round(finger.cx - Math.sin(a) * d),
        cy: Math.round(finger.cy + Math.cos(a) * d),
      });
    }
    placed.push(finger);
  });
  return { image: { width: SLAP_WIDTH, height: SLAP_HEIGHT, pixels }, placed };
}

/** Rotates `tile` by the finger's tilt about its centre and darkens the platen where it lands. */
function paste(canvas: Uint8Array, tile: GrayImage, at: PlacedFinger): void {
  const a = (at.angleDeg * Math.PI) / 180;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  const half = Math.ceil(Math.hypot(tile.width, tile.height) / 2);
  const tcx = tile.width / 2;
  const tcy = tile.height / 2;
  for (let y = Math.max(0, at.cy - half); y < Math.min(SLAP_HEIGHT, at.cy + half); y++) {
    for (let x = Math.max(0, at.cx - half); x < Math.min(SLAP_WIDTH, at.cx + half); x++) {
      // Inverse rotation: a clockwise tilt on screen (y down) maps back by the opposite angle.
      const dx = x - at.cx;
      const dy = y - at.cy;
      const u = cos * dx + sin * dy + tcx;
      const v = -sin * dx + cos * dy + tcy;
      if (u < 0 || v < 0 || u >= tile.width - 1 || v >= tile.height - 1) continue;
      const value = bilinear(tile, u, v);
      const i = y * SLAP_WIDTH + x;
      if (value < canvas[i]!) canvas[i] = value;
    }
  }
}

/** The middle `height` rows of the tile, upside down, fading to glass over 40 rows at each end. */
function flippedMiddle(tile: GrayImage, height: number): GrayImage {
  const pixels = new Uint8Array(tile.width * height);
  const skip = Math.round((tile.height - height) / 2);
  for (let y = 0; y < height; y++) {
    const src = tile.height - 1 - (y + skip);
    const fade = Math.min(1, y / 40, (height - 1 - y) / 40);
    for (let x = 0; x < tile.width; x++) {
      const v = tile.pixels[src * tile.width + x]!;
      pixels[y * tile.width + x] = Math.round(250 - (250 - v) * fade);
    }
  }
  return { width: tile.width, height, pixels };
}

function bilinear(img: GrayImage, u: number, v: number): number {
  const x0 = Math.floor(u);
  const y0 = Math.floor(v);
  const fx = u - x0;
  const fy = v - y0;
  const i = y0 * img.width + x0;
  const p = img.pixels;
  const top = p[i]! * (1 - fx) + p[i + 1]! * fx;
  const bottom = p[i + img.width]! * (1 - fx) + p[i + img.width + 1]! * fx;
  return Math.round(top * (1 - fy) + bottom * fy);
}
