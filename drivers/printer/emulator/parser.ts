/**
 * Incremental ESC/POS parser for the virtual printer: bytes in (any chunking), commands out. It knows
 * the length of every command the encoder emits, so data inside a raster or QR never reads as commands.
 */
export type Op =
  | { op: "init" }
  | { op: "codePage"; n: number }
  | { op: "bold"; on: boolean }
  | { op: "underline"; n: number }
  | { op: "printMode"; n: number }
  | { op: "size"; width: number; height: number }
  | { op: "align"; n: number }
  | { op: "font"; n: number }
  | { op: "lineSpacing"; dots?: number }
  | { op: "reverse"; on: boolean }
  | { op: "text"; bytes: Uint8Array }
  | { op: "lf" }
  | { op: "cr" }
  | { op: "feedLines"; n: number }
  | { op: "feedDots"; n: number }
  | { op: "cut"; partial: boolean; feed?: number }
  | { op: "raster"; mode: number; bytesPerRow: number; rows: number; data: Uint8Array }
  | { op: "qr"; fn: number; params: Uint8Array }
  | { op: "status"; n: number }
  | { op: "drawer"; pin: number }
  | { op: "unknown"; byte: number };

type Need = { need: number };
const need = (n: number): Need => ({ need: n });

export class EscPosParser {
  private buf = new Uint8Array(0);
  /** Chunks not yet merged into `buf`, while the command at its head still lacks bytes. */
  private waiting: Uint8Array[] = [];
  private waitingBytes = 0;
  private needed = 0;
  /** Bytes consumed so far (for error messages and tests). */
  offset = 0;

  push(chunk: Uint8Array): Op[] {
    this.waiting.push(Uint8Array.from(chunk));
    this.waitingBytes += chunk.length;
    // A large raster arrives in many small reads; merging and re-parsing each time would be quadratic.
    if (this.buf.length + this.waitingBytes < this.needed) return [];
    const merged = new Uint8Array(this.buf.length + this.waitingBytes);
    merged.set(this.buf);
    let at = this.buf.length;
    for (const c of this.waiting) {
      merged.set(c, at);
      at += c.length;
    }
    this.waiting = [];
    this.waitingBytes = 0;
    this.buf = merged;
    const ops: Op[] = [];
    let pos = 0;
    for (;;) {
      const r = this.parseOne(this.buf, pos);
      if ("need" in r) {
        this.needed = r.need;
        break;
      }
      ops.push(r.op);
      pos += r.len;
    }
    this.offset += pos;
    this.buf = this.buf.slice(pos);
    return ops;
  }

  /** Bytes held back because a command is not complete yet. */
  get pending(): number {
    return this.buf.length + this.waitingBytes;
  }

  private parseOne(b: Uint8Array, at: number): { op: Op; len: number } | Need {
    const left = b.length - at;
    if (left < 1) return need(1);
    const c = b[at]!;
    const arg = (i: number): number => b[at + i]!;
    if (c === 0x0a) return { op: { op: "lf" }, len: 1 };
    if (c === 0x0d) return { op: { op: "cr" }, len: 1 };
    if (c >= 0x20 && c !== 0x7f) {
      let end = at;
      while (end < b.length && b[end]! >= 0x20 && b[end] !== 0x7f) end++;
      return { op: { op: "text", bytes: b.slice(at, end) }, len: end - at };
    }
    if (c === 0x10) {
      if (left < 3) return need(3);
      if (arg(1) === 0x04) return { op: { op: "status", n: arg(2) }, len: 3 };
      return { op: { op: "unknown", byte: c }, len: 1 };
    }
    if (c === 0x1b) {
      if (left < 2) return need(2);
      const f = arg(1);
      if (f === 0x40) return { op: { op: "init" }, len: 2 };
      if (f === 0x32) return { op: { op: "lineSpacing" }, len: 2 };
      if (f === 0x70) return left < 5 ? need(5) : { op: { op: "drawer", pin: arg(2) }, len: 5 };
      if (left < 3) return need(3);
      const n = arg(2);
      switch (f) {
        case 0x74:
          return { op: { op: "codePage", n }, len: 3 };
        case 0x45:
          return { op: { op: "bold", on: (n & 1) === 1 }, len: 3 };
        case 0x2d:
          return { op: { op: "underline", n }, len: 3 };
        case 0x21:
          return { op: { op: "printMode", n }, len: 3 };
        case 0x61:
          return { op: { op: "align", n: n >= 0x30 ? n - 0x30 : n }, len: 3 };
        case 0x4d:
          return { op: { op: "font", n: n >= 0x30 ? n - 0x30 : n }, len: 3 };
        case 0x33:
          return { op: { op: "lineSpacing", dots: n }, len: 3 };
        case 0x64:
          return { op: { op: "feedLines", n }, len: 3 };
        case 0x4a:
          return { op: { op: "feedDots", n }, len: 3 };
      }
      return { op: { op: "unknown", byte: c }, len: 1 };
    }
    if (c === 0x1d) {
      if (left < 2) return need(2);
      const f = arg(1);
      if (f === 0x76) {
        if (left < 8) return need(8);
        if (arg(2) !== 0x30 && arg(2) !== 0) return { op: { op: "unknown", byte: c }, len: 1 };
        const bytesPerRow = arg(4) | (arg(5) << 8);
        const rows = arg(6) | (arg(7) << 8);
        const total = 8 + bytesPerRow * rows;
        if (left < total) return need(total);
        const data = b.slice(at + 8, at + total);
        return { op: { op: "raster", mode: arg(3) & 0x03, bytesPerRow, rows, data }, len: total };
      }
      if (f === 0x28) {
        if (left < 5) return need(5);
        const len = arg(3) | (arg(4) << 8);
        if (left < 5 + len) return need(5 + len);
        if (arg(2) === 0x6b && len >= 2 && arg(5) === 0x31) {
          return { op: { op: "qr", fn: arg(6), params: b.slice(at + 7, at + 5 + len) }, len: 5 + len };
        }
        return { op: { op: "unknown", byte: c }, len: 5 + len };
      }
      if (left < 3) return need(3);
      const n = arg(2);
      if (f === 0x21) return { op: { op: "size", width: (n >> 4) + 1, height: (n & 7) + 1 }, len: 3 };
      if (f === 0x42) return { op: { op: "reverse", on: (n & 1) === 1 }, len: 3 };
      if (f === 0x56) {
        if (n === 0x00 || n === 0x30) return { op: { op: "cut", partial: false }, len: 3 };
        if (n === 0x01 || n === 0x31) return { op: { op: "cut", partial: true }, len: 3 };
        if (n === 0x41 || n === 0x42) {
          if (left < 4) return need(4);
          return { op: { op: "cut", partial: n === 0x42, feed: arg(3) }, len: 4 };
        }
      }
      return { op: { op: "unknown", byte: c }, len: 1 };
    }
    return { op: { op: "unknown", byte: c }, len: 1 };
  }
}
