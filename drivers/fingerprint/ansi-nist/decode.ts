/**
 * Traditional-encoding bytes → typed transaction. Type-1 is read first; its CNT says which records
 * follow, and the decoder holds the file to that list: a missing record, an extra byte after the
 * last one, a LEN past the end or a field in the wrong form is an An2kFormatError with the offset,
 * never a crash. Records this codec does not model are kept in `otherRecords`.
 */
import { parseBinaryRecord, parseTaggedRecord, fieldLabel, type TaggedField } from "./traditional.js";
import {
  An2kFormatError,
  type An2kCompression,
  type An2kFace,
  type An2kFingerprint,
  type An2kMonitoringMode,
  type An2kScaleUnits,
  type An2kValue,
  type DecodedAn2k,
} from "./types.js";

export interface DecodeOptions {
  /** Refuse inputs larger than this; default 64 MiB (a ten-print with slaps is ~1 MB at WSQ 0.75). */
  maxBytes?: number;
}

const MAX_RECORDS = 1000;
const BINARY_TYPES = new Set([3, 4, 5, 6, 7, 8]);

export function decodeTransaction(bytes: Uint8Array, options: DecodeOptions = {}): DecodedAn2k {
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  if (bytes.length > maxBytes)
    throw new An2kFormatError(`input is ${bytes.length} bytes, more than the ${maxBytes} allowed`);
  if (bytes.length === 0) throw new An2kFormatError("input is empty");
  const t1 = parseTaggedRecord(bytes, 0, 1);
  const f1 = fieldMap(t1.fields, 1);
  const version = text1(f1, 2);
  if (!/^\d{4}$/.test(version))
    throw new An2kFormatError(`VER ${JSON.stringify(version)} is not four digits`);
  const cnt = f1.get(3);
  if (!cnt || cnt.length < 1 || cnt[0]!.length < 2) throw new An2kFormatError("1.003 CNT is missing");
  const declared = intOf(cnt[0]![1]!, "1.003");
  if (declared !== cnt.length - 1)
    throw new An2kFormatError(`1.003 CNT says ${declared} records but lists ${cnt.length - 1}`);
  if (declared > MAX_RECORDS)
    throw new An2kFormatError(`1.003 CNT lists ${declared} records, more than ${MAX_RECORDS}`);

  const out: DecodedAn2k = {
    edition: version,
    header: {
      transactionType: text1(f1, 4),
      date: text1(f1, 5),
      destinationAgency: text1(f1, 7),
      originatingAgency: text1(f1, 8),
      controlNumber: text1(f1, 9),
    },
    descriptive: { fields: [] },
    fingerprints: [],
    faces: [],
    characterSets: (f1.get(15) ?? []).map((s) => ({
      index: intOf(s[0] ?? "", "1.015"),
      name: s[1] ?? "",
      ...(s[2] ? { version: s[2] } : {}),
    })),
    nativeResolution: text1(f1, 11),
    nominalResolution: text1(f1, 12),
    unmodelledFields: [],
    otherRecords: [],
  };
  if (f1.has(6)) out.header.priority = intOf(text1(f1, 6), "1.006");
  if (f1.has(10)) out.header.controlReference = text1(f1, 10);
  if (f1.has(14)) out.header.gmt = text1(f1, 14);
  if (f1.has(13)) {
    const d = f1.get(13)![0]!;
    out.domain = { name: d[0]!, ...(d[1] ? { version: d[1] } : {}) };
  }
  for (const [tag, value] of f1)
    if (![2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15].includes(tag))
      out.unmodelledFields.push({ record: 0, type: 1, tag, value });

  let offset = t1.length;
  for (let i = 1; i < cnt.length; i++) {
    const type = intOf(cnt[i]![0] ?? "", "1.003");
    const recordNo = i;
    if (offset >= bytes.length)
      throw new An2kFormatError(`CNT lists a Type-${type} record ${recordNo} but the file ends`, offset);
    if (BINARY_TYPES.has(type)) {
      const b = parseBinaryRecord(bytes, offset, type);
      out.otherRecords.push({ type, idc: b.idc, fields: [{ tag: 999, value: b.data }] });
      offset += b.length;
      continue;
    }
    const rec = parseTaggedRecord(bytes, offset, type);
    offset += rec.length;
    const fields = fieldMap(rec.fields, type);
    // The record must be the one CNT announced: same type (checked by its tags) and same IDC.
    const listedIdc = intOf(cnt[i]![1] ?? "", "1.003");
    if (fields.has(2) && idcOf(fields) !== listedIdc)
      throw new An2kFormatError(
        `record ${recordNo} (Type-${type}) has IDC ${idcOf(fields)} but CNT lists IDC ${listedIdc}`,
        offset - rec.length,
      );
    const binary = rec.fields.find((f) => f.tag === 999)?.value;
    const image = binary instanceof Uint8Array ? binary : undefined;
    const unmodelled = (known: number[]) => {
      for (const [tag, value] of fields)
        if (!known.includes(tag)) out.unmodelledFields.push({ record: recordNo, type, tag, value });
    };
    if (type === 2) {
      for (const [tag, value] of fields) if (tag !== 2) out.descriptive.fields.push({ tag, value });
    } else if (type === 14) {
      if (!image)
        throw new An2kFormatError(
          `Type-14 record ${recordNo} has no image field 14.999`,
          offset - rec.length,
        );
      out.fingerprints.push(type14(fields, image));
      unmodelled([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 18, 20, 21, 22, 30, 904, 992]);
    } else if (type === 10) {
      if (!image)
        throw new An2kFormatError(
          `Type-10 record ${recordNo} has no image field 10.999`,
          offset - rec.length,
        );
      if (text(fields, 10, 3) !== "FACE") {
        out.otherRecords.push({ type, idc: idcOf(fields), fields: rec.fields });
        continue;
      }
      out.faces!.push(type10(fields, image));
      unmodelled([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 20, 992]);
    } else {
      out.otherRecords.push({ type, idc: fields.has(2) ? idcOf(fields) : 0, fields: rec.fields });
    }
  }
  if (offset !== bytes.length)
    throw new An2kFormatError(`${bytes.length - offset} bytes after the last record CNT lists`, offset);
  return out;
}

type FieldMap = Map<number, An2kValue> & { type?: number };

function fieldMap(fields: TaggedField[], type: number): FieldMap {
  const m: FieldMap = new Map();
  m.type = type;
  for (const f of fields) {
    if (f.value instanceof Uint8Array) continue;
    if (m.has(f.tag)) throw new An2kFormatError(`field ${fieldLabel(type, f.tag)} appears twice`);
    m.set(f.tag, f.value);
  }
  return m;
}

function text1(m: FieldMap, tag: number): string {
  return text(m, m.type ?? 0, tag);
}

function text(m: FieldMap, type: number, tag: number): string {
  const v = m.get(tag);
  if (!v) throw new An2kFormatError(`required field ${fieldLabel(type, tag)} is missing`);
  return v[0]![0]!;
}

function intOf(s: string, label: string): number {
  if (!/^\d{1,9}$/.test(s))
    throw new An2kFormatError(`${label}: ${JSON.stringify(s.slice(0, 20))} is not a number`);
  return Number(s);
}

function idcOf(m: FieldMap): number {
  return intOf(text1(m, 2), fieldLabel(m.type ?? 0, 2));
}

function num(m: FieldMap, tag: number): number {
  return intOf(text1(m, tag), fieldLabel(m.type ?? 0, tag));
}

function geometry(m: FieldMap) {
  const scaleUnits = num(m, 8);
  if (scaleUnits > 2)
    throw new An2kFormatError(`${fieldLabel(m.type ?? 0, 8)} SLC ${scaleUnits} is not 0, 1 or 2`);
  return {
    width: num(m, 6),
    height: num(m, 7),
    scaleUnits: scaleUnits as An2kScaleUnits,
    horizontalPixelScale: num(m, 9),
    verticalPixelScale: num(m, 10),
  };
}

function type14(m: FieldMap, image: Uint8Array): An2kFingerprint {
  const fp: An2kFingerprint = {
    impression: num(m, 3),
    sourceAgency: text1(m, 4),
    captureDate: text1(m, 5),
    ...geometry(m),
    compression: text1(m, 11) as An2kCompression,
    bitsPerPixel: m.has(12) ? num(m, 12) : 8,
    positions: (m.get(13) ?? []).map((s) => intOf(s[0] ?? "", "14.013")),
    image,
  };
  if (fp.positions.length === 0) throw new An2kFormatError("required field 14.013 FGP is missing");
  if (m.has(18)) {
    fp.amputations = m.get(18)!.map((s) => {
      if (s[1] !== "XX" && s[1] !== "UP")
        throw new An2kFormatError(`14.018 AMP code ${JSON.stringify(s[1])} is not XX or UP`);
      return { position: intOf(s[0] ?? "", "14.018"), code: s[1] };
    });
  }
  if (m.has(20)) fp.comment = text1(m, 20);
  if (m.has(21)) {
    fp.segments = m.get(21)!.map((s) => {
      if (s.length !== 5)
        throw new An2kFormatError("14.021 SEG subfields have 5 items (FGP, left, right, top, bottom)");
      const [position, left, right, top, bottom] = s.map((v) => intOf(v, "14.021")) as [
        number,
        number,
        number,
        number,
        number,
      ];
      return { position, left, right, top, bottom };
    });
  }
  if (m.has(22))
    fp.nistQuality = m
      .get(22)!
      .map((s) => ({ position: intOf(s[0] ?? "", "14.022"), score: intOf(s[1] ?? "", "14.022") }));
  if (m.has(30)) fp.monitoringMode = text1(m, 30) as An2kMonitoringMode;
  if (m.has(904)) {
    const [make = "", model = "", serialNumber = ""] = m.get(904)![0]!;
    fp.captureDevice = { make, model, serialNumber };
  }
  return fp;
}

function type10(m: FieldMap, image: Uint8Array): An2kFace {
  const face: An2kFace = {
    sourceAgency: text1(m, 4),
    photoDate: text1(m, 5),
    ...geometry(m),
    compression: text1(m, 11) as An2kFace["compression"],
    colorSpace: (m.has(12) ? text1(m, 12) : "UNK") as An2kFace["colorSpace"],
    image,
  };
  if (m.has(13)) face.acquisitionProfile = num(m, 13);
  if (m.has(20)) face.pose = text1(m, 20) as NonNullable<An2kFace["pose"]>;
  return face;
}
