import { z } from "zod";
import { TOPIC_LEVEL } from "./topics.js";

export const StationId = z
  .string()
  .regex(TOPIC_LEVEL, "must be 1-64 of A-Z a-z 0-9 _ . - and start alphanumeric");
export const Rfc3339 = z.iso.datetime({ offset: true });

/*
 * Bounds on what a station may send, matching the agent's own config schema (station name 200,
 * district 100, link and device names 32) with room to spare. A NOC must not hold a 150 MB "name".
 */
/** Links and devices one station may report (births, retained link/device topics). */
export const MAX_LINKS = 16;
export const MAX_DEVICES = 32;
/** Names, ids, versions, drivers: one short token. */
export const MAX_NAME_LEN = 128;
/** Free-text reasons, errors and identity strings. */
export const MAX_TEXT_LEN = 1000;

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
