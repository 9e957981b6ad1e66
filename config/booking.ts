import { z } from "zod";

/**
 * `booking:` — arrest booking (issue 13): where sealed records go, who may read them, and what the
 * ANSI/NIST-ITL transaction says about the station. Everything has a default so a station without a
 * bureau link can still take and seal bookings (they wait in the spool, or go to the CCTNS client).
 */

/** Booking fields a Type-2 mapping entry can take its value from (drivers/fingerprint/ansi-nist). */
export const TYPE2_SOURCES = [
  "reference",
  "name",
  "nameLatin",
  "relativeName",
  "relation",
  "sex",
  "dateOfBirth",
  "ageYears",
  "arrestingOfficer",
  "arrestDate",
  "constant",
] as const;

/** A per-state Type-2 profile: which field number holds which booking field, and how it is written. */
export const Type2MappingConfig = z
  .object({
    name: z.string().min(1).max(64),
    entries: z
      .array(
        z
          .object({
            tag: z.number().int().min(3).max(998),
            item: z.number().int().min(1).max(9).optional(),
            sources: z.array(z.enum(TYPE2_SOURCES)).min(1),
            format: z.enum(["text", "ascii-upper", "date", "sex-code", "relation-code"]),
            value: z.string().max(200).optional(),
            required: z.boolean().optional(),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

const Ori = z
  .string()
  .regex(/^[A-Za-z0-9]{1,32}$/, "1-32 letters and digits (the originating agency identifier)");

const FilePath = z.string().min(1).max(4096);

export const BookingConfig = z
  .object({
    forward: z
      .enum(["https", "none"])
      .default("none")
      .describe(
        "https: the spool sends sealed records to bureau.url; none: the CCTNS client fetches them from the local API",
      ),
    bureau: z
      .object({
        url: z
          .url({ protocol: /^https$/ })
          .optional()
          .describe("the bureau's intake endpoint (HTTPS only)"),
        recipient: z
          .string()
          .regex(/^age1[02-9ac-hj-np-z]{58}$/, "an age X25519 recipient: age1 followed by 58 characters")
          .optional()
          .describe("the bureau's age public key; sealed records can only be opened with its secret key"),
        ca: FilePath.optional().describe("PEM CA bundle for the bureau's server certificate"),
        cert: FilePath.optional().describe("PEM client certificate for mutual TLS"),
        key: FilePath.optional().describe("PEM client key for mutual TLS"),
        timeoutMs: z.number().int().min(1000).max(600_000).default(60_000),
      })
      .strict()
      .refine((b) => (b.cert === undefined) === (b.key === undefined), {
        message: "cert and key must be given together",
      })
      .prefault({}),
    retry: z
      .object({
        minMs: z.number().int().min(100).max(600_000).default(5_000),
        maxMs: z.number().int().min(1000).max(86_400_000).default(900_000),
      })
      .strict()
      .refine((r) => r.maxMs >= r.minMs, { message: "maxMs must be >= minMs" })
      .prefault({}),
    retentionDays: z
      .number()
      .min(0)
      .max(365)
      .default(0)
      .describe("days a record is kept after the bureau's receipt (0 = delete at once)"),
    ori: Ori.default("UNSET").describe("Type-1 ORI: this station's originating agency identifier"),
    dai: Ori.default("UNSET").describe("Type-1 DAI: the bureau's destination agency identifier"),
    tot: z
      .string()
      .regex(/^[A-Z0-9]{1,16}$/, "1-16 capital letters and digits")
      .default("CAR")
      .describe("Type-1 TOT: type of transaction (CAR = criminal ten-print submission, answer required)"),
    edition: z
      .enum(["0400", "0500", "0501", "0502"])
      .default("0502")
      .describe(
        "ANSI/NIST-ITL edition: 0400 = 1-2007, 0500 = 1-2011, 0501 = its 2013 update, 0502 = the 2015 update",
      ),
    type2: Type2MappingConfig.optional().describe(
      "the state's Type-2 mapping; default: cctns-default (docs/booking.md, Record profile)",
    ),
    wsqBitrate: z.number().min(0.1).max(4).default(0.75).describe("WSQ bits per pixel (0.75 is about 15:1)"),
    maxRejections: z
      .number()
      .int()
      .min(1)
      .max(10)
      .default(3)
      .describe("rejected takes of one finger before the best is kept with a flag"),
    slapScanner: z
      .object({
        url: z
          .url({ protocol: /^https?$/ })
          .describe("the four-finger scanner's local service, e.g. http://127.0.0.1:8600/slap/"),
        requestTimeoutMs: z.number().int().min(1000).max(120_000).optional(),
      })
      .strict()
      .optional()
      .describe("a four-finger (slap) scanner for plan slaps"),
    abandonAfterHours: z
      .number()
      .min(1)
      .max(24 * 30)
      .default(72)
      .describe("unsealed sessions untouched this long are deleted"),
  })
  .strict()
  .refine((b) => b.forward !== "https" || (b.bureau.url !== undefined && b.bureau.recipient !== undefined), {
    message: "forward: https needs bureau.url and bureau.recipient",
    path: ["bureau"],
  })
  // 1-2007 (chkan2k) wants the source agency, which the record takes from ORI, 9-35 characters long.
  .refine((b) => b.edition !== "0400" || b.ori.length >= 9, {
    message:
      "edition 0400 needs this station's 9-character ORI (e.g. HR0110001); it is written as 14.004 SRC",
    path: ["ori"],
  });

export type BookingConfig = z.infer<typeof BookingConfig>;
