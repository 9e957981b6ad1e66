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

const R30X_BAUDS = Array.from({ length: 12 }, (_, i) => 9600 * (i + 1));

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
  })
  .refine((d) => d.driver !== "r30x" || R30X_BAUDS.includes(d.baud), {
    // The module's baud register holds N in 9600 x N, N 1..12; 56700 is a common slip for 57600.
    message: `an R30x module runs at 9600 x N (N 1-12): one of ${[9600, 19200, 38400, 57600, 115200].join(", ")}, ...; the factory setting is 57600`,
    path: ["baud"],
  });

export const PrinterDeviceConfig = z
  .object({
    ...Common,
    kind: z.literal("printer"),
    driver: z.literal("escpos").default("escpos"),
    port: z.string().optional().describe("serial port, e.g. /dev/ttyUSB0 (give one of port, tcp, device)"),
    baud: z.number().int().positive().default(19200),
    tcp: z
      .string()
      .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, "HOST:PORT, e.g. 10.1.2.3:9100")
      .optional()
      .describe("network printer, raw TCP (usually port 9100)"),
    device: z.string().optional().describe("USB printer class device file, e.g. /dev/usb/lp0"),
    paper: z.enum(["58mm", "80mm"]).default("80mm").describe("sets the defaults of widthDots and nativeQr"),
    widthDots: z
      .number()
      .int()
      .min(64)
      .max(2048)
      .multipleOf(8)
      .optional()
      .describe("printable dots: 384 (58 mm), 576 (80 mm)"),
    codePage: z.enum(["cp437", "cp850", "cp858", "cp866", "wpc1252"]).default("cp437"),
    codePageNumber: z
      .number()
      .int()
      .min(0)
      .max(255)
      .optional()
      .describe("ESC t number of codePage on this model"),
    nativeQr: z
      .boolean()
      .optional()
      .describe("printer supports GS ( k QR; default true for 80mm, false for 58mm"),
    cut: z.enum(["full", "partial", "none"]).default("partial"),
    pollIntervalMs: z.number().int().min(500).max(600_000).default(5000),
    replyTimeoutMs: z.number().int().min(100).max(60_000).default(1500),
    fonts: z
      .object({ devanagari: z.string().optional(), latin: z.string().optional() })
      .strict()
      .optional()
      .describe("TTF files for text the code page cannot show"),
  })
  .strict()
  .refine((p) => [p.port, p.tcp, p.device].filter((v) => v !== undefined).length <= 1, {
    message: "give only one of port, tcp, device",
  });

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
