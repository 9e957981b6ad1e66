/**
 * Booking data → Type-2 fields. Type-2 is "user-defined": every bureau decides which field number
 * holds what, so the mapping is data (a per-state profile in config), and this module only applies
 * it. The default follows the FBI EBTS numbering where EBTS has the field (CIN, NAM, DOB, SEX, DOA)
 * and puts what EBTS lacks (the name as written in Devanagari, father's/husband's name, age,
 * arresting officer) in 2.901..2.904. docs/fingerprint.md, "ANSI/NIST-ITL record profile".
 */
import { An2kValueError, type An2kType2 } from "./types.js";

/** The booking's descriptive data, as the booking session holds it. */
export interface BookingDescriptive {
  /** CCTNS arrest or FIR reference. */
  reference: string;
  /** As entered; Devanagari allowed. */
  name: string;
  /** The name in Latin letters, when the CCTNS client has it (NAM needs ASCII). */
  nameLatin?: string;
  relativeName?: string;
  relation?: "father" | "husband" | "mother" | "guardian";
  sex: "male" | "female" | "transgender" | "unknown";
  /** YYYY-MM-DD. */
  dateOfBirth?: string;
  /** Apparent age in whole years, when the date of birth is unknown. */
  ageYears?: number;
  arrestingOfficer?: string;
  /** YYYY-MM-DD. */
  arrestDate?: string;
}

export type Type2Source = Exclude<keyof BookingDescriptive, never> | "constant";

/**
 * How a value is written:
 * - `text`: as given (UTF-8 when not ASCII; the encoder then declares DCS 3 UTF-8);
 * - `ascii-upper`: upper-cased, only when the value is plain ASCII, else the entry is skipped
 *   (EBTS NAM is ASCII; the native script goes in its own field);
 * - `date`: YYYY-MM-DD → YYYYMMDD;
 * - `sex-code`: male M, female F, transgender X, unknown U;
 * - `relation-code`: father F, husband H, mother M, guardian G.
 */
export type Type2Format = "text" | "ascii-upper" | "date" | "sex-code" | "relation-code";

export interface Type2MappingEntry {
  /** Field number 3..999 (2.TAG). */
  tag: number;
  /** 1-based item within the field's single subfield; entries sharing a tag build one field. */
  item?: number;
  /** The first source that has a value is used. */
  sources: Type2Source[];
  format: Type2Format;
  /** For `constant`. */
  value?: string;
  /** A missing value is an error rather than an omitted field. */
  required?: boolean;
}

export interface Type2Mapping {
  /** Shown in docs and logs, e.g. "cctns-default". */
  name: string;
  entries: Type2MappingEntry[];
}

export const DEFAULT_TYPE2_MAPPING: Type2Mapping = {
  name: "cctns-default",
  entries: [
    // 2.010 CIN contributor case identifier: prefix item + the CCTNS reference.
    { tag: 10, item: 1, sources: ["constant"], value: "CCTNS", format: "text" },
    { tag: 10, item: 2, sources: ["reference"], format: "text", required: true },
    // 2.018 NAM: EBTS wants ASCII; the Devanagari form goes in 2.901.
    { tag: 18, sources: ["nameLatin", "name"], format: "ascii-upper" },
    { tag: 22, sources: ["dateOfBirth"], format: "date" },
    { tag: 24, sources: ["sex"], format: "sex-code", required: true },
    { tag: 45, sources: ["arrestDate"], format: "date" },
    // CCTNS extension fields (not in EBTS).
    { tag: 901, sources: ["name"], format: "text", required: true },
    { tag: 902, item: 1, sources: ["relation"], format: "relation-code" },
    { tag: 902, item: 2, sources: ["relativeName"], format: "text" },
    { tag: 903, sources: ["ageYears"], format: "text" },
    { tag: 904, sources: ["arrestingOfficer"], format: "text" },
  ],
};

const SEX: Record<BookingDescriptive["sex"], string> = {
  male: "M",
  female: "F",
  transgender: "X",
  unknown: "U",
};
const RELATION: Record<NonNullable<BookingDescriptive["relation"]>, string> = {
  father: "F",
  husband: "H",
  mother: "M",
  guardian: "G",
};

/** Applies `mapping` to one booking's data. Pure; throws An2kValueError for a required field left empty. */
export function buildType2(
  fields: BookingDescriptive,
  mapping: Type2Mapping = DEFAULT_TYPE2_MAPPING,
): An2kType2 {
  const byTag = new Map<number, string[]>();
  for (const entry of mapping.entries) {
    const label = `2.${String(entry.tag).padStart(3, "0")}`;
    if (!Number.isInteger(entry.tag) || entry.tag < 3 || entry.tag > 998)
      throw new An2kValueError(label, "Type-2 field numbers are 3..998 (999 is image data)");
    const raw = firstValue(fields, entry);
    const value = raw === undefined ? undefined : formatValue(raw, entry.format, label);
    if (value === undefined || value === "") {
      if (entry.required) throw new An2kValueError(label, `needs ${entry.sources.join(" or ")}`);
      continue;
    }
    const items = byTag.get(entry.tag) ?? [];
    items[(entry.item ?? 1) - 1] = value;
    byTag.set(entry.tag, items);
  }
  const out: An2kType2 = { fields: [] };
  for (const [tag, items] of [...byTag].sort((a, b) => a[0] - b[0])) {
    // An item left empty by a missing optional source stays as an empty item so positions hold.
    out.fields.push({ tag, value: [Array.from(items, (v) => v ?? "")] });
  }
  return out;
}

function firstValue(fields: BookingDescriptive, entry: Type2MappingEntry): string | undefined {
  for (const source of entry.sources) {
    if (source === "constant") return entry.value;
    const v = fields[source];
    if (v !== undefined && v !== null && String(v).trim() !== "") return String(v).trim();
  }
  return undefined;
}

function formatValue(raw: string, format: Type2Format, label: string): string | undefined {
  switch (format) {
    case "text":
      return raw;
    case "ascii-upper":
      return /^[\x20-\x7e]+$/.test(raw) ? raw.toUpperCase() : undefined;
    case "date": {
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw);
      if (!m) throw new An2kValueError(label, `date ${JSON.stringify(raw)} is not YYYY-MM-DD`);
      return `${m[1]}${m[2]}${m[3]}`;
    }
    case "sex-code": {
      const code = SEX[raw as BookingDescriptive["sex"]];
      if (!code)
        throw new An2kValueError(
          label,
          `sex ${JSON.stringify(raw)} is not one of ${Object.keys(SEX).join(", ")}`,
        );
      return code;
    }
    case "relation-code": {
      const code = RELATION[raw as NonNullable<BookingDescriptive["relation"]>];
      if (!code)
        throw new An2kValueError(
          label,
          `relation ${JSON.stringify(raw)} is not one of ${Object.keys(RELATION).join(", ")}`,
        );
      return code;
    }
  }
}
