import { z } from "zod";
import { Rfc3339, MAX_NAME_LEN, StationId, MAX_TEXT_LEN } from "./envelope.js";

export const DeviceKind = z.enum(["fingerprint", "printer", "ups"]);
export type DeviceKind = z.infer<typeof DeviceKind>;

export const DeviceHealth = z.enum(["ready", "busy", "faulted", "absent", "unavailable"]);
export type DeviceHealth = z.infer<typeof DeviceHealth>;

/** Retained on `<root>/<station>/device/<id>`. Identity and health only: never biometric data. */
export const DeviceState = z.object({
  station: StationId,
  device: z.string().max(MAX_NAME_LEN),
  kind: DeviceKind,
  driver: z.string().max(MAX_NAME_LEN),
  health: DeviceHealth,
  since: Rfc3339,
  time: Rfc3339,
  reason: z.string().max(MAX_TEXT_LEN).optional(),
  identity: z
    .object({
      path: z.string().max(MAX_TEXT_LEN).optional(),
      vendorId: z.string().max(MAX_NAME_LEN).optional(),
      productId: z.string().max(MAX_NAME_LEN).optional(),
      serialNumber: z.string().max(MAX_NAME_LEN).optional(),
      model: z.string().max(MAX_NAME_LEN).optional(),
      firmware: z.string().max(MAX_NAME_LEN).optional(),
    })
    .optional(),
  /** Kind-specific status, e.g. a printer's paper state; small and never biometric. */
  status: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
});
export type DeviceState = z.infer<typeof DeviceState>;

export const InventoryEntry = z.object({
  device: z.string().max(MAX_NAME_LEN),
  kind: DeviceKind,
  health: DeviceHealth,
});
