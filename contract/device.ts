import { z } from "zod";
import { MAX_NAME_LEN, MAX_TEXT_LEN, Rfc3339, StationId } from "./envelope.js";

export const DeviceKind = z.enum(["fingerprint", "printer", "ups"]);
export type DeviceKind = z.infer<typeof DeviceKind>;

export const DeviceHealth = z.enum(["ready", "busy", "faulted", "absent", "unavailable"]);
export type DeviceHealth = z.infer<typeof DeviceHealth>;

/** Retained on `<root>/<station>/device/<id>`. Identity and health only: never biometric data. */
export const DeviceState = z.object({
  station: StationId.describe("station id; the same as the topic level"),
  device: z.string().max(MAX_NAME_LEN).describe("configured device id; the same as the topic level"),
  kind: DeviceKind.describe("fingerprint scanner, slip printer or UPS"),
  driver: z.string().max(MAX_NAME_LEN).describe("driver from the configuration, e.g. r30x, escpos, hid-ups"),
  health: DeviceHealth.describe(
    "ready; busy (working, e.g. capturing); faulted (present but failing); absent (not plugged in); unavailable (cannot be read, e.g. no permission)",
  ),
  since: Rfc3339.describe("when it entered this health"),
  time: Rfc3339.describe("when this state was built"),
  reason: z.string().max(MAX_TEXT_LEN).optional().describe("why it is not ready, in words"),
  identity: z
    .object({
      path: z.string().max(MAX_TEXT_LEN).optional().describe("device node or address, e.g. /dev/ttyUSB0"),
      vendorId: z.string().max(MAX_NAME_LEN).optional().describe("USB vendor id, 4 hex digits"),
      productId: z.string().max(MAX_NAME_LEN).optional().describe("USB product id, 4 hex digits"),
      serialNumber: z.string().max(MAX_NAME_LEN).optional().describe("serial number the device reports"),
      model: z.string().max(MAX_NAME_LEN).optional().describe("model the device reports"),
      firmware: z.string().max(MAX_NAME_LEN).optional().describe("firmware version the device reports"),
    })
    .optional()
    .describe("what the device says it is"),
  status: z
    .record(z.string(), z.union([z.string().max(MAX_TEXT_LEN), z.number(), z.boolean(), z.null()]))
    .optional()
    .describe("kind-specific status, e.g. a printer's paper state; small and never biometric"),
});
export type DeviceState = z.infer<typeof DeviceState>;

export const InventoryEntry = z.object({
  device: z.string().max(MAX_NAME_LEN).describe("configured device id"),
  kind: DeviceKind.describe("fingerprint scanner, slip printer or UPS"),
  health: DeviceHealth.describe("as on the device's own topic"),
});
