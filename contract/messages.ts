import { z } from "zod";
import { DurableEnvelope, Rfc3339, StationId } from "./envelope.js";
import { InventoryEntry } from "./device.js";
import { LinkHealth, LinkSummary } from "./link.js";

/** Retained on `<root>/<station>/state`: the birth on every connect, and the Last Will / clean shutdown. */
export const StateOnline = z.object({
  online: z.literal(true),
  station: StationId,
  name: z.string().optional(),
  district: z.string().optional(),
  bootId: z.string(),
  bootTime: Rfc3339,
  agentVersion: z.string(),
  configHash: z.string(),
  startedAt: Rfc3339,
  time: Rfc3339,
  clockSynced: z.boolean(),
  links: z.array(z.object({ name: z.string(), role: z.enum(["primary", "backup"]), state: LinkHealth })),
  devices: z.array(InventoryEntry),
});
export const StateOffline = z.object({
  online: z.literal(false),
  cause: z.enum(["connection-lost", "shutdown"]),
  station: StationId.optional(),
  time: Rfc3339.optional(),
});
export type StateOnline = z.infer<typeof StateOnline>;
export type StateOffline = z.infer<typeof StateOffline>;
export const StatePayload = z.discriminatedUnion("online", [StateOnline, StateOffline]);
export type StatePayload = z.infer<typeof StatePayload>;

export const OutageCause = z.enum(["power", "agent", "network"]);
export type OutageCause = z.infer<typeof OutageCause>;

/** One dark interval, classified after the fact. */
export const Outage = z.object({
  start: Rfc3339,
  end: Rfc3339,
  durationS: z.number().nonnegative(),
  cause: OutageCause,
  /** For `network`: the link that failed, when the link monitor knows it. */
  link: z.string().optional(),
  evidence: z.record(z.string(), z.unknown()),
});
export type Outage = z.infer<typeof Outage>;

export const MetricsPayload = DurableEnvelope.extend({
  host: z.object({
    uptimeS: z.number().nonnegative(),
    load1: z.number().nonnegative(),
    load5: z.number().nonnegative(),
    load15: z.number().nonnegative(),
    memTotalBytes: z.number().nonnegative(),
    memAvailableBytes: z.number().nonnegative(),
  }),
  disk: z.object({
    path: z.string(),
    freeBytes: z.number().nonnegative(),
    totalBytes: z.number().nonnegative(),
  }),
  agent: z.object({
    rssBytes: z.number().nonnegative(),
    cpuPct: z.number().nonnegative(),
    uptimeS: z.number().nonnegative(),
  }),
  outbox: z.object({
    depth: z.number().int().nonnegative(),
    bytes: z.number().int().nonnegative(),
    oldestAgeS: z.number().nonnegative().nullable(),
  }),
  dropped: z.object({ metrics: z.number().int().nonnegative(), events: z.number().int().nonnegative() }),
  links: z.record(z.string(), LinkSummary).optional(),
});
export type MetricsPayload = z.infer<typeof MetricsPayload>;
/** A metrics sample as the agent measures it; the reporter adds the durable envelope. */
export type MetricsSample = Omit<MetricsPayload, keyof DurableEnvelope>;

export const AvailabilityWindow = z.object({
  /** How much of the window the ledger covers (the agent may be newer than the window). */
  coveredS: z.number().nonnegative(),
  poweredPct: z.number().min(0).max(100).nullable(),
  agentPct: z.number().min(0).max(100).nullable(),
  nocPct: z.number().min(0).max(100).nullable(),
  outageS: z.object({ power: z.number(), agent: z.number(), network: z.number() }),
  onBatteryS: z.number().nonnegative().optional(),
  onBackupS: z.number().nonnegative().optional(),
  links: z.record(z.string(), z.object({ upPct: z.number().min(0).max(100).nullable() })).optional(),
});
export type AvailabilityWindow = z.infer<typeof AvailabilityWindow>;

/** Retained on `<root>/<station>/uptime`. */
export const UptimePayload = z.object({
  station: StationId,
  time: Rfc3339,
  clockSynced: z.boolean(),
  windows: z.object({ "24h": AvailabilityWindow, "7d": AvailabilityWindow, "30d": AvailabilityWindow }),
});
export type UptimePayload = z.infer<typeof UptimePayload>;
