/**
 * What differs between UPS vendors, as data. The parser and the mapping are generic; these tables only
 * name vendor usages, put a vendor's own usage paths first, and carry NUT's known corrections.
 * Sources: NUT drivers/apc-hid.c, drivers/cps-hid.c, drivers/mge-hid.c (see docs/ups.md).
 */
import type { UpsQuantity } from "./ups-map.js";

export interface VendorQuirks {
  vendor: string;
  vendorId: number;
  /** Product ids NUT's subdriver claims; discovery uses them to call an unknown HID device a UPS. */
  productIds: number[];
  /** Names for the vendor's own usage page, so paths read like NUT's debug output. */
  usageNames?: Record<number, string>;
  /** Paths tried before the standard ones for a quantity (NUT path strings). */
  preferPaths?: Partial<Record<UpsQuantity, string[]>>;
  /** Products whose interrupt-IN pipe is unreliable: read by polling feature reports only. */
  pollOnlyProductIds?: number[];
  /** Multiply `quantity` by `factor` when quantity / reference exceeds `ratioAbove`. */
  rescale?: { quantity: UpsQuantity; reference: UpsQuantity; ratioAbove: number; factor: number }[];
}

export const VENDOR_QUIRKS: readonly VendorQuirks[] = [
  {
    vendor: "APC",
    vendorId: 0x051d,
    productIds: [0x0000, 0x0002, 0x0003, 0x0004, 0x0005],
    usageNames: {
      0xff860005: "APCGeneralCollection",
      0xff860016: "APCBattReplaceDate",
      0xff860042: "APC_UPS_FirmwareRevision",
      0xff860052: "APCLineFailCause",
      0xff860060: "APCStatusFlag",
      0xff860061: "APCSensitivity",
      0xff86007c: "APCDelayBeforeReboot",
      0xff86007d: "APCDelayBeforeShutdown",
    },
    // apc-hid.c: "various 5G models" (0003) and Smart-UPS FW 04.3 (0004) have the interrupt pipe disabled.
    pollOnlyProductIds: [0x0003, 0x0004],
  },
  {
    vendor: "CyberPower",
    vendorId: 0x0764,
    productIds: [0x0005, 0x0501, 0x0601],
    // cps-hid.c cps_adjust_battery_scale(): some models report battery voltage 3/2 too high.
    rescale: [
      { quantity: "batteryVoltage", reference: "batteryVoltageNominal", ratioAbove: 1.5, factor: 2 / 3 },
    ],
  },
  {
    vendor: "Eaton",
    vendorId: 0x0463,
    productIds: [0x0001, 0xffff],
    // mge-hid.c reads input/output voltage under the PowerConverter collection.
    preferPaths: {
      inputVoltage: ["UPS.PowerConverter.Input.Voltage"],
      outputVoltage: ["UPS.PowerConverter.Output.Voltage"],
    },
  },
];

export function quirksFor(vendorId: number | undefined): VendorQuirks | undefined {
  return vendorId === undefined ? undefined : VENDOR_QUIRKS.find((q) => q.vendorId === vendorId);
}
