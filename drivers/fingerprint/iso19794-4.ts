/**
 * ISO/IEC 19794-4:2005 finger image record ("FIR\0", version "010\0"), uncompressed 8-bit grayscale,
 * one finger, one view. Layout and code tables: NIST biomdi fir.h / fir.c / validate.c (shared/protocols.md
 * §6.1). The 2005 compression table is used (0 = uncompressed): never mix it with the 2011 ("020") one.
 */
import type { GrayImage } from "./image.js";

export const FIR_FORMAT_ID = Buffer.from("FIR\0", "latin1");
export const FIR_VERSION_2005 = Buffer.from("010\0", "latin1");
export const FIR_GENERAL_HEADER_BYTES = 32;
export const FIR_VIEW_HEADER_BYTES = 14;
/** ISO/IEC 29109-4 conformance requires 254 ("undefined") here; our own score is reported separately. */
export const FIR_QUALITY_UNDEFINED = 254;
export const FIR_SCALE_PPI = 1;
export const FIR_COMPRESSION_NONE = 0;
export const FIR_IMPRESSION_LIVE_PLAIN = 0;

/** Finger position codes (biomdi.h), keyed by the names the local API accepts. */
export const FINGER_POSITIONS = {
  unknown: 0,
  "right-thumb": 1,
  "right-index": 2,
  "right-middle": 3,
  "right-ring": 4,
  "right-little": 5,
  "left-thumb": 6,
  "left-index": 7,
  "left-middle": 8,
  "left-ring": 9,
  "left-little": 10,
} as const;
export type FingerName = keyof typeof FINGER_POSITIONS;
export const FINGER_NAMES = Object.keys(FINGER_POSITIONS) as [FingerName, ...FingerName[]];

export interface FingerImageRecordInput {
  image: GrayImage;
  finger: FingerName;
  /** Pixels per inch; R30x-class optical modules are ~500 ppi. */
  resolutionPpi: number;
  captureDeviceId?: number;
}

export interface FingerImageRecord {
  version: string;
  captureDeviceId: number;
  acquisitionLevel: number;
  scaleUnits: number;
  scanResolution: { x: number; y: number };
  imageResolution: { x: number; y: number };
  pixelDepth: number;
  compression: number;
  fingerPosition: number;
  quality: number;
  impression: number;
  image: GrayImage;
}

/** Setting level 31 is 500 ppi / 8-bit; level 30 is below 500 ppi (the validator accepts 10,20,30,31,40,41). */
function acquisitionLevel(ppi: number): number {
  if (ppi >= 1000) return 41;
  if (ppi >= 500) return 31;
  if (ppi >= 250) return 20;
  return 10;
}

export function encodeFingerImageRecord(input: FingerImageRecordInput): Buffer {
  const { image, resolutionPpi } = input;
  if (image.pixels.length !== image.width * image.height)
    throw new RangeError("pixel count does not match width × height");
  if (!Number.isInteger(resolutionPpi) || resolutionPpi <= 0 || resolutionPpi > 0xffff) {
    throw new RangeError(`resolution ${resolutionPpi} ppi is out of range`);
  }
  const viewLength = FIR_VIEW_HEADER_BYTES + image.pixels.length;
  const total = FIR_GENERAL_HEADER_BYTES + viewLength;
  const out = Buffer.alloc(total);
  FIR_FORMAT_ID.copy(out, 0);
  FIR_VERSION_2005.copy(out, 4);
  out.writeUInt16BE(Math.floor(total / 2 ** 32), 8);
  out.writeUInt32BE(total >>> 0, 10);
  out.writeUInt16BE(input.captureDeviceId ?? 0, 14);
  out.writeUInt16BE(acquisitionLevel(resolutionPpi), 16);
  out[18] = 1;
  out[19] = FIR_SCALE_PPI;
  out.writeUInt16BE(resolutionPpi, 20);
  out.writeUInt16BE(resolutionPpi, 22);
  out.writeUInt16BE(resolutionPpi, 24);
  out.writeUInt16BE(resolutionPpi, 26);
  out[28] = 8;
  out[29] = FIR_COMPRESSION_NONE;
  // 30..31 reserved, zero.
  const v = FIR_GENERAL_HEADER_BYTES;
  out.writeUInt32BE(viewLength, v);
  out[v + 4] = FINGER_POSITIONS[input.finger];
  out[v + 5] = 1;
  out[v + 6] = 1;
  out[v + 7] = FIR_QUALITY_UNDEFINED;
  out[v + 8] = FIR_IMPRESSION_LIVE_PLAIN;
  out.writeUInt16BE(image.width, v + 9);
  out.writeUInt16BE(image.height, v + 11);
  out[v + 13] = 0;
  Buffer.from(image.pixels.buffer, image.pixels.byteOffset, image.pixels.byteLength).copy(
    out,
    v + FIR_VIEW_HEADER_BYTES,
  );
  return out;
}

/** Reads back a one-view, uncompressed 8-bit record (what we write); rejects anything else clearly. */
export function decodeFingerImageRecord(bytes: Buffer): FingerImageRecord {
  if (bytes.length < FIR_GENERAL_HEADER_BYTES + FIR_VIEW_HEADER_BYTES)
    throw new RangeError("record is shorter than its headers");
  if (!bytes.subarray(0, 4).equals(FIR_FORMAT_ID))
    throw new RangeError("not a finger image record (format id is not FIR\\0)");
  const version = bytes.subarray(4, 7).toString("latin1");
  if (version !== "010") throw new RangeError(`unsupported version ${JSON.stringify(version)}`);
  const total = bytes.readUInt16BE(8) * 2 ** 32 + bytes.readUInt32BE(10);
  if (total !== bytes.length)
    throw new RangeError(`record length field says ${total}, record has ${bytes.length} bytes`);
  const compression = bytes[29]!;
  const pixelDepth = bytes[28]!;
  if (compression !== FIR_COMPRESSION_NONE || pixelDepth !== 8)
    throw new RangeError("only uncompressed 8-bit records are read");
  const v = FIR_GENERAL_HEADER_BYTES;
  const width = bytes.readUInt16BE(v + 9);
  const height = bytes.readUInt16BE(v + 11);
  const viewLength = bytes.readUInt32BE(v);
  if (viewLength !== FIR_VIEW_HEADER_BYTES + width * height || v + viewLength > bytes.length) {
    throw new RangeError("view length does not match the image size");
  }
  const start = v + FIR_VIEW_HEADER_BYTES;
  return {
    version,
    captureDeviceId: bytes.readUInt16BE(14),
    acquisitionLevel: bytes.readUInt16BE(16),
    scaleUnits: bytes[19]!,
    scanResolution: { x: bytes.readUInt16BE(20), y: bytes.readUInt16BE(22) },
    imageResolution: { x: bytes.readUInt16BE(24), y: bytes.readUInt16BE(26) },
    pixelDepth,
    compression,
    fingerPosition: bytes[v + 4]!,
    quality: bytes[v + 7]!,
    impression: bytes[v + 8]!,
    image: { width, height, pixels: new Uint8Array(bytes.subarray(start, start + width * height)) },
  };
}
