import { z } from "zod";
import { DeviceHealth, DeviceKind } from "./device.js";
import { DurableEnvelope, MAX_NAME_LEN, MAX_TEXT_LEN, Rfc3339 } from "./envelope.js";
import { LinkHealth } from "./link.js";
import { AvailabilityWindow, Outage } from "./messages.js";

/**
 * The data of every event the agent sends on `<root>/<station>/event`, one schema per type. The agent's
 * `EventSink.event(type, data)` is typed from EVENT_DATA, so a misspelt type or a wrong field is a compile
 * error where the event is raised; the NOC checks each event's data against the same schema.
 */

const iso = (description: string) => Rfc3339.meta({ description });
const text = (description: string) => z.string().max(MAX_TEXT_LEN).meta({ description });
const Role = z.enum(["primary", "backup"]).meta({ description: "the link's configured role" });
/** What the link prober saw when it decided: interface state, addresses, recent probe results. */
const Evidence = z
  .record(z.string(), z.unknown())
  .meta({ description: "what the agent saw when it decided (interface, carrier, probe results)" });

const AgentStarted = z.object({
  version: text("agent version"),
  bootId: text("kernel boot id (a new one means the PC rebooted)"),
  bootTime: iso("when the PC booted"),
  configHash: text("hash of the station's configuration file"),
  host: text("host name of the station PC"),
});

const AgentStopped = z.object({
  cause: text('why the agent stopped: "shutdown" (service stop), "SIGTERM" or "SIGINT"'),
});

const StorageCorrupt = z.object({
  store: z.enum(["outbox", "ledger"]).meta({ description: "which local database was unreadable" }),
  movedTo: text("where the unreadable file was moved"),
  error: text("the SQLite error that showed the damage"),
});

const UptimeDaily = AvailabilityWindow.extend({
  date: text("the local calendar day summed up, YYYY-MM-DD"),
  timezone: text("IANA time zone of that day, e.g. Asia/Kolkata"),
});

const LinkTransitionBase = z.object({
  link: text("configured link name"),
  interface: text("network interface, e.g. eth0"),
  role: Role,
  from: LinkHealth.meta({ description: "the state the link left" }),
  reason: text("why, in words (e.g. no reply from 3 of 3 data centre targets)"),
  evidence: Evidence,
});

const LinkFailed = LinkTransitionBase.extend({
  firstFailAt: iso("send time of the first failing probe behind this change"),
});

const LinkUp = LinkTransitionBase.extend({
  firstFailAt: iso("send time of the first failing probe of the trouble now over").optional(),
  previous: z
    .object({
      state: LinkHealth.meta({ description: "the state left" }),
      reason: text("why it had been in that state").optional(),
      since: iso("when it entered that state"),
      durationS: z.number().nonnegative().meta({ description: "seconds spent in that state", unit: "s" }),
    })
    .optional()
    .meta({ description: "the state recovered from: since when, why, and for how long" }),
});

const Failover = z.object({
  from: text("link that carried the data centre traffic"),
  to: text("link that carries it now"),
  fromRole: Role,
  toRole: Role,
  fromInterface: text("the old link's interface"),
  toInterface: text("the new link's interface"),
  failback: z.literal(true).optional().meta({ description: "present when traffic returns to a primary" }),
  reason: text("why the old link failed, when it went down").optional(),
  firstFailAt: iso("first failing probe on the old link").optional(),
  evidence: Evidence,
});

const DeviceTransition = z.object({
  device: text("configured device id"),
  kind: DeviceKind.meta({
    description: "always fingerprint today (printers and the UPS have their own events)",
  }),
  driver: text("driver name from the configuration"),
  previous: DeviceHealth.optional().meta({ description: "health before the change" }),
  reason: text("why, in words").optional(),
});

const DeviceHotplug = z.object({
  device: z
    .string()
    .max(MAX_NAME_LEN)
    .nullable()
    .meta({ description: "configured device id it matches, or null" }),
  configured: z.boolean().meta({ description: "whether a configured device claims it" }),
  kind: z.enum(["serial", "hid", "printer"]).meta({ description: "kind of device node" }),
  path: text("device node, e.g. /dev/ttyUSB0"),
  vendorId: text("USB vendor id, 4 hex digits").optional(),
  productId: text("USB product id, 4 hex digits").optional(),
  serialNumber: text("USB serial number").optional(),
  product: text("USB product string").optional(),
});

const FingerprintCapture = z.object({
  device: text("configured device id"),
  finger: text("finger name, e.g. right-thumb"),
  quality: z.number().meta({ description: "image quality score, 0-100", unit: "score" }),
  durationMs: z.number().nonnegative().meta({ description: "capture time", unit: "ms" }),
});

const FingerprintCaptureFailed = z.object({
  device: text("configured device id"),
  finger: text("finger name, e.g. right-thumb"),
  error: text("stable error code, e.g. no-finger, timeout, no-device, garbled"),
  durationMs: z.number().nonnegative().meta({ description: "time until the failure", unit: "ms" }),
});

const PrintFailed = z.object({
  device: text("configured printer id"),
  template: text("slip template name"),
  reason: text("stable failure code, e.g. paper-out, no-response"),
  detail: text("what happened, in words"),
  bytesSent: z
    .number()
    .int()
    .nonnegative()
    .meta({ description: "bytes written before it failed", unit: "B" }),
});

const PrinterFault = z.object({
  device: text("configured printer id"),
  reason: text("fault code, e.g. paper-out, cover-open, no-response, not-connected").optional(),
  detail: text("what the printer reported, in words").optional(),
});

const PrinterRecovered = z.object({
  device: text("configured printer id"),
  after: text("the fault it recovered from").optional(),
});

const PrinterNearEnd = z.object({ device: text("configured printer id") });

const PowerChange = z.object({
  batteryPct: z.number().min(0).max(100).nullable().meta({ description: "battery charge", unit: "%" }),
  runtimeS: z
    .number()
    .nonnegative()
    .nullable()
    .meta({ description: "runtime the UPS estimates on battery", unit: "s" }),
});

const MainsRestored = PowerChange.extend({
  onBatteryS: z.number().nonnegative().meta({ description: "time spent on battery", unit: "s" }),
});

/** Arrest bookings (agent/booking): ids, counts, quality and times only; never a name or an image. */
const BookingId = text("booking id, bk- and 20 hex digits");
const BookingPlan = z.enum(["tenprint-flat", "tenprint-rolled", "slaps"]);
const Tcn = text("ANSI/NIST-ITL transaction control number (1.009)");

const BookingStarted = z.object({
  booking: BookingId,
  plan: BookingPlan,
  positions: z.number().int().positive().meta({ description: "positions the plan takes" }),
});

const BookingSealed = z.object({
  booking: BookingId,
  tcn: Tcn,
  plan: BookingPlan,
  impressions: z.number().int().nonnegative().meta({ description: "images in the record" }),
  annotated: z
    .number()
    .int()
    .nonnegative()
    .meta({ description: "fingers marked amputated or unable to print" }),
  flagged: z.number().int().nonnegative().meta({ description: "kept after the retake limit, below quality" }),
  quality: z
    .object({ min: z.number(), mean: z.number(), max: z.number() })
    .nullable()
    .meta({ description: "spread of the kept images' quality scores (0-100)" }),
  durationS: z.number().nonnegative().meta({ description: "from start to seal", unit: "s" }),
  bytes: z.number().int().nonnegative().meta({ description: "size of the encrypted record", unit: "B" }),
  sealMs: z.number().nonnegative().meta({ description: "time to build and encrypt the record", unit: "ms" }),
});

const BookingForwarded = z.object({
  booking: BookingId,
  tcn: Tcn,
  bytes: z.number().int().nonnegative().meta({ unit: "B" }),
  by: z.enum(["bureau", "cctns-client"]).optional().meta({ description: "who gave the receipt" }),
  attempts: z.number().int().positive().optional(),
  status: z.number().int().optional().meta({ description: "the bureau's HTTP status" }),
  waitS: z.number().nonnegative().meta({ description: "from seal to receipt", unit: "s" }),
  uploadMs: z.number().nonnegative().optional().meta({ unit: "ms" }),
});

const BookingFailed = z.object({
  booking: BookingId,
  tcn: Tcn.optional(),
  stage: z.enum(["seal", "spool", "forward"]).meta({ description: "what failed" }),
  attempts: z.number().int().positive().optional(),
  error: text("error code or message (no personal data)"),
});

const BookingAbandoned = z.object({ booking: BookingId, plan: BookingPlan });

/** Every event type and the schema of its `data`. The order is the order of docs/mqtt.md. */
export const EVENT_DATA = {
  "agent.started": AgentStarted,
  "agent.stopped": AgentStopped,
  "storage.corrupt": StorageCorrupt,
  outage: Outage,
  "uptime.daily": UptimeDaily,
  "link.down": LinkFailed,
  "link.degraded": LinkFailed,
  "link.up": LinkUp,
  failover: Failover,
  "device.ready": DeviceTransition,
  "device.busy": DeviceTransition,
  "device.faulted": DeviceTransition,
  "device.absent": DeviceTransition,
  "device.unavailable": DeviceTransition,
  "device.attached": DeviceHotplug,
  "device.detached": DeviceHotplug,
  "fingerprint.capture": FingerprintCapture,
  "fingerprint.capture-failed": FingerprintCaptureFailed,
  "print.failed": PrintFailed,
  "printer.paper-out": PrinterFault,
  "printer.cover-open": PrinterFault,
  "printer.faulted": PrinterFault,
  "printer.recovered": PrinterRecovered,
  "printer.paper-near-end": PrinterNearEnd,
  "power.mains-lost": PowerChange,
  "power.battery-low": PowerChange,
  "power.shutdown-imminent": PowerChange,
  "power.mains-restored": MainsRestored,
  "booking.started": BookingStarted,
  "booking.sealed": BookingSealed,
  "booking.forwarded": BookingForwarded,
  "booking.failed": BookingFailed,
  "booking.abandoned": BookingAbandoned,
} as const satisfies Record<string, z.ZodType<Record<string, unknown>>>;

export type EventType = keyof typeof EVENT_DATA;
/** Event type -> the data the agent sends with it (the zod output type). */
export type EventData = { [K in EventType]: z.output<(typeof EVENT_DATA)[K]> };
export const EVENT_TYPES = Object.keys(EVENT_DATA) as EventType[];

/**
 * Event types are dotted lowercase names. The envelope accepts any such name, so that a NOC older than
 * the agent still stores a new type; `checkEventData` says whether the data matches its type's schema.
 */
export const EventTypeName = z
  .string()
  .max(MAX_NAME_LEN)
  .regex(/^[a-z]+(\.[a-z0-9-]+)*$/);

export const EventPayload = DurableEnvelope.extend({
  type: EventTypeName.describe("what happened: one of the event types below"),
  data: z.record(z.string(), z.unknown()).describe("the details; its fields depend on `type`"),
});
export type EventPayload = z.infer<typeof EventPayload>;

/** One event as the agent builds it: the envelope plus a type and data that belong together. */
export type TypedEvent = { [K in EventType]: DurableEnvelope & { type: K; data: EventData[K] } }[EventType];

export type EventDataCheck =
  { ok: true; event: TypedEvent } | { ok: false; reason: "unknown-type" | "data"; detail: string };

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(EVENT_DATA, type);
}

/** Checks an envelope-valid event's data against its type's schema. */
export function checkEventData(ev: EventPayload): EventDataCheck {
  if (!isEventType(ev.type)) return { ok: false, reason: "unknown-type", detail: `no schema for ${ev.type}` };
  const r = EVENT_DATA[ev.type].safeParse(ev.data);
  if (!r.success) {
    const i = r.error.issues[0];
    return { ok: false, reason: "data", detail: i ? `data.${i.path.join(".")}: ${i.message}` : "invalid" };
  }
  return { ok: true, event: { ...ev, data: r.data } as TypedEvent };
}
