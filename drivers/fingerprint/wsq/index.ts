export { encodeWsq, DEFAULT_WSQ_BITRATE, type WsqImage, type WsqEncodeOptions } from "./encoder.js";
export { decodeWsq, type DecodedWsq } from "./decoder.js";
export { WsqFormatError } from "./errors.js";
