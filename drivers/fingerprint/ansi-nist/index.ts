/** ANSI/NIST-ITL traditional encoding (1-2007 / 1-2011 / 1-2011 Update 2013): a pure codec. */
export * from "./types.js";
export { encodeTransaction, type EncodeOptions } from "./encode.js";
export { decodeTransaction, type DecodeOptions } from "./decode.js";
export {
  buildType2,
  DEFAULT_TYPE2_MAPPING,
  type BookingDescriptive,
  type Type2Format,
  type Type2Mapping,
  type Type2MappingEntry,
  type Type2Source,
} from "./type2-profile.js";
export { describeTransaction, FINGER_NAMES } from "./describe.js";
