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
    // Fingerprint-specific (issue 4); all optional so existing files stay valid.
    model: z
      .enum(["r30x", "r503"])
      .optional()
      .describe("r30x: R305/R307/AS608/ZFM (256x288); r503: 192x192, LED ring"),
    address: z
      .number()
      .int()
      .min(0)
      .max(0xffffffff)
      .optional()
      .describe("module address, default 0xFFFFFFFF"),
    password: z.number().int().min(0).max(0xffffffff).optional().describe("module password, default 0"),
    packetSize: z.union([z.literal(32), z.literal(64), z.literal(128), z.literal(256)]).optional(),
    url: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe("mfs100 base URL or a pinned rdservice http://127.0.0.1:PORT"),
    resolutionPpi: z
      .number()
      .int()
      .min(100)
      .max(2000)
      .optional()
      .describe("written into the ISO record; default 500"),
    captureTimeoutMs: z
      .number()
      .int()
      .min(1000)
      .max(60_000)
      .optional()
      .describe("default wait for a finger; default 15000"),
  })
  .strict()
  .refine((d) => d.driver !== "r30x" || d.port !== undefined, {
    message: "driver r30x needs port (e.g. /dev/serial/by-id/...)",
    path: ["port"],
  });

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
