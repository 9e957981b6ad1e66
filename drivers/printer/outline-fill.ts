/**
 * Fills glyph outlines (move/line/quadratic/cubic, nonzero winding) into a coverage map. Exact
 * horizontal coverage per span and 4 sub-rows per dot; the caller thresholds to black and white.
 */
export interface PathCommand {
  type: string;
  values: number[];
}

interface Edge {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  dir: 1 | -1;
}

const SUB_ROWS = 4;
const CURVE_STEPS = 8;

/** Coverage 0..1 per dot, width*height, accumulated over every outline added. */
export class CoverageCanvas {
  readonly coverage: Float32Array;
  private readonly edges: Edge[] = [];

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.coverage = new Float32Array(width * height);
  }

  /** Add an outline given in font units (y up), scaled by `scale` and placed with its origin at (ox, oy) dots (y down). */
  addPath(commands: PathCommand[], scale: number, ox: number, oy: number): void {
    let sx = 0;
    let sy = 0;
    let cx = 0;
    let cy = 0;
    const X = (x: number): number => ox + x * scale;
    const Y = (y: number): number => oy - y * scale;
    const line = (x: number, y: number): void => {
      this.edge(cx, cy, x, y);
      cx = x;
      cy = y;
    };
    for (const { type, values: v } of commands) {
      if (type === "M") {
        if (cx !== sx || cy !== sy) this.edge(cx, cy, sx, sy);
        sx = cx = X(v[0]!);
        sy = cy = Y(v[1]!);
      } else if (type === "L") {
        line(X(v[0]!), Y(v[1]!));
      } else if (type === "Q") {
        const [qx, qy, x, y] = [X(v[0]!), Y(v[1]!), X(v[2]!), Y(v[3]!)];
        const [px, py] = [cx, cy];
        for (let i = 1; i <= CURVE_STEPS; i++) {
          const t = i / CURVE_STEPS;
          const u = 1 - t;
          line(u * u * px + 2 * u * t * qx + t * t * x, u * u * py + 2 * u * t * qy + t * t * y);
        }
      } else if (type === "C") {
        const [ax, ay, bx, by, x, y] = [X(v[0]!), Y(v[1]!), X(v[2]!), Y(v[3]!), X(v[4]!), Y(v[5]!)];
        const [px, py] = [cx, cy];
        for (let i = 1; i <= CURVE_STEPS; i++) {
          const t = i / CURVE_STEPS;
          const u = 1 - t;
          line(
            u * u * u * px + 3 * u * u * t * ax + 3 * u * t * t * bx + t * t * t * x,
            u * u * u * py + 3 * u * u * t * ay + 3 * u * t * t * by + t * t * t * y,
          );
        }
      } else if (type === "Z") {
        line(sx, sy);
      }
    }
    if (cx !== sx || cy !== sy) this.edge(cx, cy, sx, sy);
  }

  private edge(x0: number, y0: number, x1: number, y1: number): void {
    if (y0 === y1) return;
    this.edges.push(y0 < y1 ? { x0, y0, x1, y1, dir: 1 } : { x0: x1, y0: y1, x1: x0, y1: y0, dir: -1 });
  }

  /** Scan-convert the outlines added so far (one fill per glyph keeps overlapping glyphs from cancelling). */
  flush(): void {
    const crossings: { x: number; dir: number }[] = [];
    const minY = Math.max(0, Math.floor(Math.min(...this.edges.map((e) => e.y0))));
    const maxY = Math.min(this.height, Math.ceil(Math.max(...this.edges.map((e) => e.y1))));
    for (let row = minY; row < maxY; row++) {
      for (let s = 0; s < SUB_ROWS; s++) {
        const y = row + (s + 0.5) / SUB_ROWS;
        crossings.length = 0;
        for (const e of this.edges) {
          if (y < e.y0 || y >= e.y1) continue;
          crossings.push({ x: e.x0 + ((y - e.y0) * (e.x1 - e.x0)) / (e.y1 - e.y0), dir: e.dir });
        }
        crossings.sort((a, b) => a.x - b.x);
        let winding = 0;
        for (let i = 0; i < crossings.length - 1; i++) {
          winding += crossings[i]!.dir;
          if (winding !== 0) this.span(row, crossings[i]!.x, crossings[i + 1]!.x);
        }
      }
    }
    this.edges.length = 0;
  }

  private span(row: number, xa: number, xb: number): void {
    const a = Math.max(0, xa);
    const b = Math.min(this.width, xb);
    if (b <= a) return;
    const base = row * this.width;
    const w = 1 / SUB_ROWS;
    const first = Math.floor(a);
    const last = Math.ceil(b) - 1;
    if (first === last) {
      this.coverage[base + first]! += (b - a) * w;
      return;
    }
    this.coverage[base + first]! += (first + 1 - a) * w;
    for (let x = first + 1; x < last; x++) this.coverage[base + x]! += w;
    this.coverage[base + last]! += (b - last) * w;
  }
}
