/**
 * The typed view of an ANSI/NIST-ITL transaction as station-agent writes and reads it: one Type-1
 * header, one Type-2 descriptive record, optional Type-10 face photos and one Type-14 per finger
 * impression. Computed fields (LEN, CNT, VER, IDC ordering, DCS) are not part of these types: the
 * encoder derives them from the profile and the content, so a caller cannot get them wrong.
 * Field numbers: shared/protocols.md §6.2, NBIS chkan2k default.conf (an4 = 1-2007).
 */

/**
 * VER 1.002: 0400 = ANSI/NIST-ITL 1-2007, 0500 = 1-2011, 0501 = 1-2011 Update 2013 (the standard's
 * own note: "0501 indicates that the 2013 Updates have been included"), 0502 = 1-2011 Update 2015.
 */
export type An2kEdition = "0400" | "0500" | "0501" | "0502";

/**
 * What differs between bureaus and editions. Everything else in a record comes from the transaction.
 */
export interface An2kProfile {
  edition: An2kEdition;
  /**
   * 1.011 NSR / 1.012 NTR in pixels per millimetre ("19.69" = 500 ppi). 1-2007 requires the scanning
   * resolution; 1-2011 says "00.00" when the transaction has no Type-3..7 records. Default per
   * edition: "19.69" for 0400, "00.00" for 0500/0502.
   */
  nativeResolution?: string;
  /** 1.013 DOM, e.g. { name: "NORAM", version: "10.0" } for EBTS; absent = not written. */
  domain?: { name: string; version?: string };
  /** Write 1.014 GMT (UTC time of the transaction). Default: false for 0400, true for 0500/0502. */
  writeGmt?: boolean;
  /**
   * How text beyond 7-bit ASCII (a Devanagari name) is written in Type-2 and user-defined fields:
   * - "dcs-utf8": UTF-8, declared by 1.015 DCS "003 UTF-8" (the 1-2011 way). NBIS 5.0 refuses any
   *   file with a DCS field, so a bureau on NBIS-derived software cannot read these.
   * - "utf8-in-udf": UTF-8 without DCS, only in Type-2 (1-2007 §7.2.3 allows UTF-8 in user-defined
   *   fields as the alternative to STX/ETX escapes). Readable by NBIS.
   * - "ascii-only": refuse non-ASCII text (An2kValueError) so the CCTNS client must transliterate.
   * Default "utf8-in-udf" in every edition, so NBIS-based bureau software reads the file; a bureau
   * whose software honours DCS can ask for "dcs-utf8".
   */
  unicodeText?: "dcs-utf8" | "utf8-in-udf" | "ascii-only";
  /** 1.016 APS (1-2011 only; ignored for 0400): application profiles the transaction conforms to. */
  applicationProfiles?: Array<{ organization: string; name: string; version: string }>;
  /** 1.017 ANM (1-2011 only): destination and originating agency names. */
  agencyNames?: { destination?: string; originating?: string };
}

/** Type-1 transaction information, minus the computed LEN, VER, CNT and DCS. */
export interface An2kHeader {
  /** 1.004 TOT, e.g. "CAR" (criminal tenprint submission, answer required). */
  transactionType: string;
  /** 1.005 DAT, YYYYMMDD (local date of the transaction). */
  date: string;
  /** 1.006 PRY 1 (highest) .. 9. */
  priority?: number;
  /** 1.007 DAI: the bureau's ORI. */
  destinationAgency: string;
  /** 1.008 ORI: the station's ORI. */
  originatingAgency: string;
  /** 1.009 TCN: unique per transaction (we use the booking id). */
  controlNumber: string;
  /** 1.010 TCR: the TCN this one answers. */
  controlReference?: string;
  /** 1.014 GMT when written: YYYYMMDDhhmmssZ. The encoder fills it from `date` + now when absent. */
  gmt?: string;
}

/** One field's value: subfields of items. `[["A"]]` is a plain value; `[["A","B"],["C","D"]]` two subfields of two items. */
export type An2kValue = string[][];

/** Type-2 user-defined descriptive text: tag (3..999) → value. IDC is set by the encoder. */
export interface An2kType2 {
  fields: Array<{ tag: number; value: An2kValue }>;
}

/** Compression algorithm names (CGA) of the tagged image records. */
export type An2kCompression = "NONE" | "WSQ20" | "JPEGB" | "JPEGL" | "JP2" | "JP2L" | "PNG";

/** SLC: 0 = no scale (aspect ratio only), 1 = pixels per inch, 2 = pixels per centimetre. */
export type An2kScaleUnits = 0 | 1 | 2;

/** DMM 14.030 / 10.030 device monitoring mode. */
export type An2kMonitoringMode = "CONTROLLED" | "ASSISTED" | "OBSERVED" | "UNATTENDED" | "UNKNOWN";

/** Finger positions (FGP): 0 unknown, 1..10 right thumb .. left little, 11/12 plain thumbs, 13 right four, 14 left four, 15 both thumbs. */
export type FingerPosition = number;

/** IMP impression types used at a booking station. */
export const Impression = {
  LiveScanPlain: 0,
  LiveScanRolled: 1,
  NonLiveScanPlain: 2,
  NonLiveScanRolled: 3,
} as const;

/** AMP 14.018 codes: XX = amputation, UP = unable to print (e.g. bandaged). */
export type AmputationCode = "XX" | "UP";

/** SEG 14.021: one finger's box inside a multi-finger (slap) image, in pixels, inclusive. */
export interface FingerSegment {
  position: FingerPosition;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** Type-14 variable-resolution fingerprint image. */
export interface An2kFingerprint {
  impression: number;
  /** 14.004 SRC: the agency that captured (ORI). */
  sourceAgency: string;
  /** 14.005 FCD, YYYYMMDD. */
  captureDate: string;
  /** 14.006 HLL / 14.007 VLL. */
  width: number;
  height: number;
  /** 14.008 SLC, 14.009 THPS, 14.010 TVPS. */
  scaleUnits: An2kScaleUnits;
  horizontalPixelScale: number;
  verticalPixelScale: number;
  compression: An2kCompression;
  /** 14.012 BPX; 8 for grey fingerprints. */
  bitsPerPixel: number;
  /** 14.013 FGP: 1..6 positions; a slap lists 13/14/15 first by convention. */
  positions: FingerPosition[];
  /** 14.018 AMP: fingers that are missing or could not be printed. */
  amputations?: Array<{ position: FingerPosition; code: AmputationCode }>;
  /** 14.020 COM: free text (never a name). */
  comment?: string;
  /** 14.021 SEG: per-finger boxes in a slap image. */
  segments?: FingerSegment[];
  /** 14.022 NQM: NFIQ 1..5 per finger; 254 = not computed, 255 = failed. */
  nistQuality?: Array<{ position: FingerPosition; score: number }>;
  /** 14.030 DMM. */
  monitoringMode?: An2kMonitoringMode;
  /** 14.904 MMS make/model/serial of the scanner (1-2011 editions only; ignored for 0400). */
  captureDevice?: { make: string; model: string; serialNumber: string };
  /** 14.999 image data, compressed as `compression` says. Empty for an all-amputated placeholder. */
  image: Uint8Array;
}

/** Type-10 face photo. */
export interface An2kFace {
  /** 10.004 SRC. */
  sourceAgency: string;
  /** 10.005 PHD, YYYYMMDD. */
  photoDate: string;
  width: number;
  height: number;
  scaleUnits: An2kScaleUnits;
  horizontalPixelScale: number;
  verticalPixelScale: number;
  /** 10.011 CGA: JPEGB for a baseline JPEG. */
  compression: "JPEGB" | "JPEGL" | "JP2" | "PNG" | "NONE";
  /** 10.012 CSP. */
  colorSpace: "GRAY" | "RGB" | "SRGB" | "YCC" | "SYCC" | "UNK";
  /** 10.013 SAP subject acquisition profile (1 = unknown, 10..15 mugshot levels). */
  acquisitionProfile?: number;
  /** 10.020 POS: F = full face frontal. */
  pose?: "F" | "R" | "L" | "A" | "D";
  image: Uint8Array;
}

export interface An2kTransaction {
  header: An2kHeader;
  descriptive: An2kType2;
  fingerprints: An2kFingerprint[];
  faces?: An2kFace[];
}

/**
 * What `decodeTransaction` returns: the typed transaction plus what the file declared, and any
 * records or fields this codec does not model, kept so nothing read is silently dropped.
 */
export interface DecodedAn2k extends An2kTransaction {
  edition: string;
  /** 1.015 DCS entries: character set index → name. */
  characterSets: Array<{ index: number; name: string; version?: string }>;
  domain?: { name: string; version?: string };
  nativeResolution: string;
  nominalResolution: string;
  /** Fields of modelled records that have no typed slot, by record index (0 = Type-1). */
  unmodelledFields: Array<{ record: number; type: number; tag: number; value: An2kValue }>;
  /** Records of other types (e.g. Type-9 minutiae), as tagged fields; binary images as bytes. */
  otherRecords: Array<{
    type: number;
    idc: number;
    fields: Array<{ tag: number; value: An2kValue | Uint8Array }>;
  }>;
}

export class An2kFormatError extends Error {
  constructor(
    message: string,
    /** Byte offset in the input where the problem was found, when there is one. */
    readonly offset?: number,
  ) {
    super(offset === undefined ? message : `${message} (at byte ${offset})`);
    this.name = "An2kFormatError";
  }
}

/** Thrown by the encoder for a transaction it must not write (bad value, separator in text, ...). */
export class An2kValueError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = "An2kValueError";
  }
}
