import { z } from "zod";
import {
  DurableEnvelope,
  MAX_DEVICES,
  MAX_LINKS,
  MAX_NAME_LEN,
  MAX_TEXT_LEN,
  Rfc3339,
  StationId,
} from "./envelope.js";
import { InventoryEntry } from "./device.js";
import { LinkHealth, LinkSummary } from "./link.js";

/** Retained on `<root>/<station>/state`: the birth on every connect, and the Last Will / clean shutdown. */
export const StateOnline = z.object({
  online: z.literal(true).describe("the birth: the agent is connected"),
  station: StationId.describe("station id; the same as the topic level"),
  name: z.string().max(200).optional().describe("station name from the configuration"),
  district: z.string().max(100).optional().describe("district from the configuration"),
  bootId: z.string().max(MAX_NAME_LEN).describe("kernel boot id; a new one means the PC rebooted"),
  bootTime: Rfc3339.describe("when the PC booted"),
  agentVersion: z.string().max(MAX_NAME_LEN).describe("station-agent version"),
  configHash: z
    .string()
    .max(MAX_NAME_LEN)
    .describe("hash of the configuration file; changes when someone edits it"),
  startedAt: Rfc3339.describe("when the agent process started"),
  time: Rfc3339.describe("when this birth was built"),
  clockSynced: z.boolean().describe("whether the PC clock is NTP-synchronised"),
  links: z
    .array(
      z.object({
        name: z.string().max(MAX_NAME_LEN).describe("configured link name"),
        role: z.enum(["primary", "backup"]).describe("configured role"),
        state: LinkHealth.describe("current health"),
      }),
    )
    .max(MAX_LINKS)
    .describe("every configured network link"),
  devices: z.array(InventoryEntry).max(MAX_DEVICES).describe("every configured device"),
});
export const StateOffline = z.object({
  online: z.literal(false).describe("the agent is not connected"),
  cause: z
    .enum(["connection-lost", "shutdown"])
    .describe("connection-lost: the broker published the Last Will; shutdown: the agent stopped cleanly"),
  station: StationId.optional().describe("station id (absent in the Last Will of old agents)"),
  time: Rfc3339.optional().describe("when the agent stopped (absent in the Last Will)"),
});
export type StateOnline = z.infer<typeof StateOnline>;
export type StateOffline = z.infer<typeof StateOffline>;
export const StatePayload = z.discriminatedUnion("online", [StateOnline, StateOffline]);
export type StatePayload = z.infer<typeof StatePayload>;

export const OutageCause = z.enum(["power", "agent", "network"]);
export type OutageCause = z.infer<typeof OutageCause>;

/** One dark interval, classified after the fact. */
export const Outage = z.object({
  start: Rfc3339.describe("last moment the station is known to have been reporting"),
  end: Rfc3339.describe("when it reported again"),
  durationS: z.number().nonnegative().meta({ description: "end - start", unit: "s" }),
  cause: OutageCause.describe(
    "power: the PC rebooted; agent: same boot, the agent was not running; network: the agent ran but could not reach the broker",
  ),
  link: z
    .string()
    .max(MAX_NAME_LEN)
    .optional()
    .describe("for network: the link that failed, when the link monitor knows it"),
  evidence: z
    .record(z.string(), z.unknown())
    .describe("what the classification rests on: boot ids, last heartbeat, power state, link reasons"),
});
export type Outage = z.infer<typeof Outage>;

const n = (description: string, unit?: string) =>
  z
    .number()
    .nonnegative()
    .meta(unit ? { description, unit } : { description });
const count = (description: string) => z.number().int().nonnegative().meta({ description, unit: "count" });

export const MetricsPayload = DurableEnvelope.extend({
  host: z
    .object({
      uptimeS: n("time since the PC booted", "s"),
      load1: n("load average over 1 minute"),
      load5: n("load average over 5 minutes"),
      load15: n("load average over 15 minutes"),
      memTotalBytes: n("installed memory", "B"),
      memAvailableBytes: n("memory available to programs", "B"),
    })
    .describe("the station PC"),
  disk: z
    .object({
      path: z.string().max(MAX_TEXT_LEN).describe("the agent's state directory"),
      freeBytes: n("free space on its file system", "B"),
      totalBytes: n("size of that file system", "B"),
    })
    .describe("the disk that holds the agent's state (outbox, ledger)"),
  agent: z
    .object({
      rssBytes: n("the agent's resident memory", "B"),
      cpuPct: n("the agent's CPU use since the previous sample (100 = one core)", "%"),
      uptimeS: n("time since the agent started", "s"),
    })
    .describe("the agent process"),
  outbox: z
    .object({
      depth: count("messages stored and not yet acknowledged by the broker"),
      bytes: z.number().int().nonnegative().meta({ description: "their size", unit: "B" }),
      oldestAgeS: n("age of the oldest of them; null when empty", "s").nullable(),
    })
    .describe("messages stored on the station and not yet acknowledged: the backlog after an outage"),
  dropped: z
    .object({
      metrics: count("metrics samples thinned out because the outbox was full"),
      events: count("events dropped because the outbox was full"),
    })
    .describe("since the outbox was created; events are dropped only after all old metrics"),
  links: z
    .record(z.string(), LinkSummary)
    .optional()
    .describe("per configured link name; absent when no links are configured"),
  bookings: z
    .object({
      spoolDepth: count("sealed arrest bookings not yet received by the bureau"),
      spoolBytes: z.number().int().nonnegative().meta({ description: "their size", unit: "B" }),
      oldestUnsentAgeS: n("age of the oldest of them; null when none waits", "s").nullable(),
      openSessions: count("bookings started and not yet sealed"),
    })
    .optional()
    .describe("arrest bookings (agent/booking); absent on stations that take none"),
});
export type MetricsPayload = z.infer<typeof MetricsPayload>;
/** A metrics sample as the agent measures it; the reporter adds the durable envelope. */
export type MetricsSample = Omit<MetricsPayload, keyof DurableEnvelope>;

const pct = (description: string) =>
  z
    .number()
    .min(0)
    .max(100)
    .nullable()
    .meta({ description: `${description}; null when nothing is covered`, unit: "%" });

export const AvailabilityWindow = z.object({
  coveredS: n("how much of the window the ledger covers (the agent may be newer than the window)", "s"),
  poweredPct: pct("share of the covered time the PC was on"),
  agentPct: pct("share of the covered time the agent was running"),
  nocPct: pct("share of the covered time the agent was connected to the broker"),
  outageS: z
    .object({
      power: z.number().meta({ description: "time dark because the PC was off", unit: "s" }),
      agent: z.number().meta({ description: "time dark because the agent was not running", unit: "s" }),
      network: z.number().meta({ description: "time dark because the broker was unreachable", unit: "s" }),
    })
    .describe("outage time by cause"),
  onBatteryS: n("time on UPS battery (only with a UPS)", "s").optional(),
  onBackupS: n("time the data centre traffic went over a backup link", "s").optional(),
  links: z
    .record(z.string(), z.object({ upPct: pct("share of the covered time the link was up") }))
    .optional()
    .describe("per configured link name"),
});
export type AvailabilityWindow = z.infer<typeof AvailabilityWindow>;

/** Retained on `<root>/<station>/uptime`. */
export const UptimePayload = z.object({
  station: StationId.describe("station id; the same as the topic level"),
  time: Rfc3339.describe("when the figures were computed"),
  clockSynced: z.boolean().describe("whether the PC clock is NTP-synchronised"),
  windows: z
    .object({
      "24h": AvailabilityWindow.describe("the last 24 hours"),
      "7d": AvailabilityWindow.describe("the last 7 days (fields as in 24h)"),
      "30d": AvailabilityWindow.describe("the last 30 days (fields as in 24h)"),
    })
    .describe("the last 24 hours, 7 days and 30 days up to `time`"),
});
export type UptimePayload = z.infer<typeof UptimePayload>;
