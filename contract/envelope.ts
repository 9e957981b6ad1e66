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
  station: StationId.describe("station id; the same as the topic level"),
  seq: z
    .number()
    .int()
    .positive()
    .describe("per station, +1 per durable message on any durable topic; survives restarts"),
  time: Rfc3339.describe("when it was observed (not when it was sent)"),
  clockSynced: z
    .boolean()
    .describe("false when the PC clock was not NTP-synchronised at `time`; the time may then be wrong"),
  historical: z
    .literal(true)
    .optional()
    .describe("present when sent after its moment: replayed after an outage, or more than 10 s late"),
});
export type DurableEnvelope = z.infer<typeof DurableEnvelope>;
