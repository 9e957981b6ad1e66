import { z } from "zod";
import { Rfc3339, MAX_NAME_LEN, StationId, MAX_TEXT_LEN } from "./envelope.js";

export const LinkHealth = z.enum(["up", "degraded", "down", "unknown"]);
export type LinkHealth = z.infer<typeof LinkHealth>;

export const LinkFigures = z.object({
  sent: z.number().int().nonnegative(),
  received: z.number().int().nonnegative(),
  lossPct: z.number().min(0).max(100),
  rttMinMs: z.number().nonnegative().nullable(),
  rttMedianMs: z.number().nonnegative().nullable(),
  rttMeanMs: z.number().nonnegative().nullable(),
  rttMaxMs: z.number().nonnegative().nullable(),
  jitterMs: z.number().nonnegative().nullable(),
});
export type LinkFigures = z.infer<typeof LinkFigures>;

/** Retained on `<root>/<station>/link/<name>`, published when the state changes. */
export const LinkState = z.object({
  station: StationId,
  link: z.string().max(MAX_NAME_LEN),
  interface: z.string().max(MAX_NAME_LEN),
  role: z.enum(["primary", "backup"]),
  state: LinkHealth,
  since: Rfc3339,
  active: z.boolean(),
  time: Rfc3339,
  figures: LinkFigures.optional(),
  interfaceState: z
    .object({
      operstate: z.string().max(MAX_NAME_LEN),
      carrier: z.boolean().nullable(),
      addresses: z.array(z.string().max(MAX_NAME_LEN)).max(64),
    })
    .optional(),
  reason: z.string().max(MAX_TEXT_LEN).optional(),
});
export type LinkState = z.infer<typeof LinkState>;

/** The compact per-link summary inside each metrics sample. */
export const LinkSummary = z.object({
  state: LinkHealth,
  active: z.boolean(),
  lossPct: z.number().min(0).max(100).nullable(),
  rttMedianMs: z.number().nonnegative().nullable(),
  rxBytes: z.number().nonnegative().optional(),
  txBytes: z.number().nonnegative().optional(),
  /** Interface receive/transmit errors since the previous sample (a bad cable or modem shows here). */
  rxErrors: z.number().nonnegative().optional(),
  txErrors: z.number().nonnegative().optional(),
});
