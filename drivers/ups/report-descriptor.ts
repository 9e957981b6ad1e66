/**
 * HID report descriptor parser (HID 1.11 §6.2.2). Pure: bytes in, a flat list of fields out, each with
 * the usage path that leads to it (collection usages + its own usage), the report it lives in and
 * where in that report. Items are found by usage path, never by a fixed report id, because report ids
 * differ between models of the same vendor (NUT issues #1304, #1189, #2984).
 */

export type ReportType = "input" | "output" | "feature";

export interface HidField {
  /** Collection usages from the outermost, then the field's own usage; each is (page << 16) | id. */
  path: number[];
  usagePage: number;
  usage: number;
  reportId: number;
  type: ReportType;
  /** Bit offset after the report-id byte (NUT's "Offset"). */
  bitOffset: number;
  bitSize: number;
  logicalMin: number;
  logicalMax: number;
  physicalMin: number;
  physicalMax: number;
  /** HID unit code, e.g. 0x00F0D121 volts, 0x1001 seconds. */
  unit: number;
  unitExponent: number;
  /** Main item flags: bit 0 constant, bit 1 variable, bit 2 relative, bit 7 volatile. */
  flags: number;
}

export interface ReportDescriptor {
  fields: HidField[];
  /** Byte length of each report including its report-id byte when ids are used, by `${type}:${id}`. */
  reportBytes: Map<string, number>;
  usesReportIds: boolean;
}

export class DescriptorError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`report descriptor: ${message} at byte ${offset}`);
    this.name = "DescriptorError";
  }
}

interface Globals {
  usagePage: number;
  logicalMin: number;
  logicalMax: number;
  logicalMaxUnsigned: number;
  physicalMin: number;
  physicalMax: number;
  unitExponent: number;
  unit: number;
  reportSize: number;
  reportId: number;
  reportCount: number;
}

const MAX_FIELDS = 20_000;
const MAX_DEPTH = 32;

export function reportKey(type: ReportType, reportId: number): string {
  return `${type}:${reportId}`;
}

export function parseReportDescriptor(bytes: Uint8Array): ReportDescriptor {
  let g: Globals = {
    usagePage: 0,
    logicalMin: 0,
    logicalMax: 0,
    logicalMaxUnsigned: 0,
    physicalMin: 0,
    physicalMax: 0,
    unitExponent: 0,
    unit: 0,
    reportSize: 0,
    reportId: 0,
    reportCount: 0,
  };
  const stack: Globals[] = [];
  const collections: number[] = [];
  let usages: number[] = [];
  let usageMin: number | undefined;
  const bitCursor = new Map<string, number>();
  const fields: HidField[] = [];
  let usesReportIds = false;

  const extend = (u: number, size: number) => (size === 4 ? u >>> 0 : ((g.usagePage << 16) | u) >>> 0);
  const clearLocals = () => {
    usages = [];
    usageMin = undefined;
  };

  let i = 0;
  while (i < bytes.length) {
    const prefix = bytes[i]!;
    if (prefix === 0xfe) {
      // Long item: skip, none are defined by the HID spec.
      const len = bytes[i + 1];
      if (len === undefined) throw new DescriptorError("truncated long item", i);
      i += 3 + len;
      continue;
    }
    const size = [0, 1, 2, 4][prefix & 0x03]!;
    if (i + 1 + size > bytes.length) throw new DescriptorError("item runs past the end", i);
    let unsigned = 0;
    for (let b = 0; b < size; b++) unsigned += bytes[i + 1 + b]! * 2 ** (8 * b);
    const signed = size === 0 ? 0 : unsigned >= 2 ** (8 * size - 1) ? unsigned - 2 ** (8 * size) : unsigned;
    const tag = prefix & 0xfc;
    const at = i;
    i += 1 + size;

    switch (tag) {
      // Main items
      case 0x80: // Input
      case 0x90: // Output
      case 0xb0: {
        // Feature
        const type: ReportType = tag === 0x80 ? "input" : tag === 0x90 ? "output" : "feature";
        const key = reportKey(type, g.reportId);
        let cursor = bitCursor.get(key) ?? 0;
        const isConstant = (unsigned & 0x01) !== 0;
        const isVariable = (unsigned & 0x02) !== 0;
        const { logicalMin, logicalMax } = logicalRange(g);
        if (usageMin !== undefined) usages.push(usageMin); // a Usage Minimum with no Maximum
        for (let n = 0; n < g.reportCount; n++) {
          const usage = isVariable ? (usages[n] ?? usages[usages.length - 1]) : usages[0];
          // Padding (constant with no usage) takes room but is no field; an array item is one field
          // per slot, named by its first usage.
          if (usage !== undefined && !(isConstant && usages.length === 0)) {
            if (fields.length >= MAX_FIELDS) throw new DescriptorError("too many fields", at);
            fields.push({
              path: [...collections, usage],
              usagePage: usage >>> 16,
              usage,
              reportId: g.reportId,
              type,
              bitOffset: cursor,
              bitSize: g.reportSize,
              logicalMin,
              logicalMax,
              physicalMin: g.physicalMin,
              physicalMax: g.physicalMax,
              unit: g.unit,
              unitExponent: g.unitExponent,
              flags: unsigned,
            });
          }
          cursor += g.reportSize;
        }
        bitCursor.set(key, cursor);
        clearLocals();
        break;
      }
      case 0xa0: // Collection
        if (collections.length >= MAX_DEPTH) throw new DescriptorError("collections nested too deep", at);
        collections.push(usages[0] ?? 0);
        clearLocals();
        break;
      case 0xc0: // End Collection
        if (collections.length === 0) throw new DescriptorError("End Collection without Collection", at);
        collections.pop();
        clearLocals();
        break;
      // Global items
      case 0x04:
        g.usagePage = unsigned;
        break;
      case 0x14:
        g.logicalMin = signed;
        break;
      case 0x24:
        g.logicalMax = signed;
        g.logicalMaxUnsigned = unsigned;
        break;
      case 0x34:
        g.physicalMin = signed;
        break;
      case 0x44:
        g.physicalMax = signed;
        break;
      case 0x54:
        // A 4-bit two's complement nibble in the spec; some firmware writes a full signed byte.
        g.unitExponent = unsigned <= 0x0f ? (unsigned > 7 ? unsigned - 16 : unsigned) : signed;
        break;
      case 0x64:
        g.unit = unsigned;
        break;
      case 0x74:
        if (unsigned > 256) throw new DescriptorError(`report size ${unsigned} bits is too large`, at);
        g.reportSize = unsigned;
        break;
      case 0x84:
        if (unsigned === 0 || unsigned > 255)
          throw new DescriptorError(`report id ${unsigned} is invalid`, at);
        g.reportId = unsigned;
        usesReportIds = true;
        break;
      case 0x94:
        if (unsigned > 4096) throw new DescriptorError(`report count ${unsigned} is too large`, at);
        g.reportCount = unsigned;
        break;
      case 0xa4:
        if (stack.length >= MAX_DEPTH) throw new DescriptorError("Push nested too deep", at);
        stack.push({ ...g });
        break;
      case 0xb4: {
        const popped = stack.pop();
        if (!popped) throw new DescriptorError("Pop without Push", at);
        g = popped;
        break;
      }
      // Local items
      case 0x08:
        usages.push(extend(unsigned, size));
        break;
      case 0x18:
        usageMin = extend(unsigned, size);
        break;
      case 0x28: {
        const max = extend(unsigned, size);
        if (usageMin !== undefined) {
          if (max - usageMin > 0xffff || max < usageMin) throw new DescriptorError("bad usage range", at);
          for (let u = usageMin; u <= max; u++) usages.push(u >>> 0);
          usageMin = undefined;
        }
        break;
      }
      default:
        // Designators, strings, delimiters and reserved tags carry nothing this driver needs.
        break;
    }
  }
  if (collections.length !== 0) throw new DescriptorError("collection not closed", bytes.length);

  const reportBytes = new Map<string, number>();
  for (const [key, bits] of bitCursor) reportBytes.set(key, Math.ceil(bits / 8) + (usesReportIds ? 1 : 0));
  return { fields, reportBytes, usesReportIds };
}

/**
 * Logical Maximum is signed by the spec, yet many UPSes write e.g. `25 FF` meaning 255. As NUT does
 * (issue #1208), read the maximum as unsigned when the signed reading would put it below the minimum.
 */
function logicalRange(g: Globals): { logicalMin: number; logicalMax: number } {
  if (g.logicalMax < g.logicalMin) return { logicalMin: g.logicalMin, logicalMax: g.logicalMaxUnsigned };
  return { logicalMin: g.logicalMin, logicalMax: g.logicalMax };
}

/** The first field at exactly this usage path (from the application collection down), of this type. */
export function findField(
  desc: ReportDescriptor,
  type: ReportType,
  path: readonly number[],
): HidField | undefined {
  return desc.fields.find(
    (f) => f.type === type && f.path.length === path.length && f.path.every((u, k) => u === path[k]),
  );
}
