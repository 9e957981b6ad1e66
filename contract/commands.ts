import { z } from "zod";
import { MAX_NAME_LEN, MAX_TEXT_LEN, Rfc3339 } from "./envelope.js";

/**
 * NOC -> station commands on `<root>/<station>/cmd/<name>`. Only these names exist. Replies go to the
 * MQTT 5 response topic with the request's correlation data (or, on 3.1.1, to `<root>/<station>/reply/<name>`
 * with `id` echoed). `id` doubles as the replay guard: the agent refuses an id it has seen or an old `issuedAt`.
 */
/**
 * Commands are strict: a field the agent does not know (a typo such as `arg`, or a newer NOC's option) is
 * refused with an error reply rather than silently ignored, because a command changes something.
 */
const Base = z.strictObject({
  id: z.string().min(8).max(128).describe("unique per command (a UUID); the agent refuses an id it has seen"),
  issuedAt: Rfc3339.describe("when the NOC issued it; the agent refuses old commands (commands.maxAgeS)"),
  sig: z
    .string()
    .max(MAX_NAME_LEN)
    .optional()
    .describe("base64 Ed25519 signature over the canonical command, when the station requires it"),
});

export const RebirthCommand = Base.extend({
  args: z.object({}).strict().default({}).describe("none: `{}` or absent"),
});
export const ResendCommand = Base.extend({
  args: z
    .object({
      fromSeq: z.number().int().positive().describe("first seq to send again"),
      toSeq: z.number().int().positive().describe("last seq to send again (inclusive)"),
    })
    .strict()
    .refine((a) => a.toSeq >= a.fromSeq, "toSeq must be >= fromSeq")
    .refine((a) => a.toSeq - a.fromSeq < 100_000, "at most 100000 messages per resend")
    .describe("the range to send again; toSeq >= fromSeq, fewer than 100,000 seqs"),
});
export const DiagnoseCommand = Base.extend({
  args: z.object({}).strict().default({}).describe("none: `{}` or absent"),
});

export const COMMAND_SCHEMAS = {
  rebirth: RebirthCommand,
  resend: ResendCommand,
  diagnose: DiagnoseCommand,
} as const;

export const CommandReply = z.object({
  id: z.string().max(MAX_NAME_LEN).describe("the command's id"),
  ok: z.boolean().describe("whether the command ran"),
  time: Rfc3339.describe("when the agent answered"),
  error: z.string().max(MAX_TEXT_LEN).optional().describe("why not, when ok is false"),
  result: z.unknown().optional().describe("the command's result when ok: see each command"),
});
export type CommandReply = z.infer<typeof CommandReply>;

/** An inclusive range of sequence numbers. */
export const SeqRange = z.object({
  fromSeq: z.number().int().positive().describe("first seq"),
  toSeq: z.number().int().positive().describe("last seq (inclusive)"),
});
export type SeqRange = z.infer<typeof SeqRange>;

/**
 * `result` of a successful `resend` reply. `gone` lists what the station no longer has (history window
 * expired or trimmed): the NOC marks those seqs as permanently lost. When the agent capped the range,
 * `nextFromSeq` says where the NOC should continue.
 */
export const ResendResult = z.object({
  republished: z.number().int().nonnegative().meta({ description: "messages sent again", unit: "count" }),
  gone: z.array(SeqRange).max(10_000).describe("ranges the station no longer has: count them as lost"),
  nextFromSeq: z
    .number()
    .int()
    .positive()
    .optional()
    .describe("present when the agent capped the range: ask again from here"),
});
export type ResendResult = z.infer<typeof ResendResult>;

/** `result` of a successful `diagnose` reply: the agent's `doctor` report. */
export const DiagnoseResult = z.object({
  ok: z.boolean().describe("false when any check failed"),
  time: Rfc3339.describe("when the checks ran"),
  configPath: z.string().max(MAX_TEXT_LEN).describe("the configuration file the agent runs with"),
  checks: z
    .array(
      z.object({
        id: z.string().max(MAX_NAME_LEN).describe("stable check id, e.g. broker, clock, disk, scanner1"),
        title: z.string().max(MAX_TEXT_LEN).describe("what was checked, in words"),
        status: z.enum(["ok", "warn", "fail", "skip"]).describe("the outcome"),
        detail: z.string().max(MAX_TEXT_LEN).describe("what was found"),
        fix: z.string().max(MAX_TEXT_LEN).optional().describe("what to do about it, when not ok"),
      }),
    )
    .max(200)
    .describe("one entry per check, in the order they ran"),
});
export type DiagnoseResult = z.infer<typeof DiagnoseResult>;

/**
 * The exact bytes an Ed25519 command signature covers: one line per field, in this order,
 *   `station-agent-cmd/1`, `<station>`, `<name>`, `<id>`, `<issuedAt as sent>`, `<args as canonical JSON>`,
 * joined by "\n". Canonical JSON sorts object keys at every level and has no whitespace; a missing `args`
 * is `{}`. Binding station and name stops a signed command from being replayed against another station or
 * as another command; binding id and issuedAt ties the signature to the replay guard.
 */
export function canonicalCommand(
  station: string,
  name: string,
  request: { id: string; issuedAt: string; args?: unknown },
): string {
  return [
    "station-agent-cmd/1",
    station,
    name,
    request.id,
    request.issuedAt,
    canonicalJson(request.args ?? {}),
  ].join("\n");
}

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}
