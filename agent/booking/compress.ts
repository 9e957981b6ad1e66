/**
 * The image codec of the record's Type-14s. Loaded when a record is sealed, not at start: the codec's
 * tables are memory a station holds only while sealing.
 */
import type { RecordProfile } from "./record.js";

export function compressor(_bitrate: number): RecordProfile["compress"] {
  // Until the WSQ codec is merged: uncompressed 8-bit grey (CGA NONE), which ANSI/NIST-ITL allows.
  return (image) => ({ data: image.pixels, cga: "NONE" });
}
