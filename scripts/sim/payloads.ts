/** Contract payloads for a virtual station; every builder's output passes the contract schemas. */
import type {
  DeviceState,
  EventPayload,
  LinkState,
  MetricsPayload,
  Outage,
  PowerState,
} from "../../contract/index.js";
import type { z } from "zod";
import type { StateOffline, StateOnline } from "../../contract/index.js";

export interface SimLink {
  name: string;
  role: "primary" | "backup";
  state: "up" | "down" | "degraded";
  active: boolean;
  since: string;
}

export interface SimDevice {
  id: string;
  kind: "fingerprint" | "printer" | "ups";
  health: "ready" | "faulted";
  since: string;
  reason?: string;
}

export interface SimIdentity {
  id: string;
  name: string;
  district: string;
  bootId: string;
  bootTime: string;
  startedAt: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function birth(
  s: SimIdentity,
  links: SimLink[],
  devices: SimDevice[],
  now: number,
): z.infer<typeof StateOnline> {
  return {
    online: true,
    station: s.id,
    name: s.name,
    district: s.district,
    bootId: s.bootId,
    bootTime: s.bootTime,
    agentVersion: "0.1.0-sim",
    configHash: "sim",
    startedAt: s.startedAt,
    time: iso(now),
    clockSynced: true,
    links: links.map((l) => ({ name: l.name, role: l.role, state: l.state })),
    devices: devices.map((d) => ({ device: d.id, kind: d.kind, health: d.health })),
  };
}

export function will(id: string): z.infer<typeof StateOffline> {
  return { online: false, cause: "connection-lost", station: id };
}

export function shutdown(id: string, now: number): z.infer<typeof StateOffline> {
  return { online: false, cause: "shutdown", station: id, time: iso(now) };
}

export function linkState(id: string, l: SimLink, now: number): LinkState {
  return {
    station: id,
    link: l.name,
    interface: l.role === "primary" ? "eth0" : "wwan0",
    role: l.role,
    state: l.state,
    since: l.since,
    active: l.active,
    time: iso(now),
  };
}

export function deviceState(id: string, d: SimDevice, now: number): DeviceState {
  return {
    station: id,
    device: d.id,
    kind: d.kind,
    driver: `sim-${d.kind}`,
    health: d.health,
    since: d.since,
    time: iso(now),
    ...(d.reason ? { reason: d.reason } : {}),
  };
}

export function powerState(id: string, onBattery: boolean, since: string, now: number): PowerState {
  return {
    station: id,
    time: iso(now),
    source: onBattery ? "battery" : "mains",
    mainsPresent: !onBattery,
    batteryPct: onBattery ? 62 : 100,
    runtimeS: onBattery ? 1500 : 3600,
    state: onBattery ? "on-battery" : "online",
    since,
  };
}

export function metrics(
  id: string,
  seq: number,
  at: number,
  startedAt: number,
  links: SimLink[],
  historical = false,
): MetricsPayload {
  const up = Math.max(0, (at - startedAt) / 1000);
  return {
    station: id,
    seq,
    time: iso(at),
    clockSynced: true,
    ...(historical ? { historical: true as const } : {}),
    host: {
      uptimeS: up + 3600,
      load1: 0.3,
      load5: 0.25,
      load15: 0.2,
      memTotalBytes: 8e9,
      memAvailableBytes: 5e9,
    },
    disk: { path: "/var/lib/station-agent", freeBytes: 2e10, totalBytes: 5e10 },
    agent: { rssBytes: 6e7, cpuPct: 1.5, uptimeS: up },
    outbox: { depth: 0, bytes: 0, oldestAgeS: null },
    dropped: { metrics: 0, events: 0 },
    links: Object.fromEntries(
      links.map((l) => [
        l.name,
        {
          state: l.state,
          active: l.active,
          lossPct: l.state === "up" ? 0 : 100,
          rttMedianMs: l.state === "up" ? 12 : null,
        },
      ]),
    ),
  };
}

export function event(
  id: string,
  seq: number,
  at: number,
  type: string,
  data: Record<string, unknown>,
  historical = false,
): EventPayload {
  return {
    station: id,
    seq,
    time: iso(at),
    clockSynced: true,
    ...(historical ? { historical: true as const } : {}),
    type,
    data,
  };
}

export function outage(start: number, end: number, cause: Outage["cause"], link?: string): Outage {
  return {
    start: iso(start),
    end: iso(end),
    durationS: Math.round((end - start) / 1000),
    cause,
    ...(link ? { link } : {}),
    evidence: { simulated: true },
  };
}
