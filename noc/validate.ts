import {
  checkEventData,
  DeviceState,
  type EventDataCheck,
  EventPayload,
  LinkState,
  MetricsPayload,
  parseTopic,
  PowerState,
  StatePayload,
  UptimePayload,
} from "../contract/index.js";
import type { z } from "zod";

export type StationMessage =
  | { kind: "state"; station: string; payload: z.infer<typeof StatePayload> }
  | { kind: "link"; station: string; name: string; payload: z.infer<typeof LinkState> }
  | { kind: "device"; station: string; name: string; payload: z.infer<typeof DeviceState> }
  | { kind: "power"; station: string; payload: z.infer<typeof PowerState> }
  | { kind: "uptime"; station: string; payload: z.infer<typeof UptimePayload> }
  /** `checked` says whether `data` matches its type's schema; a mismatch is stored and counted, not acted on. */
  | { kind: "event"; station: string; payload: z.infer<typeof EventPayload>; checked: EventDataCheck }
  | { kind: "metrics"; station: string; payload: z.infer<typeof MetricsPayload> };

export type Validated =
  | { ok: true; message: StationMessage }
  /** Not station data: command requests (ours or another NOC's), replies, or a cleared retained topic. */
  | { ok: true; message?: undefined; other: "cmd" | "reply" | "cleared"; station: string; name?: string }
  | { ok: false; reason: string; detail: string; station?: string };

const SCHEMAS = {
  state: StatePayload,
  link: LinkState,
  device: DeviceState,
  power: PowerState,
  uptime: UptimePayload,
  event: EventPayload,
  metrics: MetricsPayload,
} as const;

/**
 * The largest station message read: a metrics sample or birth is a few KB. The broker refuses bigger
 * packets too (max_packet_size); this holds when it is not configured so.
 */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

/** Checks a message against the contract: topic shape, JSON, schema, and that the payload names the
 * station (and link/device) of its topic. `reason` is a short stable key for counting. */
export function validateMessage(root: string, topic: string, payload: Buffer): Validated {
  const t = parseTopic(root, topic);
  if (!t) return { ok: false, reason: "topic", detail: `not a contract topic: ${topic.slice(0, 200)}` };
  if (t.kind === "cmd") return { ok: true, other: t.kind, station: t.station, name: t.name };
  if (payload.length > MAX_PAYLOAD_BYTES) {
    const detail = `${payload.length} bytes, more than ${MAX_PAYLOAD_BYTES}`;
    return { ok: false, reason: "too-large", detail, station: t.station };
  }
  if (t.kind === "reply") return { ok: true, other: t.kind, station: t.station, name: t.name };
  if (payload.length === 0) return { ok: true, other: "cleared", station: t.station };
  let body: unknown;
  try {
    body = JSON.parse(payload.toString("utf8"));
  } catch {
    return { ok: false, reason: "json", detail: "payload is not JSON", station: t.station };
  }
  const r = SCHEMAS[t.kind].safeParse(body);
  if (!r.success) {
    const i = r.error.issues[0];
    const detail = i ? `${i.path.join(".") || "(root)"}: ${i.message}` : "invalid";
    return { ok: false, reason: `schema:${t.kind}`, detail, station: t.station };
  }
  const data = r.data as { station?: string; link?: string; device?: string };
  if (data.station !== undefined && data.station !== t.station) {
    return {
      ok: false,
      reason: "station-mismatch",
      detail: `payload station ${data.station} on ${topic}`,
      station: t.station,
    };
  }
  if (t.kind === "link" && data.link !== t.name) {
    return {
      ok: false,
      reason: "name-mismatch",
      detail: `payload link ${data.link} on ${topic}`,
      station: t.station,
    };
  }
  if (t.kind === "device" && data.device !== t.name) {
    return {
      ok: false,
      reason: "name-mismatch",
      detail: `payload device ${data.device} on ${topic}`,
      station: t.station,
    };
  }
  const message = {
    kind: t.kind,
    station: t.station,
    payload: r.data,
    ...("name" in t ? { name: t.name } : {}),
    ...(t.kind === "event" ? { checked: checkEventData(r.data as EventPayload) } : {}),
  };
  return { ok: true, message: message as StationMessage };
}
