/**
 * What the local API and the CLI accept for a booking. Every request is validated here before anything
 * is touched; a rejected request changes nothing. The descriptive data is personal data: it is kept
 * encrypted at rest (session-store.ts) and never logged or sent over MQTT.
 */
import { z } from "zod";
import { ALL_POSITIONS, PLANS } from "./plan.js";

/** Printable text without control characters; Devanagari and other scripts are welcome. */
const Text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, "must not be empty")
    .max(max, `at most ${max} characters`)
    .refine((s) => !/[\p{Cc}\p{Cf}]/u.test(s.replace(/\u200c|\u200d/g, "")), {
      message: "must not contain control characters",
    });

const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "YYYY-MM-DD")
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s) && d.getTime() <= Date.now();
  }, "not a real date in the past");

/** Field names follow drivers/fingerprint/ansi-nist BookingDescriptive, so Type-2 mapping applies as is. */
export const Descriptive = z
  .object({
    reference: z
      .string()
      .trim()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9/._-]{0,63}$/,
        "the CCTNS FIR or arrest number: letters, digits, / . _ -",
      ),
    name: Text(120),
    nameLatin: Text(120)
      .refine((s) => /^[\x20-\x7e]+$/.test(s), "Latin letters only (the name as the AFIS searches it)")
      .optional(),
    relativeName: Text(120).optional().describe("father's or husband's name"),
    relation: z.enum(["father", "husband", "mother", "guardian"]).optional(),
    sex: z.enum(["male", "female", "transgender", "unknown"]),
    dateOfBirth: IsoDate.optional(),
    ageYears: z.number().int().min(7).max(120).optional(),
    arrestingOfficer: Text(120).describe("name, rank and belt number as on the arrest memo"),
    arrestDate: IsoDate.optional(),
  })
  .strict()
  .refine((d) => d.dateOfBirth !== undefined || d.ageYears !== undefined, {
    message: "give dateOfBirth or ageYears",
    path: ["dateOfBirth"],
  })
  .refine((d) => (d.relativeName === undefined) === (d.relation === undefined), {
    message: "relativeName and relation go together",
    path: ["relation"],
  });
export type Descriptive = z.infer<typeof Descriptive>;

export const StartBooking = z
  .object({
    plan: z.enum(PLANS),
    person: Descriptive,
  })
  .strict();
export type StartBooking = z.infer<typeof StartBooking>;

const DeviceId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/, "letters, digits, _ . - only");

export const TakeImpression = z
  .object({
    position: z.enum(ALL_POSITIONS),
    device: DeviceId.optional(),
    timeoutMs: z.number().int().min(1000).max(60_000).optional(),
  })
  .strict();
export type TakeImpression = z.infer<typeof TakeImpression>;

export const ANNOTATION_REASONS = ["amputated", "unable-to-print"] as const;
export type AnnotationReason = (typeof ANNOTATION_REASONS)[number];

export const Annotate = z
  .object({
    position: z.enum(ALL_POSITIONS),
    reason: z.enum(ANNOTATION_REASONS),
  })
  .strict();
export type Annotate = z.infer<typeof Annotate>;

/** A face photo for Type-10: a baseline JPEG, base64, up to 1 MiB decoded. */
export const AddPhoto = z
  .object({
    jpeg: z
      .string()
      .max(1_400_000, "at most 1 MiB of JPEG")
      .regex(/^[A-Za-z0-9+/]+={0,2}$/, "base64"),
  })
  .strict();
export type AddPhoto = z.infer<typeof AddPhoto>;

/** Booking ids are ours (random, url-safe); anything else in a path is rejected before a file is named. */
export const BookingId = z.string().regex(/^bk-[0-9a-z]{20}$/, "not a booking id");

export function issuesOf(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`);
}
