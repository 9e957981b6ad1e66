import { z } from "zod";

/** `devices:` — one entry per configured device; each kind's fields are owned by its driver's issue. */
const UsbId = z
  .string()
  .regex(/^(0x)?[0-9A-Fa-f]{4}$/, "4 hex digits, e.g. 051d")
  .transform((s) => s.replace(/^0x/, "").toLowerCase());

const Common = {
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/, "letters, digits, _ . - only"),
  /** Matching a plugged-in device to this entry (inventory, hot-plug): USB ids and serial, or the path. */
  vendorId: UsbId.optional().describe("USB vendor id, 4 hex digits"),
  productId: UsbId.optional().describe("USB product id, 4 hex digits"),
  serialNumber: z.string().min(1).max(128).optional().describe("USB serial number string"),
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
    path: z.string().optional().describe("hidraw node, e.g. /dev/hidraw0; default: the first HID UPS found"),
    pollMs: z
      .number()
      .int()
      .min(500)
      .max(600_000)
      .default(5000)
      .describe("how often feature reports are read"),
    lowBatteryPct: z
      .number()
      .min(0)
      .max(100)
      .optional()
      .describe("also treat the battery as low at or below this charge (the UPS's own flag always counts)"),
  })
  .strict();
export type UpsDeviceConfig = z.infer<typeof UpsDeviceConfig>;

export const DeviceConfig = z.discriminatedUnion("kind", [
  FingerprintDeviceConfig,
  PrinterDeviceConfig,
  UpsDeviceConfig,
]);
export type DeviceConfig = z.infer<typeof DeviceConfig>;
