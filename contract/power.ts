import { z } from "zod";
import { Rfc3339, StationId, MAX_TEXT_LEN } from "./envelope.js";

/** Retained on `<root>/<station>/power`. */
export const PowerState = z.object({
  station: StationId,
  time: Rfc3339,
  source: z.enum(["mains", "battery", "unknown"]),
  mainsPresent: z.boolean().nullable(),
  batteryPct: z.number().min(0).max(100).nullable(),
  runtimeS: z.number().nonnegative().nullable(),
  state: z.enum(["online", "on-battery", "battery-low", "shutdown-imminent", "unavailable"]),
  since: Rfc3339,
  reason: z.string().max(MAX_TEXT_LEN).optional(),
});
export type PowerState = z.infer<typeof PowerState>;
