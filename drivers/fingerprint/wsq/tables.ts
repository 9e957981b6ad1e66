/**
 * The table segments (DTT, DQT, SOF header fields, DHT) and NISTCOM comments: their byte layouts, written
 * and parsed. Real numbers travel as (decimal scale, integer): value = integer / 10^scale.
 */
import type { ByteReader, ByteWriter } from "./bytes.js";
import { MAX_SUBBANDS, Marker } from "./constants.js";
import { WsqFormatError } from "./errors.js";
import type { HuffmanTable } from "./huffman.js";
import type { QuantizerTable } from "./quantize.js";

/** The largest power-of-ten scaling that keeps |v| under `limit` (as the reference encoder chooses). */
export function toScaled(v: number, limit: number): { scale: number; int: number } {
  let a = Math.abs(v);
  if (a === 0) return { scale: 0, int: 0 };
  if (a >= limit) throw new RangeError(`WSQ table value ${v} does not fit`);
  let scale = 0;
  while (a < limit) {
    scale++;
    a *= 10;
  }
  scale--;
  let int = Math.round(a / 10);
  if (int >= limit) int = limit - 1;
  return { scale, int };
}

function fromScaled(scale: number, int: number): number {
  return int / 10 ** scale;
}

export function writeTransformTable(
  w: ByteWriter,
  lowpass: readonly number[],
  highpass: readonly number[],
): void {
  w.u16(Marker.DTT);
  w.u16(58);
  w.byte(lowpass.length);
  w.byte(highpass.length);
  for (const f of [lowpass, highpass]) {
    for (let i = f.length >> 1; i < f.length; i++) {
      const { scale, int } = toScaled(f[i]!, 4294967295);
      w.byte(f[i]! < 0 ? 1 : 0);
      w.byte(scale);
      w.u32(int);
    }
  }
}

/** Reads a DTT segment body (after the length) into full symmetric analysis filters. */
export function readTransformTable(r: ByteReader): { lowpass: Float64Array; highpass: Float64Array } {
  const loSize = r.byte("DTT lowpass size");
  const hiSize = r.byte("DTT highpass size");
  const filters: Float64Array[] = [];
  for (const size of [loSize, hiSize]) {
    if (size < 1 || size > 31 || size % 2 === 0) {
      throw new WsqFormatError(`DTT filter length ${size} is not a supported odd length`, r.pos);
    }
    const f = new Float64Array(size);
    const mid = size >> 1;
    for (let i = 0; i <= mid; i++) {
      const sign = r.byte("DTT coefficient");
      const scale = r.byte("DTT coefficient");
      const v = fromScaled(scale, r.u32("DTT coefficient")) * (sign ? -1 : 1);
      f[mid + i] = v;
      f[mid - i] = v;
    }
    filters.push(f);
  }
  return { lowpass: filters[0]!, highpass: filters[1]! };
}

export function writeQuantizationTable(w: ByteWriter, t: QuantizerTable, binCenter: number): void {
  w.u16(Marker.DQT);
  w.u16(389);
  const c = toScaled(binCenter, 65535);
  w.byte(c.scale);
  w.u16(c.int);
  for (let s = 0; s < MAX_SUBBANDS; s++) {
    for (const v of [t.binWidth[s]!, t.zeroBinWidth[s]!]) {
      const { scale, int } = toScaled(v, 65535);
      w.byte(scale);
      w.u16(int);
    }
  }
}

export function readQuantizationTable(r: ByteReader): { table: QuantizerTable; binCenter: number } {
  const binCenter = fromScaled(r.byte("DQT bin centre"), r.u16("DQT bin centre"));
  const binWidth = new Float64Array(MAX_SUBBANDS);
  const zeroBinWidth = new Float64Array(MAX_SUBBANDS);
  for (let s = 0; s < MAX_SUBBANDS; s++) {
    binWidth[s] = fromScaled(r.byte("DQT bin width"), r.u16("DQT bin width"));
    zeroBinWidth[s] = fromScaled(r.byte("DQT zero bin"), r.u16("DQT zero bin"));
  }
  return { table: { binWidth, zeroBinWidth }, binCenter };
}

export interface FrameHeader {
  width: number;
  height: number;
  shift: number;
  scale: number;
}

export function writeFrameHeader(w: ByteWriter, f: FrameHeader): void {
  w.u16(Marker.SOF);
  w.u16(17);
  w.byte(0); // black
  w.byte(255); // white
  w.u16(f.height);
  w.u16(f.width);
  for (const v of [f.shift, f.scale]) {
    const { scale, int } = toScaled(v, 65535);
    w.byte(scale);
    w.u16(int);
  }
  w.byte(2); // WSQ encoder number (the spec's value for this algorithm)
  w.u16(0); // software implementation number
}

export function readFrameHeader(r: ByteReader): FrameHeader {
  r.byte("SOF black");
  r.byte("SOF white");
  const height = r.u16("SOF height");
  const width = r.u16("SOF width");
  const shift = fromScaled(r.byte("SOF shift"), r.u16("SOF shift"));
  const scale = fromScaled(r.byte("SOF scale"), r.u16("SOF scale"));
  r.byte("SOF encoder");
  r.u16("SOF software");
  return { width, height, shift, scale };
}

export function writeHuffmanTable(w: ByteWriter, id: number, t: HuffmanTable): void {
  w.u16(Marker.DHT);
  w.u16(3 + 16 + t.values.length);
  w.byte(id);
  for (const b of t.bits) w.byte(b);
  for (const v of t.values) w.byte(v);
}

/** A DHT segment may hold several tables; reads until `end`. */
export function readHuffmanTables(r: ByteReader, end: number, into: Map<number, HuffmanTable>): void {
  while (r.pos < end) {
    const id = r.byte("DHT table id");
    if (id > 7) throw new WsqFormatError(`DHT table id ${id} is out of range`, r.pos - 1);
    const bits: number[] = [];
    let total = 0;
    for (let i = 0; i < 16; i++) {
      const b = r.byte("DHT code counts");
      bits.push(b);
      total += b;
    }
    if (total > 256) throw new WsqFormatError(`DHT table ${id} declares ${total} codes`, r.pos);
    const values: number[] = [];
    for (let i = 0; i < total; i++) values.push(r.byte("DHT values"));
    into.set(id, { bits, values });
  }
}

/** The NISTCOM attribute list NBIS writes and reads (PPI is how a decoder learns the resolution). */
export function nistcom(fields: Array<[string, string]>): Uint8Array {
  const lines = [`NIST_COM ${fields.length + 1}`, ...fields.map(([k, v]) => `${k} ${v}`)];
  return new TextEncoder().encode(lines.join("\n"));
}

export function parseNistcom(text: string): Map<string, string> | undefined {
  if (!text.startsWith("NIST_COM ")) return undefined;
  const map = new Map<string, string>();
  for (const line of text.split("\n")) {
    const i = line.indexOf(" ");
    if (i > 0) map.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  return map;
}
