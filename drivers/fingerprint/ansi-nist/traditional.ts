/**
 * ANSI/NIST-ITL "traditional" encoding of tagged-field records, with no knowledge of what the
 * fields mean: `T.NNN:value`, fields separated by GS, subfields by RS, items by US, the record ended
 * by FS; LEN (T.001) counts the whole record including its own digits and the FS. The image field
 * (T.999) is binary and always last, so its extent comes from LEN, not from a separator.
 */
import { An2kFormatError, An2kValueError, type An2kValue } from "./types.js";

export const FS = 0x1c;
export const GS = 0x1d;
export const RS = 0x1e;
export const US = 0x1f;

export interface TaggedField {
  tag: number;
  value: An2kValue | Uint8Array;
}

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder("utf-8", { fatal: true });

export function fieldLabel(type: number, tag: number): string {
  return `${type}.${String(tag).padStart(3, "0")}`;
}

/** Writes one record; LEN is computed and must not be among `fields`. */
export function encodeTaggedRecord(type: number, fields: TaggedField[]): Uint8Array {
  const sorted = [...fields].sort((a, b) => a.tag - b.tag);
  const parts: Uint8Array[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const { tag, value } = sorted[i]!;
    const label = fieldLabel(type, tag);
    if (tag === 1) throw new An2kValueError(label, "LEN is computed by the encoder");
    if (!Number.isInteger(tag) || tag < 2 || tag > 999)
      throw new An2kValueError(label, "field number out of range");
    if (i > 0 && sorted[i - 1]!.tag === tag) throw new An2kValueError(label, "field given twice");
    const isBinary = value instanceof Uint8Array;
    if (isBinary !== (tag === 999))
      throw new An2kValueError(label, isBinary ? "only field 999 is binary" : "field 999 must be bytes");
    const body = isBinary ? value : encodeText(value, label);
    parts.push(utf8.encode(`${label}:`), body, Uint8Array.of(i === sorted.length - 1 ? FS : GS));
  }
  const rest = parts.reduce((n, p) => n + p.length, 0);
  const lenPrefix = `${fieldLabel(type, 1)}:`;
  // LEN counts its own digits: grow the digit count until the total is stable.
  let total = lenPrefix.length + 1 + 1 + rest;
  while (lenPrefix.length + String(total).length + 1 + rest !== total)
    total = lenPrefix.length + String(total).length + 1 + rest;
  const out = new Uint8Array(total);
  let pos = writeAscii(out, 0, `${lenPrefix}${total}`);
  out[pos++] = sorted.length === 0 ? FS : GS;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

function encodeText(value: An2kValue, label: string): Uint8Array {
  if (value.length === 0 || value.some((s) => s.length === 0))
    throw new An2kValueError(label, "a field needs at least one subfield of at least one item");
  for (const sub of value)
    for (const item of sub) {
      if (typeof item !== "string") throw new An2kValueError(label, "items are strings");
      // eslint-disable-next-line no-control-regex
      if (/[\x00-\x1f\x7f]/.test(item))
        throw new An2kValueError(label, "control characters (separators) are not allowed in text");
    }
  return utf8.encode(value.map((sub) => sub.join("\x1f")).join("\x1e"));
}

function writeAscii(out: Uint8Array, pos: number, s: string): number {
  for (let i = 0; i < s.length; i++) out[pos++] = s.charCodeAt(i);
  return pos;
}

export interface ParsedRecord {
  type: number;
  /** Byte length (LEN). */
  length: number;
  fields: TaggedField[];
}

const MAX_FIELDS_PER_RECORD = 10_000;

/**
 * Reads one tagged record of the expected type at `offset`. Every malformation is an
 * An2kFormatError naming the byte offset: a missing tag, a LEN past the end, text that is not
 * UTF-8, a record that does not end with FS.
 */
export function parseTaggedRecord(bytes: Uint8Array, offset: number, type: number): ParsedRecord {
  const first = readTag(bytes, offset, type);
  if (first.tag !== 1)
    throw new An2kFormatError(`record type ${type} does not start with its LEN field`, offset);
  let p = first.next;
  let len = 0;
  const lenStart = p;
  while (p < bytes.length && bytes[p] !== GS && bytes[p] !== FS) {
    const d = bytes[p]! - 0x30;
    if (d < 0 || d > 9 || p - lenStart >= 10)
      throw new An2kFormatError(`LEN of record type ${type} is not a number`, p);
    len = len * 10 + d;
    p++;
  }
  if (p === lenStart || p >= bytes.length)
    throw new An2kFormatError(`LEN of record type ${type} is missing or unterminated`, lenStart);
  if (len < p - offset + 1)
    throw new An2kFormatError(`LEN ${len} of record type ${type} is shorter than its own field`, lenStart);
  if (offset + len > bytes.length)
    throw new An2kFormatError(
      `record type ${type} declares ${len} bytes but only ${bytes.length - offset} remain`,
      lenStart,
    );
  const end = offset + len;
  if (bytes[end - 1] !== FS)
    throw new An2kFormatError(`record type ${type} does not end with FS at its declared length`, end - 1);
  const fields: TaggedField[] = [];
  if (bytes[p] === FS) {
    if (p !== end - 1) throw new An2kFormatError("FS before the record's declared end", p);
    return { type, length: len, fields };
  }
  p++; // past the GS after LEN
  while (p < end) {
    if (fields.length >= MAX_FIELDS_PER_RECORD)
      throw new An2kFormatError(`more than ${MAX_FIELDS_PER_RECORD} fields in one record`, p);
    const t = readTag(bytes, p, type);
    p = t.next;
    if (t.tag === 999) {
      fields.push({ tag: 999, value: new Uint8Array(bytes.subarray(p, end - 1)) });
      p = end;
      break;
    }
    let q = p;
    while (q < end && bytes[q] !== GS && bytes[q] !== FS) q++;
    if (q >= end) throw new An2kFormatError(`field ${fieldLabel(type, t.tag)} runs past the record end`, p);
    if (bytes[q] === FS && q !== end - 1) throw new An2kFormatError("FS before the record's declared end", q);
    fields.push({ tag: t.tag, value: decodeText(bytes.subarray(p, q), fieldLabel(type, t.tag), p) });
    p = q + 1;
  }
  return { type, length: len, fields };
}

function readTag(bytes: Uint8Array, offset: number, type: number): { tag: number; next: number } {
  let p = offset;
  let recType = 0;
  let tag = 0;
  let digits = 0;
  while (p < bytes.length && bytes[p] !== 0x2e && digits < 3) {
    const d = bytes[p]! - 0x30;
    if (d < 0 || d > 9) break;
    recType = recType * 10 + d;
    digits++;
    p++;
  }
  if (digits === 0 || bytes[p] !== 0x2e)
    throw new An2kFormatError("expected a field tag like 14.013:", offset);
  p++;
  digits = 0;
  while (p < bytes.length && bytes[p] !== 0x3a && digits < 9) {
    const d = bytes[p]! - 0x30;
    if (d < 0 || d > 9) break;
    tag = tag * 10 + d;
    digits++;
    p++;
  }
  if (digits === 0 || bytes[p] !== 0x3a)
    throw new An2kFormatError("expected a field tag like 14.013:", offset);
  if (recType !== type)
    throw new An2kFormatError(`field tag ${recType}.${tag} inside a record of type ${type}`, offset);
  if (tag < 1 || tag > 999) throw new An2kFormatError(`field number ${tag} out of range`, offset);
  return { tag, next: p + 1 };
}

function decodeText(bytes: Uint8Array, label: string, offset: number): An2kValue {
  let text: string;
  try {
    text = utf8Strict.decode(bytes);
  } catch {
    throw new An2kFormatError(`field ${label} is not valid UTF-8 text`, offset);
  }
  return text.split("\x1e").map((sub) => sub.split("\x1f"));
}

/** Binary records (Types 3-8): 4-byte big-endian LEN then IDC; returned whole. */
export function parseBinaryRecord(
  bytes: Uint8Array,
  offset: number,
  type: number,
): { length: number; idc: number; data: Uint8Array } {
  if (offset + 5 > bytes.length) throw new An2kFormatError(`binary record type ${type} is truncated`, offset);
  const len =
    ((bytes[offset]! << 24) >>> 0) +
    (bytes[offset + 1]! << 16) +
    (bytes[offset + 2]! << 8) +
    bytes[offset + 3]!;
  if (len < 5 || offset + len > bytes.length)
    throw new An2kFormatError(
      `binary record type ${type} declares ${len} bytes but ${bytes.length - offset} remain`,
      offset,
    );
  return { length: len, idc: bytes[offset + 4]!, data: new Uint8Array(bytes.subarray(offset, offset + len)) };
}
