import { z } from "zod";
import { TOPIC_LEVEL } from "./topics.js";

export const StationId = z
  .string()
  .regex(TOPIC_LEVEL, "must be 1-64 of A-Z a-z 0-9 _ . - and start alphanumeric");
export const Rfc3339 = z.iso.datetime({ offset: true });

/**
 * Fields every durable message (event, metrics) carries. `seq` is per station, +1 per durable message
 * across all durable topics, and survives restarts: a NOC that sees 41 then 43 knows 42 is missing.
 */
export const DurableEnvelope = z.object({
  station: StationId,
  seq: z.number().int().positive(),
  /** When it was observed (not when it was sent). */
  time: Rfc3339,
  /** False when the system clock was not NTP-synchronised at `time`; the time may then be wrong. */
  clockSynced: z.boolean(),
  /** Present and true when sent after its moment, e.g. replayed from the outbox after an outage. */
  historical: z.literal(true).optional(),
});
export type DurableEnvelope = z.infer<typeof DurableEnvelope>;
