import { z } from "zod";

/** `devices:` — one entry per configured device; each kind's fields are owned by its driver's issue. */
const Common = {
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/, "letters, digits, _ . - only"),
};

export const FingerprintDeviceConfig = z
  .object({
    ...Common,
    kind: z.literal("fingerprint"),
    driver: z.enum(["r30x", "mfs100", "rdservice"]),
    port: z.string().optional(),
    baud: z.number().int().positive().default(57600),
  })
  .strict();

export const PrinterDeviceConfig = z
  .object({
    ...Common,
    kind: z.literal("printer"),
    driver: z.literal("escpos").default("escpos"),
    port: z.string().optional(),
    baud: z.number().int().positive().default(19200),
  })
  .strict();

export const UpsDeviceConfig = z
  .object({
    ...Common,
    kind: z.literal("ups"),
    driver: z.literal("hid").default("hid"),
  })
  .strict();

export const DeviceConfig = z.discriminatedUnion("kind", [
  FingerprintDeviceConfig,
  PrinterDeviceConfig,
  UpsDeviceConfig,
]);
export type DeviceConfig = z.infer<typeof DeviceConfig>;
