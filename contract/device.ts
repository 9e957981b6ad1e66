import { z } from "zod";
import { Rfc3339, StationId } from "./envelope.js";

export const DeviceKind = z.enum(["fingerprint", "printer", "ups"]);
export type DeviceKind = z.infer<typeof DeviceKind>;

export const DeviceHealth = z.enum(["ready", "busy", "faulted", "absent", "unavailable"]);
export type DeviceHealth = z.infer<typeof DeviceHealth>;

/** Retained on `<root>/<station>/device/<id>`. Identity and health only: never biometric data. */
export const DeviceState = z.object({
  station: StationId,
  device: z.string(),
  kind: DeviceKind,
  driver: z.string(),
  health: DeviceHealth,
  since: Rfc3339,
  time: Rfc3339,
  reason: z.string().optional(),
  identity: z
    .object({
      path: z.string().optional(),
      vendorId: z.string().optional(),
      productId: z.string().optional(),
      serialNumber: z.string().optional(),
      model: z.string().optional(),
      firmware: z.string().optional(),
    })
    .optional(),
  /** Kind-specific status, e.g. a printer's paper state; small and never biometric. */
  status: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
});
export type DeviceState = z.infer<typeof DeviceState>;

export const InventoryEntry = z.object({
  device: z.string(),
  kind: DeviceKind,
  health: DeviceHealth,
});
