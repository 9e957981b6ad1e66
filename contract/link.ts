import { z } from "zod";
import { MAX_NAME_LEN, MAX_TEXT_LEN, Rfc3339, StationId } from "./envelope.js";

export const LinkHealth = z.enum(["up", "degraded", "down", "unknown"]);
export type LinkHealth = z.infer<typeof LinkHealth>;

const ms = (description: string) =>
  z
    .number()
    .nonnegative()
    .nullable()
    .meta({ description: `${description}; null with no replies`, unit: "ms" });

/** Probe figures over the link's sliding window (`links[].windowMs`, default 60 s). */
export const LinkFigures = z.object({
  sent: z.number().int().nonnegative().meta({ description: "probes sent in the window", unit: "count" }),
  received: z.number().int().nonnegative().meta({ description: "replies received", unit: "count" }),
  lossPct: z.number().min(0).max(100).meta({ description: "probes without a reply", unit: "%" }),
  rttMinMs: ms("shortest round trip"),
  rttMedianMs: ms("median round trip"),
  rttMeanMs: ms("mean round trip"),
  rttMaxMs: ms("longest round trip"),
  jitterMs: ms("mean difference between consecutive round trips"),
});
export type LinkFigures = z.infer<typeof LinkFigures>;

/** Retained on `<root>/<station>/link/<name>`, published when the state changes. */
export const LinkState = z.object({
  station: StationId.describe("station id; the same as the topic level"),
  link: z.string().max(MAX_NAME_LEN).describe("configured link name; the same as the topic level"),
  interface: z.string().max(MAX_NAME_LEN).describe("network interface, e.g. eth0 or wwan0"),
  role: z.enum(["primary", "backup"]).describe("configured role"),
  state: LinkHealth.describe(
    "up, degraded (loss or delay over the thresholds), down, or unknown (not probed yet)",
  ),
  since: Rfc3339.describe("when it entered this state"),
  active: z.boolean().describe("whether the data centre traffic goes through this link now"),
  time: Rfc3339.describe("when this state was built"),
  figures: LinkFigures.optional().describe("probe figures over the sliding window"),
  interfaceState: z
    .object({
      operstate: z.string().max(MAX_NAME_LEN).describe("kernel operstate: up, down, dormant, ..."),
      carrier: z.boolean().nullable().describe("cable or radio carrier; null when the kernel does not say"),
      addresses: z.array(z.string().max(MAX_NAME_LEN)).max(64).describe("IP addresses on the interface"),
    })
    .optional()
    .describe("what the kernel says about the interface"),
  reason: z.string().max(MAX_TEXT_LEN).optional().describe("why it is not up, in words"),
});
export type LinkState = z.infer<typeof LinkState>;

/** The compact per-link summary inside each metrics sample. */
export const LinkSummary = z.object({
  state: LinkHealth.describe("the link's health"),
  active: z.boolean().describe("whether the data centre traffic goes through it"),
  lossPct: z
    .number()
    .min(0)
    .max(100)
    .nullable()
    .meta({ description: "probe loss; null before the first probe", unit: "%" }),
  rttMedianMs: ms("median round trip"),
  rxBytes: z
    .number()
    .nonnegative()
    .optional()
    .meta({ description: "bytes received since the previous sample", unit: "B" }),
  txBytes: z
    .number()
    .nonnegative()
    .optional()
    .meta({ description: "bytes sent since the previous sample", unit: "B" }),
  rxErrors: z.number().nonnegative().optional().meta({
    description: "interface receive errors since the previous sample (bad cable or modem)",
    unit: "count",
  }),
  txErrors: z
    .number()
    .nonnegative()
    .optional()
    .meta({ description: "interface transmit errors since the previous sample", unit: "count" }),
});
