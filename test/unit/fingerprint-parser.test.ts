import { describe, expect, it } from "vitest";
import {
  Command,
  Pid,
  encodeCommand,
  encodePacket,
  R503_READY_BYTE,
} from "../../drivers/fingerprint/r30x-codec.js";
import { R30xPacketParser, type ParserEvent } from "../../drivers/fingerprint/r30x-parser.js";

const ADDRESS = 0xffffffff;
const ackOk = encodePacket({ address: ADDRESS, pid: Pid.Ack, content: Buffer.from([0x00]) });
const noFinger = encodePacket({ address: ADDRESS, pid: Pid.Ack, content: Buffer.from([0x02]) });
const data = (n: number, pid: number = Pid.Data): Buffer =>
  encodePacket({
    address: ADDRESS,
    pid,
    content: Buffer.from(Array.from({ length: n }, (_, i) => (i * 37) & 0xff)),
  });

function feed(parser: R30xPacketParser, chunks: Buffer[]): ParserEvent[] {
  return chunks.flatMap((c) => parser.push(c));
}
const packets = (events: ParserEvent[]) =>
  events.filter((e) => e.kind === "packet").map((e) => (e.kind === "packet" ? e.packet : null)!);
const garbage = (events: ParserEvent[]) =>
  events.reduce((n, e) => n + (e.kind === "garbage" ? e.bytes : 0), 0);

describe("R30x stream parser", () => {
  it("reassembles packets split at every possible byte boundary", () => {
    const stream = Buffer.concat([ackOk, data(128), data(128, Pid.End)]);
    for (let cut = 1; cut < stream.length; cut++) {
      const parser = new R30xPacketParser({ address: ADDRESS });
      const got = packets(feed(parser, [stream.subarray(0, cut), stream.subarray(cut)]));
      expect(got.map((p) => p.pid)).toEqual([Pid.Ack, Pid.Data, Pid.End]);
      expect(parser.pendingBytes).toBe(0);
    }
  });

  it("survives one byte at a time", () => {
    const parser = new R30xPacketParser({ address: ADDRESS });
    const stream = Buffer.concat([noFinger, ackOk]);
    const got = packets(
      feed(
        parser,
        [...stream].map((b) => Buffer.from([b])),
      ),
    );
    expect(got.map((p) => p.content[0])).toEqual([0x02, 0x00]);
  });

  it("skips the R503's stray 0x55 at power-on", () => {
    const parser = new R30xPacketParser({ address: ADDRESS });
    const events = parser.push(Buffer.concat([Buffer.from([R503_READY_BYTE]), ackOk]));
    expect(packets(events)).toHaveLength(1);
    expect(garbage(events)).toBe(1);
  });

  it("resynchronises after garbage, including bytes that look like a header", () => {
    const parser = new R30xPacketParser({ address: ADDRESS });
    const junk = Buffer.from([0x00, 0xef, 0x00, 0xef, 0x01, 0x12, 0x34, 0x56, 0x78, 0x07, 0xef]);
    const events = feed(parser, [
      junk,
      ackOk.subarray(0, 5),
      ackOk.subarray(5),
      Buffer.from([0x42, 0x55]),
      noFinger,
    ]);
    expect(packets(events).map((p) => p.content[0])).toEqual([0x00, 0x02]);
    expect(garbage(events)).toBeGreaterThan(0);
  });

  it("rejects a bad checksum and still finds the next packet", () => {
    const bad = Buffer.from(ackOk);
    bad[bad.length - 1]! ^= 0x01;
    const parser = new R30xPacketParser({ address: ADDRESS });
    const events = parser.push(Buffer.concat([bad, noFinger]));
    const badEvents = events.filter((e) => e.kind === "bad-checksum");
    expect(badEvents).toEqual([{ kind: "bad-checksum", pid: Pid.Ack, expected: 0x000a, actual: 0x000b }]);
    expect(packets(events).map((p) => p.content[0])).toEqual([0x02]);
  });

  it("ignores packets for another address and implausible lengths", () => {
    const parser = new R30xPacketParser({ address: ADDRESS });
    const other = encodePacket({ address: 0x12345678, pid: Pid.Ack, content: Buffer.from([0]) });
    const hugeLength = Buffer.from([0xef, 0x01, 0xff, 0xff, 0xff, 0xff, 0x07, 0x7f, 0xff]);
    const events = parser.push(Buffer.concat([other, hugeLength, ackOk]));
    expect(packets(events)).toHaveLength(1);
  });

  it("holds an incomplete packet and can give it up after a stall", () => {
    const parser = new R30xPacketParser({ address: ADDRESS });
    // A header that claims 200 bytes hides a real ack right behind it.
    const liar = Buffer.from([0xef, 0x01, 0xff, 0xff, 0xff, 0xff, 0x07, 0x00, 0xc8]);
    expect(packets(parser.push(Buffer.concat([liar, noFinger])))).toHaveLength(0);
    expect(parser.pendingBytes).toBe(liar.length + noFinger.length);
    const recovered = parser.resyncAfterStall();
    expect(packets(recovered).map((p) => p.content[0])).toEqual([0x02]);
    expect(parser.pendingBytes).toBe(0);
  });

  it("parses commands as the emulator sees them", () => {
    const parser = new R30xPacketParser();
    const [event] = parser.push(encodeCommand(Command.verifyPassword(0x01020304)));
    expect(event).toMatchObject({ kind: "packet", packet: { pid: Pid.Command } });
    if (event?.kind === "packet") expect(event.packet.content.toString("hex")).toBe("1301020304");
  });
});
