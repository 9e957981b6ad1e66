/**
 * Subband geometry. The wavelet tree (20 nodes) says which rectangles get split, and in which order, and
 * whether a split puts the highpass half first ("spectral inversion"); the quantization tree (64 entries)
 * says where each coded subband lies. Both follow the WSQ specification's layout, so a file's subbands
 * land where every other WSQ codec expects them.
 */

export interface WaveletNode {
  x: number;
  y: number;
  lenx: number;
  leny: number;
  invRow: boolean;
  invCol: boolean;
}

export interface Subband {
  x: number;
  y: number;
  lenx: number;
  leny: number;
}

const INV_ROW = new Set([2, 4, 7, 9, 11, 13, 16, 18]);
const INV_COL = new Set([3, 5, 8, 9, 12, 13, 17, 18]);

function half(len: number): { first: number; second: number } {
  return len % 2 === 0
    ? { first: len / 2, second: len / 2 }
    : { first: (len + 1) / 2, second: (len - 1) / 2 };
}

export function buildWaveletTree(width: number, height: number): WaveletNode[] {
  const w: WaveletNode[] = Array.from({ length: 20 }, (_, i) => ({
    x: 0,
    y: 0,
    lenx: 0,
    leny: 0,
    invRow: INV_ROW.has(i),
    invCol: INV_COL.has(i),
  }));
  const split4 = (
    p1: number,
    p2: number,
    lenx: number,
    leny: number,
    x: number,
    y: number,
    last: boolean,
  ): void => {
    Object.assign(w[p1]!, { x, y, lenx, leny });
    const a = w[p2]!;
    const b = w[p2 + 1]!;
    const c = w[p2 + 2]!;
    const d = w[p2 + 3]!;
    a.x = x;
    c.x = x;
    a.y = y;
    b.y = y;
    if (lenx % 2 === 0) {
      a.lenx = lenx / 2;
      b.lenx = a.lenx;
    } else if (p1 === 4) {
      // Node 4 was itself the highpass half of an inverted split, so its odd sample falls the other way.
      a.lenx = (lenx - 1) / 2;
      b.lenx = a.lenx + 1;
    } else {
      a.lenx = (lenx + 1) / 2;
      b.lenx = a.lenx - 1;
    }
    b.x = a.lenx + x;
    if (!last) {
      d.lenx = b.lenx;
      d.x = b.x;
    }
    c.lenx = a.lenx;
    if (leny % 2 === 0) {
      a.leny = leny / 2;
      c.leny = a.leny;
    } else if (p1 === 5) {
      a.leny = (leny - 1) / 2;
      c.leny = a.leny + 1;
    } else {
      a.leny = (leny + 1) / 2;
      c.leny = a.leny - 1;
    }
    c.y = a.leny + y;
    if (!last) {
      d.leny = c.leny;
      d.y = c.y;
    }
    b.leny = a.leny;
  };
  split4(0, 1, width, height, 0, 0, true);
  const hx = half(w[1]!.lenx);
  const hy = half(w[1]!.leny);
  split4(4, 6, hx.second, hy.first, hx.first, 0, false);
  split4(5, 10, hx.first, hy.second, 0, hy.first, false);
  split4(14, 15, hx.first, hy.first, 0, 0, false);
  const n19 = w[19]!;
  n19.x = 0;
  n19.y = 0;
  n19.lenx = half(w[15]!.lenx).first;
  n19.leny = half(w[15]!.leny).first;
  return w;
}

export function buildQuantizationTree(w: WaveletNode[]): Subband[] {
  const q: Subband[] = Array.from({ length: 64 }, () => ({ x: 0, y: 0, lenx: 0, leny: 0 }));
  const grid16 = (p: number, node: WaveletNode, rowInverted: boolean, colInverted: boolean): void => {
    const { lenx, leny, x, y } = node;
    let tempx: number;
    let temp2x: number;
    let tempy: number;
    let temp2y: number;
    if (lenx % 2 === 0) {
      tempx = temp2x = lenx / 2;
    } else if (colInverted) {
      temp2x = (lenx + 1) / 2;
      tempx = temp2x - 1;
    } else {
      tempx = (lenx + 1) / 2;
      temp2x = tempx - 1;
    }
    if (leny % 2 === 0) {
      tempy = temp2y = leny / 2;
    } else if (rowInverted) {
      temp2y = (leny + 1) / 2;
      tempy = temp2y - 1;
    } else {
      tempy = (leny + 1) / 2;
      temp2y = tempy - 1;
    }
    grid4(p, tempx, tempy, x, y);
    // Top-right quadrant: the odd column (if any) goes to its right half.
    const s4 = q[p + 4]!;
    const s5 = q[p + 5]!;
    const s6 = q[p + 6]!;
    const s7 = q[p + 7]!;
    s4.x = x + tempx;
    s6.x = s4.x;
    s4.y = y;
    s5.y = y;
    s6.y = q[p + 2]!.y;
    s7.y = q[p + 2]!.y;
    s4.leny = q[p]!.leny;
    s5.leny = q[p]!.leny;
    s6.leny = q[p + 2]!.leny;
    s7.leny = q[p + 2]!.leny;
    if (temp2x % 2 === 0) {
      s4.lenx = s5.lenx = s6.lenx = s7.lenx = temp2x / 2;
    } else {
      s5.lenx = (temp2x + 1) / 2;
      s4.lenx = s5.lenx - 1;
      s6.lenx = s4.lenx;
      s7.lenx = s5.lenx;
    }
    s5.x = s4.x + s4.lenx;
    s7.x = s5.x;
    // Bottom-left quadrant: the odd row (if any) goes to its lower half.
    const s8 = q[p + 8]!;
    const s9 = q[p + 9]!;
    const s10 = q[p + 10]!;
    const s11 = q[p + 11]!;
    s8.x = x;
    s9.x = q[p + 1]!.x;
    s10.x = x;
    s11.x = q[p + 1]!.x;
    s8.y = y + tempy;
    s9.y = s8.y;
    s8.lenx = q[p]!.lenx;
    s9.lenx = q[p + 1]!.lenx;
    s10.lenx = q[p]!.lenx;
    s11.lenx = q[p + 1]!.lenx;
    if (temp2y % 2 === 0) {
      s8.leny = s9.leny = s10.leny = s11.leny = temp2y / 2;
    } else {
      s10.leny = (temp2y + 1) / 2;
      s11.leny = s10.leny;
      s8.leny = s10.leny - 1;
      s9.leny = s8.leny;
    }
    s10.y = s8.y + s8.leny;
    s11.y = s10.y;
    // Bottom-right quadrant: columns as top-right, rows as bottom-left.
    for (const [k, col, row] of [
      [12, 4, 8],
      [13, 5, 8],
      [14, 4, 10],
      [15, 5, 10],
    ] as const) {
      const s = q[p + k]!;
      s.x = q[p + col]!.x;
      s.lenx = q[p + col]!.lenx;
      s.y = q[p + row]!.y;
      s.leny = q[p + row]!.leny;
    }
  };
  const grid4 = (p: number, lenx: number, leny: number, x: number, y: number): void => {
    const a = q[p]!;
    const b = q[p + 1]!;
    const c = q[p + 2]!;
    const d = q[p + 3]!;
    a.x = x;
    c.x = x;
    a.y = y;
    b.y = y;
    if (lenx % 2 === 0) {
      a.lenx = b.lenx = c.lenx = d.lenx = lenx / 2;
    } else {
      a.lenx = (lenx + 1) / 2;
      b.lenx = a.lenx - 1;
      c.lenx = a.lenx;
      d.lenx = b.lenx;
    }
    b.x = x + a.lenx;
    d.x = b.x;
    if (leny % 2 === 0) {
      a.leny = b.leny = c.leny = d.leny = leny / 2;
    } else {
      a.leny = (leny + 1) / 2;
      b.leny = a.leny;
      c.leny = a.leny - 1;
      d.leny = c.leny;
    }
    c.y = y + a.leny;
    d.y = c.y;
  };
  // The order matters: later grids overwrite the shared entries (3, and 48-50) of earlier ones.
  grid16(3, w[14]!, false, false);
  grid16(19, w[4]!, false, true);
  grid16(48, w[0]!, false, false);
  grid16(35, w[5]!, true, false);
  const n19 = w[19]!;
  grid4(0, n19.lenx, n19.leny, n19.x, n19.y);
  return q;
}
