/**
 * What a LinkProber needs from the machine: /sys, name and gateway resolution, ICMP processes, socket
 * probes and timers. The daemon passes the real ones (REAL_LINK_SYSTEM); unit tests pass a scripted
 * system and a manual clock, so round closing and clock jumps can be tested without a namespace.
 */
import type { ProbeConfig } from "../../config/links.js";
import { IcmpStream, type IcmpStreamOptions } from "./icmp-stream.js";
import { SocketProbeRunner } from "./socket-runner.js";
import { readCarrier, readInterface } from "./system.js";
import { resolveTarget, type TargetRuntime } from "./targets.js";
import type { InterfaceSnapshot, ProbeOutcome } from "./types.js";

/** One running ICMP probe process (or its stand-in). */
export interface IcmpProbe {
  start(): void;
  stop(): Promise<void>;
}

export type SocketProbeResult = { fault: string } | { attempt: Omit<ProbeOutcome, "sentAt"> };

export interface SocketProbes {
  run(address: string, probe: ProbeConfig): Promise<SocketProbeResult>;
  /** Forget the route checks (routes or addresses changed). */
  clearRoutes(): void;
}

export interface LinkSystem {
  readInterface(iface: string): Promise<InterfaceSnapshot>;
  readCarrier(iface: string): Promise<boolean | null>;
  resolveTarget(t: TargetRuntime, iface: string): Promise<{ address?: string; fault?: string }>;
  icmp(options: IcmpStreamOptions): IcmpProbe;
  sockets(iface: string, timeoutMs: number): SocketProbes;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
}

export type TimerHandle = { readonly timer: unknown };

export const REAL_LINK_SYSTEM: LinkSystem = {
  readInterface,
  readCarrier,
  resolveTarget,
  icmp: (options) => new IcmpStream(options),
  sockets: (iface, timeoutMs) => new SocketProbeRunner(iface, timeoutMs),
  setTimeout: (fn, ms) => ({ timer: setTimeout(fn, ms) }),
  clearTimeout: (h) => {
    if (h) clearTimeout(h.timer as NodeJS.Timeout);
  },
};
