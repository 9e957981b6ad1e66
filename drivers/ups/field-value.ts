/** Reading one field's value out of a report, and turning it into a physical quantity. Pure. */
import type { HidField } from "./report-descriptor.js";

/**
 * The field's raw (logical) value. `report` starts with the report-id byte when the device uses report
 * ids (hidapi and node-hid return it so). Undefined when the report is too short to hold the field.
 */
export function readLogical(report: Uint8Array, field: HidField, usesReportIds: boolean): number | undefined {
  if (field.bitSize <= 0 || field.bitSize > 53) return undefined;
  const base = usesReportIds ? 8 : 0;
  const first = base + field.bitOffset;
  const last = first + field.bitSize - 1;
  if (last >= report.length * 8) return undefined;
  let value = 0;
  for (let bit = 0; bit < field.bitSize; bit++) {
    const pos = first + bit;
    if ((report[pos >> 3]! >> (pos & 7)) & 1) value += 2 ** bit;
  }
  // Signed when the descriptor says the range goes negative (e.g. DelayBeforeShutdown -1 = 0xFFFF).
  if (field.logicalMin < 0 && value >= 2 ** (field.bitSize - 1)) value -= 2 ** field.bitSize;
  return value;
}

/** NUT's HIDUnits exponents (drivers/libhid.c): the HID unit system is CGS, so volts carry 10^7. */
const UNIT_EXPONENT: Record<number, number> = {
  0x00f0d121: 7, // volt
  0x00100001: 0, // ampere
  0x0000d121: 7, // watt, volt-ampere
  0x00001001: 0, // second
  0x0000f001: 0, // hertz
  0x00010001: 0, // kelvin
};

/** Logical -> physical as NUT's logical_to_physical(), then the unit exponent. */
export function toPhysical(field: HidField, logical: number): number {
  let value = logical;
  const { physicalMin: pMin, physicalMax: pMax, logicalMin: lMin, logicalMax: lMax } = field;
  if (pMax > pMin && lMax > lMin && !(pMin === 0 && pMax === 0)) {
    value = ((logical - lMin) * (pMax - pMin)) / (lMax - lMin) + pMin;
    value = Math.min(pMax, Math.max(pMin, value));
  }
  const expected = UNIT_EXPONENT[field.unit >>> 0];
  const exponent = expected === undefined ? 0 : field.unitExponent - expected;
  return exponent === 0 ? value : value * 10 ** exponent;
}
