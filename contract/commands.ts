import { z } from "zod";
import { Rfc3339 } from "./envelope.js";

/**
 * NOC -> station commands on `<root>/<station>/cmd/<name>`. Only these names exist. Replies go to the
 * MQTT 5 response topic with the request's correlation data (or, on 3.1.1, to `<root>/<station>/reply/<name>`
 * with `id` echoed). `id` doubles as the replay guard: the agent refuses an id it has seen or an old `issuedAt`.
 */
const Base = z.object({
  id: z.string().min(8).max(128),
  issuedAt: Rfc3339,
  /** Base64 Ed25519 signature over the canonical request (see docs/mqtt.md) when the station requires it. */
  sig: z.string().optional(),
});

export const RebirthCommand = Base.extend({ args: z.object({}).strict().default({}) });
export const ResendCommand = Base.extend({
  args: z
    .object({ fromSeq: z.number().int().positive(), toSeq: z.number().int().positive() })
    .strict()
    .refine((a) => a.toSeq >= a.fromSeq, "toSeq must be >= fromSeq")
    .refine((a) => a.toSeq - a.fromSeq < 100_000, "at most 100000 messages per resend"),
});
export const DiagnoseCommand = Base.extend({ args: z.object({}).strict().default({}) });

export const COMMAND_SCHEMAS = {
  rebirth: RebirthCommand,
  resend: ResendCommand,
  diagnose: DiagnoseCommand,
} as const;

export const CommandReply = z.object({
  id: z.string(),
  ok: z.boolean(),
  time: Rfc3339,
  error: z.string().optional(),
  result: z.unknown().optional(),
});
export type CommandReply = z.infer<typeof CommandReply>;
