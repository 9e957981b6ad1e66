import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import type { ProbeConfig, TargetConfig } from "../../config/links.js";
import { SampleWindow } from "./figures.js";
import { TargetTracker } from "./health.js";
import type { IcmpProbe } from "./link-system.js";
import { gatewayOf } from "./system.js";
import type { ProbeOutcome } from "./types.js";

/** One configured probe of one target, at run time. */
export interface StreamRuntime {
  probe: ProbeConfig;
  label: string;
  icmp?: IcmpProbe;
  /** Why this probe cannot run right now (the others go on). */
  fault?: string;
  faultSince?: number;
  window: SampleWindow;
  last?: ProbeOutcome;
  inflight: boolean;
}

export interface TargetRuntime {
  index: number;
  cfg: TargetConfig;
  label: string;
  /** The resolved IP address; undefined while it cannot be resolved (then `fault` says why). */
  address?: string;
  fault?: string;
  streams: StreamRuntime[];
  tracker: TargetTracker;
}

export function probeLabel(p: ProbeConfig): string {
  switch (p.type) {
    case "icmp":
      return "icmp";
    case "tcp":
      return `tcp:${p.port}`;
    case "http":
      return new URL(p.url).protocol === "https:" ? "https" : "http";
    case "dns":
      return `dns ${p.name}`;
  }
}

export function buildTargets(targets: TargetConfig[], windowMs: number): TargetRuntime[] {
  return targets.map((cfg, index) => ({
    index,
    cfg,
    label: cfg.label ?? (cfg.host ? `${cfg.role} ${cfg.host}` : cfg.role),
    streams: cfg.probes.map((probe) => ({
      probe,
      label: probeLabel(probe),
      window: new SampleWindow(windowMs),
      inflight: false,
    })),
    tracker: new TargetTracker(),
  }));
}

/** The target's address: given, resolved once per refresh, or (gateway) read from the routing table. */
export async function resolveTarget(
  t: TargetRuntime,
  iface: string,
): Promise<{ address?: string; fault?: string }> {
  const host = t.cfg.host;
  if (host === undefined) {
    try {
      const gw = await gatewayOf(iface);
      return gw ? { address: gw } : { fault: `no gateway for ${iface} in the routing table` };
    } catch (e) {
      return { fault: `cannot read the gateway of ${iface}: ${(e as Error).message}` };
    }
  }
  if (isIP(host)) return { address: host };
  try {
    const r = await lookup(host);
    return { address: r.address };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    return { fault: `${host} does not resolve (${code})` };
  }
}

/** Probes the round is waiting for from this target: the ICMP tool sends `icmpPerRound`, the others one. */
export function probesPerRound(t: TargetRuntime, icmpPerRound: number): number {
  return t.streams
    .filter((s) => !s.fault)
    .reduce((n, s) => n + (s.probe.type === "icmp" ? icmpPerRound : 1), 0);
}

export function usable(t: TargetRuntime): boolean {
  return !t.fault && t.address !== undefined && t.streams.some((s) => !s.fault);
}

/**
 * The targets whose answers decide up/down: the data centre hosts; without any usable one, the gateway;
 * without that, the DNS servers. Gateway and DNS otherwise only explain *why* a link is down.
 */
export function decidingTargets(targets: TargetRuntime[]): TargetRuntime[] {
  for (const role of ["datacentre", "gateway", "dns"] as const) {
    const ts = targets.filter((t) => t.cfg.role === role && usable(t));
    if (ts.length > 0) return ts;
  }
  return [];
}
