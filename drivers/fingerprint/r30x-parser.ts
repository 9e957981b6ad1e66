/**
 * Incremental packet parser for the R30x byte stream. Pure (no I/O, no timers): feed it chunks as they
 * arrive and it returns what they completed. It resynchronises on `EF 01` after garbage (the R503's
 * stray 0x55 at power-on is just one byte of garbage), and rejects packets whose checksum is wrong.
 * `@serialport/parser-packet-length` cannot do this: it reads the length little-endian.
 */
import {
  HEADER_0,
  HEADER_1,
  MAX_CONTENT_BYTES,
  PREFIX_BYTES,
  checksum,
  isPid,
  type Packet,
} from "./r30x-codec.js";

export type ParserEvent =
  | { kind: "packet"; packet: Packet }
  | { kind: "bad-checksum"; pid: number; expected: number; actual: number }
  /** Bytes thrown away while looking for a packet header (noise, 0x55, a wrong baud rate). */
  | { kind: "garbage"; bytes: number };

export interface ParserOptions {
  /** Only packets from this address count; a header with another address is treated as noise. */
  address?: number;
  maxContentBytes?: number;
}

export class R30xPacketParser {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly address: number | undefined;
  private readonly maxContent: number;

  constructor(options: ParserOptions = {}) {
    this.address = options.address;
    this.maxContent = options.maxContentBytes ?? MAX_CONTENT_BYTES;
  }

  /** Bytes held back because they may start a packet whose rest has not arrived yet. */
  get pendingBytes(): number {
    return this.buffer.length;
  }

  reset(): void {
    this.buffer = Buffer.alloc(0);
  }

  /**
   * The line went quiet while a packet was incomplete. Either it really was cut short, or noise that
   * looked like a header announced a long length and is hiding a real packet behind it: give up on
   * that header and parse what follows it.
   */
  resyncAfterStall(): ParserEvent[] {
    if (this.buffer.length === 0) return [];
    const rest = this.buffer.subarray(1);
    this.buffer = Buffer.alloc(0);
    const events = this.push(rest);
    return [{ kind: "garbage", bytes: 1 }, ...events];
  }

  push(chunk: Uint8Array): ParserEvent[] {
    const buf = this.buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buffer, chunk]);
    const events: ParserEvent[] = [];
    let garbage = 0;
    let i = 0;
    const flushGarbage = (): void => {
      if (garbage > 0) events.push({ kind: "garbage", bytes: garbage });
      garbage = 0;
    };

    while (i < buf.length) {
      const start = findHeader(buf, i);
      if (start < 0) {
        // Keep a trailing 0xEF: it may be the first half of a header split across chunks.
        const keep = buf[buf.length - 1] === HEADER_0 ? 1 : 0;
        garbage += buf.length - i - keep;
        i = buf.length - keep;
        break;
      }
      garbage += start - i;
      i = start;
      if (buf.length - start < PREFIX_BYTES) break;

      const pid = buf[start + 6]!;
      const length = buf.readUInt16BE(start + 7);
      const plausible =
        (this.address === undefined || buf.readUInt32BE(start + 2) === this.address >>> 0) &&
        isPid(pid) &&
        length >= 2 &&
        length <= this.maxContent + 2;
      if (!plausible) {
        garbage += 1;
        i = start + 1;
        continue;
      }
      const end = start + PREFIX_BYTES + length;
      if (buf.length < end) break;

      flushGarbage();
      const content = Buffer.from(buf.subarray(start + PREFIX_BYTES, end - 2));
      const expected = checksum(pid, content);
      const actual = buf.readUInt16BE(end - 2);
      if (expected !== actual) {
        // Resync one byte on: if the length was noise, a real packet may start inside these bytes.
        events.push({ kind: "bad-checksum", pid, expected, actual });
        i = start + 1;
        continue;
      }
      events.push({ kind: "packet", packet: { address: buf.readUInt32BE(start + 2), pid, content } });
      i = end;
    }
    flushGarbage();
    this.buffer = i >= buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(i));
    return events;
  }
}

function findHeader(buf: Buffer, from: number): number {
  let at = buf.indexOf(HEADER_0, from);
  while (at >= 0 && at + 1 < buf.length) {
    if (buf[at + 1] === HEADER_1) return at;
    at = buf.indexOf(HEADER_0, at + 1);
  }
  return -1;
}
