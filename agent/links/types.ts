/** Types shared inside the link monitor. */

/** One probe's verdict. Times are the injected clock's milliseconds. */
export interface ProbeOutcome {
  /** When the request left (estimated from the reply for ICMP). */
  sentAt: number;
  ok: boolean;
  rttMs?: number;
  /** Why it failed, in a few words: "timed out", "connection refused", "status 503". */
  error?: string;
}

export type ProbeKind = "icmp" | "tcp" | "http" | "dns";

/** A probe that could not run at all (bad interface, missing binary, unresolvable host), and why. */
export interface ProbeFault {
  probe: string;
  message: string;
  since: number;
}

export interface NowClock {
  now(): number;
}

/** Interface facts read from /sys and the kernel's address list. */
export interface InterfaceSnapshot {
  exists: boolean;
  operstate: string;
  /** null when the kernel will not say (interface administratively down or absent). */
  carrier: boolean | null;
  addresses: string[];
  rxBytes: number;
  txBytes: number;
  rxErrors: number;
  txErrors: number;
}
