/**
 * Pure parsers for the output lines of `fping -l` (fping 4/5) and iputils `ping -O`, as captured on Debian 12.
 * No I/O, no timers: one line in, one classified line out. Unknown lines are `other`, never an exception.
 */

export type IcmpLine =
  /** An echo reply for sequence number `seq` with its round-trip time. */
  | { kind: "reply"; seq: number; rttMs: number }
  /** The echo request `seq` is known to be lost (timed out, no answer, or an ICMP error came back). */
  | { kind: "lost"; seq: number; reason: string }
  /** An ICMP error that names no sequence number (fping prints these on stderr); evidence only. */
  | { kind: "icmp-error"; text: string }
  /** The tool cannot go on (bad interface, no permission, bad address); it is about to exit. */
  | { kind: "fatal"; message: string }
  /** Header, summary, duplicate or an unknown line. */
  | { kind: "other"; text: string };

export type IcmpTool = "fping" | "ping";

/** Either tool may prefix lines with `[1700000000.123456] ` (-D); the prefix is dropped. */
const TIMESTAMP = /^\[\d+(?:\.\d+)?\]\s*/;

const FPING_REPLY = /^\S+\s*: \[(\d+)\], \d+ bytes, (\d+(?:\.\d+)?) ms\b/;
const FPING_TIMEOUT = /^\S+\s*: \[(\d+)\], timed out\b/;
const FPING_ICMP_ERROR = /^ICMP (.+?) from (\S+) for ICMP Echo sent to (\S+)/;

const PING_REPLY = /^\d+ bytes from [^:]+: icmp_seq=(\d+)\b.*?\btime[=<](\d+(?:\.\d+)?) ms/;
const PING_NO_ANSWER = /^no answer yet for icmp_seq=(\d+)/;
const PING_ICMP_ERROR = /^From (\S+?):? icmp_seq=(\d+) (.+)$/;

/** Messages after which the tool exits: the probe is faulted, not the link. */
const FATAL = [
  /SO_BIN[D]?TODEVICE/i,
  /cannot bind/i,
  /can't create socket/i,
  /must run as root/i,
  /Operation not permitted/i,
  /Name or service not known/i,
  /Temporary failure in name resolution/i,
  /address not found/i,
  /unknown host/i,
  /invalid (?:argument|option)/i,
  /usage:/i,
];

export function parseIcmpLine(tool: IcmpTool, raw: string): IcmpLine {
  const line = raw.trim().replace(TIMESTAMP, "");
  if (line === "") return { kind: "other", text: "" };
  return tool === "fping" ? parseFping(line) : parsePing(line);
}

function parseFping(line: string): IcmpLine {
  if (line.includes("duplicate for")) return { kind: "other", text: line };
  let m = FPING_REPLY.exec(line);
  if (m) return { kind: "reply", seq: Number(m[1]), rttMs: Number(m[2]) };
  m = FPING_TIMEOUT.exec(line);
  if (m) return { kind: "lost", seq: Number(m[1]), reason: "timed out" };
  m = FPING_ICMP_ERROR.exec(line);
  if (m) return { kind: "icmp-error", text: `${m[1]!.toLowerCase()} from ${m[2]}` };
  return fatalOrOther(line);
}

function parsePing(line: string): IcmpLine {
  if (line.includes("(DUP!)")) return { kind: "other", text: line };
  let m = PING_REPLY.exec(line);
  if (m) return { kind: "reply", seq: Number(m[1]), rttMs: Number(m[2]) };
  m = PING_NO_ANSWER.exec(line);
  if (m) return { kind: "lost", seq: Number(m[1]), reason: "timed out" };
  m = PING_ICMP_ERROR.exec(line);
  if (m) return { kind: "lost", seq: Number(m[2]), reason: `${m[3]!.trim().toLowerCase()} from ${m[1]}` };
  if (line.startsWith("PING ") || line.startsWith("---") || /packets transmitted|^rtt /.test(line)) {
    return { kind: "other", text: line };
  }
  return fatalOrOther(line);
}

function fatalOrOther(line: string): IcmpLine {
  if (FATAL.some((re) => re.test(line)))
    return { kind: "fatal", message: line.replace(/^(?:fping|ping):\s*/, "") };
  return { kind: "other", text: line };
}
