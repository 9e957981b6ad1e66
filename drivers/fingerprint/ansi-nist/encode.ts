/**
 * Typed transaction → traditional-encoding bytes. The encoder owns the computed fields (LEN, VER,
 * CNT, IDC, DCS, NSR/NTR defaults, GMT) and the rules that differ by edition:
 * - 0400 (1-2007): NSR/NTR are the scanning resolution "19.69"; GMT only when asked for; text
 *   beyond ASCII only in Type-2, undeclared (1-2007 allows UTF-8 in user-defined fields).
 * - 0500/0501/0502 (1-2011, Update 2013, Update 2015): NSR/NTR "00.00" (no Type-3..7 records);
 *   GMT by default; MMS (xx.904) when given; from 0501 on every image record carries xx.992 T2C, the
 *   IDC of the Type-2 record it belongs to (mandatory since the 2013 update);
 *   UTF-8 declared by DCS 003 and allowed in the text fields of Type-2 and Type-14; APS and ANM may
 *   be written. Type-1 stays 7-bit ASCII in every edition. `profile.unicodeText` overrides.
 */
import { encodeTaggedRecord, fieldLabel, type TaggedField } from "./traditional.js";
import {
  An2kValueError,
  type An2kFace,
  type An2kFingerprint,
  type An2kProfile,
  type An2kTransaction,
  type An2kValue,
} from "./types.js";

export interface EncodeOptions {
  /** The clock for GMT when the header has none (the codec reads no clock itself when given one). */
  now?: Date;
}

/** Largest IDC a 2-character field holds; also bounds the records per transaction. */
const MAX_IDC = 99;

export function encodeTransaction(
  tx: An2kTransaction,
  profile: An2kProfile,
  options: EncodeOptions = {},
): Uint8Array {
  const faces = tx.faces ?? [];
  if (tx.fingerprints.length + faces.length > MAX_IDC)
    throw new An2kValueError("1.003", `at most ${MAX_IDC} image records per transaction`);
  const unicodeMode = profile.unicodeText ?? "utf8-in-udf";
  const unicodeBeyondType2 = unicodeMode === "dcs-utf8";
  let usesUtf8 = false;
  const noteText = (label: string, s: string, utf8Allowed: boolean): string => {
    if (/^[\x20-\x7e]*$/.test(s)) return s;
    if (!utf8Allowed || unicodeMode === "ascii-only")
      throw new An2kValueError(
        label,
        `must be 7-bit ASCII (profile: edition ${profile.edition}, unicodeText ${unicodeMode})`,
      );
    usesUtf8 = true;
    return s;
  };

  const type2Fields: TaggedField[] = [{ tag: 2, value: one(idc(0)) }];
  for (const f of tx.descriptive.fields) {
    const label = fieldLabel(2, f.tag);
    if (f.tag <= 2 || f.tag >= 999)
      throw new An2kValueError(label, "Type-2 fields are 2.003..2.998 (LEN and IDC are computed)");
    for (const sub of f.value) for (const item of sub) noteText(label, item, true);
    type2Fields.push({ tag: f.tag, value: f.value });
  }

  const imageRecords: Array<{ type: number; fields: TaggedField[] }> = [];
  let nextIdc = 1;
  for (const fp of tx.fingerprints) {
    imageRecords.push({
      type: 14,
      fields: type14Fields(fp, nextIdc++, profile, (l, s) => noteText(l, s, unicodeBeyondType2)),
    });
  }
  for (const face of faces) imageRecords.push({ type: 10, fields: type10Fields(face, nextIdc++, profile) });

  const type1 = type1Fields(tx, profile, options, usesUtf8 && unicodeMode === "dcs-utf8", [
    { type: 2, idc: 0 },
    ...imageRecords.map((r, i) => ({ type: r.type, idc: i + 1 })),
  ]);
  const records = [
    encodeTaggedRecord(1, type1),
    encodeTaggedRecord(2, type2Fields),
    ...imageRecords.map((r) => encodeTaggedRecord(r.type, r.fields)),
  ];
  const out = new Uint8Array(records.reduce((n, r) => n + r.length, 0));
  let pos = 0;
  for (const r of records) {
    out.set(r, pos);
    pos += r.length;
  }
  return out;
}

function type1Fields(
  tx: An2kTransaction,
  profile: An2kProfile,
  options: EncodeOptions,
  usesUtf8: boolean,
  contents: Array<{ type: number; idc: number }>,
): TaggedField[] {
  const h = tx.header;
  const legacy = profile.edition === "0400";
  const ascii = (tag: number, s: string, pattern?: RegExp, what?: string): An2kValue => {
    const label = fieldLabel(1, tag);

    if (!/^[\x20-\x7e]+$/.test(s))
      throw new An2kValueError(label, "must be non-empty 7-bit ASCII (Type-1 is ASCII in every edition)");
    if (pattern && !pattern.test(s)) throw new An2kValueError(label, `${JSON.stringify(s)} is not ${what}`);
    return one(s);
  };
  const resolution = profile.nativeResolution ?? (legacy ? "19.69" : "00.00");
  const fields: TaggedField[] = [
    { tag: 2, value: one(profile.edition) },
    { tag: 3, value: [["1", String(contents.length)], ...contents.map((c) => [String(c.type), idc(c.idc)])] },
    {
      tag: 4,
      value: ascii(4, h.transactionType, /^[A-Z0-9]{1,16}$/, "an upper-case transaction type like CAR"),
    },
    { tag: 5, value: ascii(5, h.date, /^\d{8}$/, "a YYYYMMDD date") },
    { tag: 7, value: ascii(7, h.destinationAgency) },
    { tag: 8, value: ascii(8, h.originatingAgency) },
    { tag: 9, value: ascii(9, h.controlNumber) },
    { tag: 11, value: ascii(11, resolution, /^\d{2}\.\d{2}$/, "NN.NN pixels per millimetre") },
    { tag: 12, value: ascii(12, resolution, /^\d{2}\.\d{2}$/, "NN.NN pixels per millimetre") },
  ];
  if (h.priority !== undefined) {
    if (!Number.isInteger(h.priority) || h.priority < 1 || h.priority > 9)
      throw new An2kValueError("1.006", "PRY is 1..9");
    fields.push({ tag: 6, value: one(String(h.priority)) });
  }
  if (h.controlReference !== undefined) fields.push({ tag: 10, value: ascii(10, h.controlReference) });
  if (profile.domain) {
    const d = [profile.domain.name, ...(profile.domain.version ? [profile.domain.version] : [])];
    fields.push({ tag: 13, value: [d.map((s) => ascii(13, s)[0]![0]!)] });
  }
  if (profile.writeGmt ?? !legacy) {
    const gmt = h.gmt ?? gmtOf(options.now ?? new Date());
    fields.push({ tag: 14, value: ascii(14, gmt, /^\d{14}Z$/, "YYYYMMDDhhmmssZ") });
  }
  if (usesUtf8) fields.push({ tag: 15, value: [["003", "UTF-8"]] });
  if (!legacy && profile.applicationProfiles?.length) {
    fields.push({
      tag: 16,
      value: profile.applicationProfiles.map((a) =>
        [a.organization, a.name, a.version].map((s) => ascii(16, s)[0]![0]!),
      ),
    });
  }
  if (
    !legacy &&
    profile.agencyNames &&
    (profile.agencyNames.destination || profile.agencyNames.originating)
  ) {
    fields.push({
      tag: 17,
      value: [[profile.agencyNames.destination ?? "", profile.agencyNames.originating ?? ""]],
    });
  }
  return fields;
}

function type14Fields(
  fp: An2kFingerprint,
  id: number,
  profile: An2kProfile,
  text: (label: string, s: string) => string,
): TaggedField[] {
  const label = (tag: number) => fieldLabel(14, tag);
  checkImageGeometry(14, fp);
  if (fp.positions.length < 1 || fp.positions.length > 6)
    throw new An2kValueError(label(13), "FGP lists 1..6 positions");
  for (const p of fp.positions) checkPosition(label(13), p);
  if (!Number.isInteger(fp.impression) || fp.impression < 0 || fp.impression > 99)
    throw new An2kValueError(label(3), "IMP is 0..99");
  if (!Number.isInteger(fp.bitsPerPixel) || fp.bitsPerPixel < 1 || fp.bitsPerPixel > 99)
    throw new An2kValueError(label(12), "BPX is 1..99");
  const fields: TaggedField[] = [
    { tag: 2, value: one(idc(id)) },
    { tag: 3, value: one(String(fp.impression)) },
    { tag: 4, value: one(text(label(4), sourceAgency(label(4), fp.sourceAgency, profile))) },
    { tag: 5, value: one(date(label(5), fp.captureDate)) },
    ...geometryFields(fp),
    { tag: 11, value: one(fp.compression) },
    { tag: 12, value: one(String(fp.bitsPerPixel)) },
    { tag: 13, value: fp.positions.map((p) => [String(p)]) },
    { tag: 999, value: fp.image },
  ];
  if (fp.amputations?.length) {
    if (fp.amputations.length > 4 && profile.edition === "0400")
      throw new An2kValueError(label(18), "AMP holds at most 4 entries in 1-2007");
    fields.push({
      tag: 18,
      value: fp.amputations.map((a) => (checkPosition(label(18), a.position), [String(a.position), a.code])),
    });
  }
  if (fp.comment !== undefined)
    fields.push({ tag: 20, value: one(text(label(20), nonEmpty(label(20), fp.comment))) });
  if (fp.segments?.length) {
    fields.push({
      tag: 21,
      value: fp.segments.map((s) => {
        checkPosition(label(21), s.position);
        for (const v of [s.left, s.right, s.top, s.bottom])
          if (!Number.isInteger(v) || v < 0 || v > 9999)
            throw new An2kValueError(label(21), "SEG coordinates are 0..9999 pixels");
        if (s.left > s.right || s.top > s.bottom || s.right >= fp.width || s.bottom >= fp.height)
          throw new An2kValueError(
            label(21),
            `segment of finger ${s.position} is not inside the ${fp.width}×${fp.height} image`,
          );
        return [s.position, s.left, s.right, s.top, s.bottom].map(String);
      }),
    });
  }
  if (fp.nistQuality?.length) {
    fields.push({
      tag: 22,
      value: fp.nistQuality.map((q) => {
        checkPosition(label(22), q.position);
        if (
          !((q.score >= 1 && q.score <= 5) || q.score === 254 || q.score === 255) ||
          !Number.isInteger(q.score)
        )
          throw new An2kValueError(label(22), "NQM is NFIQ 1..5, 254 (not computed) or 255 (failed)");
        return [String(q.position), String(q.score)];
      }),
    });
  }
  if (fp.monitoringMode !== undefined) fields.push({ tag: 30, value: one(fp.monitoringMode) });
  if (fp.captureDevice && profile.edition !== "0400") {
    const d = fp.captureDevice;
    fields.push({
      tag: 904,
      value: [[d.make, d.model, d.serialNumber].map((v) => nonEmpty(label(904), asciiOnly(label(904), v)))],
    });
  }
  fields.push(...crossReference(profile));
  return fields;
}

function type10Fields(face: An2kFace, id: number, profile: An2kProfile): TaggedField[] {
  checkImageGeometry(10, face);
  const fields: TaggedField[] = [
    { tag: 2, value: one(idc(id)) },
    { tag: 3, value: one("FACE") },
    { tag: 4, value: one(asciiOnly("10.004", sourceAgency("10.004", face.sourceAgency, profile))) },
    { tag: 5, value: one(date("10.005", face.photoDate)) },
    ...geometryFields(face),
    { tag: 11, value: one(face.compression) },
    { tag: 12, value: one(face.colorSpace) },
    { tag: 999, value: face.image },
  ];
  // SAP is required for faces from 1-2011 on; "1" = unknown profile.
  const sap = face.acquisitionProfile ?? (profile.edition === "0400" ? undefined : 1);
  if (sap !== undefined) fields.push({ tag: 13, value: one(String(sap)) });
  if (face.pose !== undefined) fields.push({ tag: 20, value: one(face.pose) });
  fields.push(...crossReference(profile));
  return fields;
}

/** xx.992 T2C: which Type-2 record an image belongs to; mandatory from the 2013 update (0501) on. */
function crossReference(profile: An2kProfile): TaggedField[] {
  return profile.edition === "0501" || profile.edition === "0502" ? [{ tag: 992, value: one(idc(0)) }] : [];
}

function geometryFields(img: {
  width: number;
  height: number;
  scaleUnits: number;
  horizontalPixelScale: number;
  verticalPixelScale: number;
}): TaggedField[] {
  return [
    { tag: 6, value: one(String(img.width)) },
    { tag: 7, value: one(String(img.height)) },
    { tag: 8, value: one(String(img.scaleUnits)) },
    { tag: 9, value: one(String(img.horizontalPixelScale)) },
    { tag: 10, value: one(String(img.verticalPixelScale)) },
  ];
}

function checkImageGeometry(
  type: number,
  img: {
    width: number;
    height: number;
    scaleUnits: number;
    horizontalPixelScale: number;
    verticalPixelScale: number;
  },
): void {
  for (const [tag, v, max] of [
    [6, img.width, 99999],
    [7, img.height, 99999],
    [9, img.horizontalPixelScale, 9999],
    [10, img.verticalPixelScale, 9999],
  ] as const) {
    if (!Number.isInteger(v) || v < 1 || v > max)
      throw new An2kValueError(fieldLabel(type, tag), `must be an integer 1..${max}`);
  }
  if (![0, 1, 2].includes(img.scaleUnits)) throw new An2kValueError(fieldLabel(type, 8), "SLC is 0, 1 or 2");
}

function checkPosition(label: string, p: number): void {
  if (!Number.isInteger(p) || p < 0 || p > 50)
    throw new An2kValueError(label, `finger position ${p} is not 0..50`);
}

/** SRC: 1-2007 wants 9 to 35 characters (an NCIC-style ORI is 9); 1-2011 only non-empty. */
function sourceAgency(label: string, s: string, profile: An2kProfile): string {
  nonEmpty(label, s);
  if (profile.edition === "0400" && (s.length < 9 || s.length > 35))
    throw new An2kValueError(
      label,
      `SRC is 9 to 35 characters in 1-2007, ${JSON.stringify(s)} has ${s.length}`,
    );
  return s;
}

function nonEmpty(label: string, s: string): string {
  if (s === "") throw new An2kValueError(label, "must not be empty");
  return s;
}

function asciiOnly(label: string, s: string): string {
  if (!/^[\x20-\x7e]*$/.test(s)) throw new An2kValueError(label, "must be 7-bit ASCII");
  return s;
}

function date(label: string, s: string): string {
  if (!/^\d{8}$/.test(s)) throw new An2kValueError(label, `${JSON.stringify(s)} is not a YYYYMMDD date`);
  return s;
}

function idc(n: number): string {
  return String(n).padStart(2, "0");
}

function one(s: string): An2kValue {
  return [[s]];
}

function gmtOf(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, "").slice(0, 14) + "Z";
}
