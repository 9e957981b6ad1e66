/**
 * Ridge orientation fields for the three pattern classes. Loops and whorls use the zero-pole model of
 * Sherlock and Monro: the orientation at z is θ∞ + ½(Σ arg(z − delta) − Σ arg(z − core)), which puts a
 * core (+½ singularity) and a delta (−½) exactly where a real print has them. Arches have no singular
 * point, so they get a bent-lines field whose ridges rise over the middle of the finger.
 */

export type PatternClass = "whorl" | "loop-left" | "loop-right" | "arch" | "tented-arch";

export interface Point {
  x: number;
  y: number;
}

export interface OrientationModel {
  pattern: PatternClass;
  cores: Point[];
  deltas: Point[];
  /** Arch only: where the ridges peak, and how high. */
  archCentre?: Point;
  archHeight?: number;
  archWidth?: number;
}

/** Singular points placed relative to the fingertip ellipse (centre cx,cy; radii rx,ry). */
export function modelFor(
  pattern: PatternClass,
  cx: number,
  cy: number,
  rx: number,
  ry: number,
  jitter: () => number,
): OrientationModel {
  const j = (s: number): number => (jitter() - 0.5) * s;
  switch (pattern) {
    case "whorl":
      return {
        pattern,
        cores: [
          { x: cx + j(0.1 * rx), y: cy - 0.12 * ry + j(0.05 * ry) },
          { x: cx + j(0.1 * rx), y: cy + 0.06 * ry + j(0.05 * ry) },
        ],
        deltas: [
          { x: cx - 0.62 * rx + j(0.1 * rx), y: cy + 0.5 * ry + j(0.1 * ry) },
          { x: cx + 0.62 * rx + j(0.1 * rx), y: cy + 0.5 * ry + j(0.1 * ry) },
        ],
      };
    case "loop-left":
    case "loop-right": {
      const side = pattern === "loop-right" ? 1 : -1;
      return {
        pattern,
        cores: [{ x: cx - side * 0.12 * rx + j(0.1 * rx), y: cy - 0.15 * ry + j(0.08 * ry) }],
        deltas: [{ x: cx + side * 0.55 * rx + j(0.1 * rx), y: cy + 0.45 * ry + j(0.1 * ry) }],
      };
    }
    case "tented-arch":
      return {
        pattern,
        cores: [{ x: cx + j(0.05 * rx), y: cy + 0.05 * ry }],
        deltas: [{ x: cx + j(0.05 * rx), y: cy + 0.3 * ry }],
      };
    case "arch":
      return {
        pattern,
        cores: [],
        deltas: [],
        archCentre: { x: cx + j(0.1 * rx), y: cy + 0.1 * ry },
        archHeight: 0.9 + 0.3 * jitter(),
        archWidth: 0.55 * rx,
      };
  }
}

/** Ridge direction (radians, modulo π) at (x, y). */
export function ridgeOrientation(model: OrientationModel, x: number, y: number): number {
  if (model.pattern === "arch") {
    const c = model.archCentre!;
    const w = model.archWidth!;
    const u = (x - c.x) / w;
    // Ridges y = −h·exp(−u²) rise over the centre; the rise fades towards the tip and the crease.
    const fade = 1 / (1 + ((y - c.y) / (2.2 * w)) ** 2);
    const slope = 2 * u * Math.exp(-u * u) * model.archHeight! * fade;
    return Math.atan(slope);
  }
  let theta = 0;
  // Image rows grow downwards, which mirrors arg(); so the signs are the mirror of the paper's.
  for (const d of model.deltas) theta -= Math.atan2(y - d.y, x - d.x);
  for (const c of model.cores) theta += Math.atan2(y - c.y, x - c.x);
  return theta / 2;
}
