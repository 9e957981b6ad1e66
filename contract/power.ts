import { z } from "zod";
import { MAX_TEXT_LEN, Rfc3339, StationId } from "./envelope.js";

/** Retained on `<root>/<station>/power`. */
export const PowerState = z.object({
  station: StationId.describe("station id; the same as the topic level"),
  time: Rfc3339.describe("when this state was built"),
  source: z.enum(["mains", "battery", "unknown"]).describe("what powers the PC now"),
  mainsPresent: z.boolean().nullable().describe("whether the UPS sees mains; null when it cannot be read"),
  batteryPct: z.number().min(0).max(100).nullable().meta({ description: "battery charge", unit: "%" }),
  runtimeS: z
    .number()
    .nonnegative()
    .nullable()
    .meta({ description: "runtime the UPS estimates on battery", unit: "s" }),
  state: z
    .enum(["online", "on-battery", "battery-low", "shutdown-imminent", "unavailable"])
    .describe("online (on mains); on-battery; battery-low; shutdown-imminent; unavailable (no UPS readable)"),
  since: Rfc3339.describe("when it entered this state"),
  reason: z.string().max(MAX_TEXT_LEN).optional().describe("why the UPS is unavailable, in words"),
});
export type PowerState = z.infer<typeof PowerState>;
