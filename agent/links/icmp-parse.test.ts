import { describe, expect, it } from "vitest";
import { parseIcmpLine } from "./icmp-parse.js";

// Lines captured from fping 5.1 and iputils ping 20221126 on Debian 12 in the lab (scripts/netlab.sh).
describe("fping -l lines", () => {
  it("reads a reply, with or without the -D timestamp", () => {
    expect(parseIcmpLine("fping", "198.19.0.10 : [0], 64 bytes, 0.074 ms (0.074 avg, 0% loss)")).toEqual({
      kind: "reply",
      seq: 0,
      rttMs: 0.074,
    });
    expect(
      parseIcmpLine(
        "fping",
        "[1795902072.52223] 127.0.0.1      : [1], 64 bytes, 0.052 ms (0.063 avg, 0% loss)",
      ),
    ).toEqual({
      kind: "reply",
      seq: 1,
      rttMs: 0.052,
    });
    expect(parseIcmpLine("fping", "198.18.1.1  : [12], 84 bytes, 1015 ms (1015 avg, 0% loss)")).toEqual({
      kind: "reply",
      seq: 12,
      rttMs: 1015,
    });
  });

  it("reads a timeout as a loss of that sequence number", () => {
    expect(parseIcmpLine("fping", "198.19.0.99 : [3], timed out (NaN avg, 100% loss)")).toEqual({
      kind: "lost",
      seq: 3,
      reason: "timed out",
    });
  });

  it("keeps ICMP errors as evidence and ignores duplicates", () => {
    expect(
      parseIcmpLine("fping", "ICMP Host Unreachable from 198.18.1.2 for ICMP Echo sent to 198.19.0.10"),
    ).toEqual({
      kind: "icmp-error",
      text: "host unreachable from 198.18.1.2",
    });
    expect(parseIcmpLine("fping", "198.19.0.10 : duplicate for [3], 64 bytes, 0.1 ms").kind).toBe("other");
  });

  it("recognises the messages after which fping exits", () => {
    expect(parseIcmpLine("fping", "binding to specific interface (SO_BINTODEVICE): No such device")).toEqual({
      kind: "fatal",
      message: "binding to specific interface (SO_BINTODEVICE): No such device",
    });
    expect(
      parseIcmpLine("fping", "fping: cannot bind source address : Cannot assign requested address").kind,
    ).toBe("fatal");
  });

  it("never throws on garbage", () => {
    for (const junk of ["", "   ", ": [x], 64 bytes", "\u0000\u0001", "198.19.0.10 : [", "[1.2] "]) {
      expect(["other", "fatal"]).toContain(parseIcmpLine("fping", junk).kind);
    }
  });
});

describe("iputils ping -O lines", () => {
  it("reads replies, including late ones and ttl-less forms", () => {
    expect(parseIcmpLine("ping", "64 bytes from 198.19.0.10: icmp_seq=1 ttl=63 time=0.051 ms")).toEqual({
      kind: "reply",
      seq: 1,
      rttMs: 0.051,
    });
    expect(
      parseIcmpLine("ping", "[1795902080.052618] 64 bytes from 127.0.0.1: icmp_seq=7 ttl=64 time=1015 ms"),
    ).toEqual({
      kind: "reply",
      seq: 7,
      rttMs: 1015,
    });
  });

  it("reads 'no answer yet' and ICMP errors as losses", () => {
    expect(parseIcmpLine("ping", "no answer yet for icmp_seq=4")).toEqual({
      kind: "lost",
      seq: 4,
      reason: "timed out",
    });
    expect(parseIcmpLine("ping", "From 198.18.1.1 icmp_seq=2 Destination Net Unreachable")).toEqual({
      kind: "lost",
      seq: 2,
      reason: "destination net unreachable from 198.18.1.1",
    });
  });

  it("ignores the header, duplicates and the summary", () => {
    for (const l of [
      "PING 198.19.0.10 (198.19.0.10) from 198.18.1.2 wan0: 56(84) bytes of data.",
      "64 bytes from 198.19.0.10: icmp_seq=3 ttl=63 time=0.1 ms (DUP!)",
      "--- 198.19.0.10 ping statistics ---",
      "2 packets transmitted, 2 received, 0% packet loss, time 204ms",
      "rtt min/avg/max/mdev = 0.080/0.092/0.104/0.012 ms",
    ]) {
      expect(parseIcmpLine("ping", l).kind).toBe("other");
    }
  });

  it("recognises a bad interface", () => {
    expect(parseIcmpLine("ping", "ping: SO_BINDTODEVICE nosuch0: No such device")).toEqual({
      kind: "fatal",
      message: "SO_BINDTODEVICE nosuch0: No such device",
    });
  });
});
