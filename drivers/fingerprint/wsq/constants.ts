/** Markers, filter bank and subband layout constants of the FBI WSQ specification (v3.1). */

export const Marker = {
  SOI: 0xffa0,
  EOI: 0xffa1,
  SOF: 0xffa2,
  SOB: 0xffa3,
  DTT: 0xffa4,
  DQT: 0xffa5,
  DHT: 0xffa6,
  DRT: 0xffa7,
  COM: 0xffa8,
} as const;

/** The 9-tap analysis lowpass and 7-tap analysis highpass of the 7/9 biorthogonal filter bank. */
export const ANALYSIS_LOWPASS: readonly number[] = [
  0.03782845550699546, -0.02384946501938, -0.11062440441842342, 0.3774028556126538, 0.85269867900940344,
  0.3774028556126538, -0.11062440441842342, -0.02384946501938, 0.03782845550699546,
];
export const ANALYSIS_HIGHPASS: readonly number[] = [
  0.06453888262893845, -0.04068941760955844, -0.41809227322221221, 0.78848561640566439, -0.41809227322221221,
  -0.04068941760955844, 0.06453888262893845,
];

/** 64 subbands are laid out; the last four (the finest diagonal detail) are never coded. */
export const NUM_SUBBANDS = 60;
export const MAX_SUBBANDS = 64;
/** Huffman blocks: subbands 0-18 (table 0), 19-51 and 52-59 (table 1). */
export const START_SUBBAND_2 = 19;
export const START_SUBBAND_3 = 52;
/** Subband size regions for the bit allocation (the spec's m = 1024, 256, 16). */
export const START_SIZE_REGION_2 = 4;
export const START_SIZE_REGION_3 = 51;
/** Subbands with variance below this get no bits. */
export const VARIANCE_THRESHOLD = 1.01;
/** Reconstruction point inside a quantizer bin (the spec's C). */
export const BIN_CENTER = 0.44;

/** Huffman symbol alphabet: 1-100 zero runs, 101-106 escapes, 107-254 coefficients -73..74. */
export const MAX_ZERO_RUN_SYMBOL = 100;
export const MAX_COEFF = 74;
export const MIN_COEFF = 1 - MAX_COEFF;
export const COEFF_OFFSET = 180;
export const Escape = {
  POS_8: 101,
  NEG_8: 102,
  POS_16: 103,
  NEG_16: 104,
  ZRUN_8: 105,
  ZRUN_16: 106,
} as const;

/** NBIS refuses images smaller than this (the decomposition needs room for five levels). */
export const MIN_DIMENSION = 256;
