/**
 * The UPS codec: which descriptor fields carry which quantity (by usage path, as NUT's usbhid-ups
 * mapping tables do), and decoding reports into a reading. Pure: no I/O, no timers.
 */
import { readLogical, toPhysical } from "./field-value.js";
import { formatPath, parsePath } from "./hid-usages.js";
import { findField, type HidField, type ReportDescriptor, type ReportType } from "./report-descriptor.js";
import { quirksFor, type VendorQuirks } from "./vendor-quirks.js";

export const UPS_QUANTITIES = [
  "remainingCapacityPct",
  "runtimeS",
  "acPresent",
  "charging",
  "discharging",
  "belowRemainingCapacityLimit",
  "shutdownImminent",
  "remainingTimeLimitExpired",
  "needReplacement",
  "overload",
  "batteryVoltage",
  "batteryVoltageNominal",
  "inputVoltage",
  "outputVoltage",
] as const;
export type UpsQuantity = (typeof UPS_QUANTITIES)[number];

const BOOLEAN = new Set<UpsQuantity>([
  "acPresent",
  "charging",
  "discharging",
  "belowRemainingCapacityLimit",
  "shutdownImminent",
  "remainingTimeLimitExpired",
  "needReplacement",
  "overload",
]);

const status = (name: string) => [
  `UPS.PowerSummary.PresentStatus.${name}`,
  `UPS.PowerSummary.${name}`,
  `UPS.PresentStatus.${name}`,
];

/** Standard paths, first present wins (NUT apc-hid/cps-hid/mge-hid `*_hid2nut[]` order). */
const STANDARD_PATHS: Record<UpsQuantity, string[]> = {
  remainingCapacityPct: ["UPS.PowerSummary.RemainingCapacity", "UPS.Battery.RemainingCapacity"],
  runtimeS: ["UPS.PowerSummary.RunTimeToEmpty", "UPS.Battery.RunTimeToEmpty"],
  acPresent: [...status("ACPresent"), "UPS.BatterySystem.Charger.PresentStatus.ACPresent"],
  charging: status("Charging"),
  discharging: status("Discharging"),
  belowRemainingCapacityLimit: status("BelowRemainingCapacityLimit"),
  shutdownImminent: status("ShutdownImminent"),
  remainingTimeLimitExpired: status("RemainingTimeLimitExpired"),
  needReplacement: status("NeedReplacement"),
  overload: [...status("Overload"), "UPS.Output.Overload"],
  batteryVoltage: ["UPS.Battery.Voltage", "UPS.PowerSummary.Voltage"],
  batteryVoltageNominal: ["UPS.Battery.ConfigVoltage", "UPS.PowerSummary.ConfigVoltage"],
  inputVoltage: ["UPS.Input.Voltage", "UPS.PowerConverter.Input.Voltage"],
  outputVoltage: ["UPS.Output.Voltage", "UPS.PowerConverter.Output.Voltage"],
};

export type UpsReading = Partial<Record<UpsQuantity, number | boolean>>;

export interface MappedQuantity {
  path: string;
  feature?: HidField;
  input?: HidField;
}

export interface UpsMap {
  descriptor: ReportDescriptor;
  quirks?: VendorQuirks;
  quantities: Partial<Record<UpsQuantity, MappedQuantity>>;
  /** Feature reports to GET on each poll, with their length including the id byte. */
  featureReports: { reportId: number; length: number }[];
  /** True when this model's input reports must not be relied on (quirk). */
  pollOnly: boolean;
}

export class NotAUpsError extends Error {
  constructor() {
    super("the HID report descriptor has no UPS power fields (RemainingCapacity or ACPresent)");
    this.name = "NotAUpsError";
  }
}

export function buildUpsMap(
  descriptor: ReportDescriptor,
  device: { vendorId?: number; productId?: number } = {},
): UpsMap {
  const quirks = quirksFor(device.vendorId);
  const quantities: Partial<Record<UpsQuantity, MappedQuantity>> = {};
  for (const q of UPS_QUANTITIES) {
    const candidates = [...(quirks?.preferPaths?.[q] ?? []), ...STANDARD_PATHS[q]];
    // Feature and input are chosen separately: some units expose a quantity only as one of them.
    let mapped: MappedQuantity | undefined;
    for (const path of candidates) {
      const usages = parsePath(path, quirks?.usageNames);
      if (!usages) continue;
      const feature = findField(descriptor, "feature", usages);
      const input = findField(descriptor, "input", usages);
      if (!feature && !input) continue;
      mapped ??= { path };
      mapped.feature ??= feature;
      mapped.input ??= input;
      if (mapped.feature && mapped.input) break;
    }
    if (mapped) quantities[q] = mapped;
  }
  if (!quantities.remainingCapacityPct && !quantities.acPresent) throw new NotAUpsError();

  const ids = new Set<number>();
  for (const m of Object.values(quantities)) if (m?.feature) ids.add(m.feature.reportId);
  const featureReports = [...ids]
    .sort((a, b) => a - b)
    .map((reportId) => ({
      reportId,
      length: descriptor.reportBytes.get(`feature:${reportId}`) ?? 64,
    }));
  const pollOnly = !!quirks?.pollOnlyProductIds?.includes(device.productId ?? -1);
  return { descriptor, quirks, quantities, featureReports, pollOnly };
}

/** Decode every mapped quantity a report carries. Bad or short reports decode to nothing. */
export function decodeReport(map: UpsMap, type: ReportType, report: Uint8Array): UpsReading {
  const reading: UpsReading = {};
  if (report.length === 0) return reading;
  const reportId = map.descriptor.usesReportIds ? report[0]! : 0;
  for (const q of UPS_QUANTITIES) {
    const field = type === "input" ? map.quantities[q]?.input : map.quantities[q]?.feature;
    if (!field || field.reportId !== reportId) continue;
    const logical = readLogical(report, field, map.descriptor.usesReportIds);
    if (logical === undefined) continue;
    reading[q] = BOOLEAN.has(q) ? logical !== 0 : toPhysical(field, logical);
  }
  return reading;
}

/** Vendor value corrections that need more than one quantity (e.g. CyberPower battery voltage scale). */
export function applyQuirks(map: UpsMap, reading: UpsReading): UpsReading {
  const out = { ...reading };
  for (const r of map.quirks?.rescale ?? []) {
    const v = out[r.quantity];
    const ref = out[r.reference];
    if (typeof v === "number" && typeof ref === "number" && ref > 0 && v / ref > r.ratioAbove) {
      out[r.quantity] = v * r.factor;
    }
  }
  return out;
}

/** Paths the map uses, for logs and the `devices` command. */
export function describeMap(map: UpsMap): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [q, m] of Object.entries(map.quantities)) {
    const f = m.feature ?? m.input;
    if (!f) continue;
    const where = [
      m.feature ? `feature 0x${hex(m.feature.reportId)}` : "",
      m.input ? `input 0x${hex(m.input.reportId)}` : "",
    ]
      .filter(Boolean)
      .join(", ");
    out[q] = `${formatPath(f.path, map.quirks?.usageNames)} (${where})`;
  }
  return out;
}

function hex(n: number): string {
  return n.toString(16).padStart(2, "0");
}
