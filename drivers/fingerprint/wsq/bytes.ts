/** Big-endian byte and bit I/O for WSQ streams (entropy-coded data stuffs a 0x00 after every 0xFF). */
import { WsqFormatError } from "./errors.js";

export class ByteWriter {
  private buf = new Uint8Array(1 << 16);
  length = 0;

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  byte(v: number): void {
    this.ensure(1);
    this.buf[this.length++] = v & 0xff;
  }

  u16(v: number): void {
    this.byte(v >>> 8);
    this.byte(v);
  }

  u32(v: number): void {
    this.u16(v >>> 16);
    this.u16(v & 0xffff);
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /** Patches a 16-bit value written earlier (segment lengths known only afterwards). */
  patchU16(at: number, v: number): void {
    this.buf[at] = v >>> 8;
    this.buf[at + 1] = v & 0xff;
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** Writes Huffman codes MSB first, stuffing 0x00 after 0xFF; flush pads with 1 bits. */
export class BitWriter {
  private acc = 0;
  private count = 0;
  constructor(private readonly out: ByteWriter) {}

  bits(value: number, n: number): void {
    for (let i = n - 1; i >= 0; i--) {
      this.acc = (this.acc << 1) | ((value >>> i) & 1);
      if (++this.count === 8) this.emit();
    }
  }

  flush(): void {
    while (this.count !== 0) {
      this.acc = (this.acc << 1) | 1;
      if (++this.count === 8) this.emit();
    }
  }

  private emit(): void {
    this.out.byte(this.acc);
    if (this.acc === 0xff) this.out.byte(0);
    this.acc = 0;
    this.count = 0;
  }
}

export class ByteReader {
  pos = 0;
  constructor(readonly data: Uint8Array) {}

  need(n: number, what: string): void {
    if (this.pos + n > this.data.length) {
      throw new WsqFormatError(`truncated WSQ data: ${what} runs past the end of the input`, this.pos);
    }
  }

  byte(what: string): number {
    this.need(1, what);
    return this.data[this.pos++]!;
  }

  u16(what: string): number {
    this.need(2, what);
    const v = (this.data[this.pos]! << 8) | this.data[this.pos + 1]!;
    this.pos += 2;
    return v;
  }

  u32(what: string): number {
    return this.u16(what) * 65536 + this.u16(what);
  }
}

/**
 * Reads entropy-coded bits up to the next marker. `bit()` returns -1 once a marker (0xFF followed by a
 * non-zero byte) or the end of input is reached; the reader then rests on the marker.
 */
export class BitReader {
  private acc = 0;
  private count = 0;
  private atMarker = false;
  constructor(private readonly r: ByteReader) {}

  bit(): number {
    if (this.count === 0) {
      if (this.atMarker || this.r.pos >= this.r.data.length) return -1;
      const b = this.r.data[this.r.pos]!;
      if (b === 0xff) {
        const next = this.r.data[this.r.pos + 1];
        if (next === undefined) {
          this.atMarker = true;
          return -1;
        }
        if (next !== 0) {
          this.atMarker = true;
          return -1;
        }
        this.r.pos += 2;
      } else {
        this.r.pos += 1;
      }
      this.acc = b;
      this.count = 8;
    }
    this.count--;
    return (this.acc >>> this.count) & 1;
  }

  bits(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) {
      const b = this.bit();
      if (b < 0) return -1;
      v = (v << 1) | b;
    }
    return v;
  }

  /** Drops the padding after a block and leaves the byte reader on the next marker. */
  skipToMarker(): void {
    this.count = 0;
    const d = this.r.data;
    while (this.r.pos < d.length) {
      if (d[this.r.pos] === 0xff && d[this.r.pos + 1] !== 0 && d[this.r.pos + 1] !== undefined) return;
      this.r.pos++;
    }
  }
}
