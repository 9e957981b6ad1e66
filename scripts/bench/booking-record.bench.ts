/**
 * Size of the ANSI/NIST-ITL record a booking seals (`npm run bench -- booking` runs this with the
 * booking bench):
 *  - a `tenprint-flat` booking: ten distinct synthetic 500×500 fingers, our WSQ at 0.75, one Type-14
 *    each, against the same record built with NBIS cwsq's WSQ in the same run (target ≤ 1.10×);
 *  - the record's own overhead (Type-1, Type-2 and the Type-14 text fields), against the images;
 *  - a `slaps` booking: the three 1600×1500 slaps with SEG, against the raw pixels.
 * `tenprintRecordBytes()` is exported for other benches.
 * Run alone: npx tsx scripts/bench/booking-record.bench.ts
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  buildType2,
  encodeTransaction,
  type An2kFingerprint,
  type An2kProfile,
  type An2kTransaction,
} from "../../drivers/fingerprint/ansi-nist/index.js";
import { composeSlap } from "../../drivers/fingerprint/emulator/slap-image.js";
import { segmentSlap } from "../../drivers/fingerprint/slap-segmentation.js";
import { SLAP_POSITION, type SlapKind } from "../../drivers/fingerprint/slap-scanner.js";
import { syntheticFinger } from "../../drivers/fingerprint/synthetic/index.js";
import { encodeWsq } from "../../drivers/fingerprint/wsq/index.js";
import { cwsq, missingNbisTools } from "../../test/support/nbis-tools.js";
import type { BenchResult } from "./types.js";

const PROFILE: An2kProfile = { edition: "0400" };
const SIZE = 500;

function record(positions: number[], image: Uint8Array, width: number, height: number): An2kFingerprint {
  return {
    impression: 0,
    sourceAgency: "MH0120300",
    captureDate: "20261204",
    width,
    height,
    scaleUnits: 1,
    horizontalPixelScale: 500,
    verticalPixelScale: 500,
    compression: "WSQ20",
    bitsPerPixel: 8,
    positions,
    nistQuality: positions.length === 1 ? [{ position: positions[0]!, score: 2 }] : [],
    image,
  };
}

function transaction(fingerprints: An2kFingerprint[]): An2kTransaction {
  return {
    header: {
      transactionType: "CAR",
      date: "20261204",
      destinationAgency: "MHNAFIS00",
      originatingAgency: "MH0120300",
      controlNumber: "BK-20261204-0001",
    },
    descriptive: buildType2({
      reference: "FIR 123/2026",
      name: "रमेश कुमार",
      nameLatin: "Ramesh Kumar",
      relation: "father",
      relativeName: "सुरेश कुमार",
      sex: "male",
      dateOfBirth: "1990-01-02",
      arrestingOfficer: "SI A. Patil 4411",
    }),
    fingerprints,
  };
}

/** The sealed record's size for ten flat 500×500 fingers at WSQ `bitrate`, and its parts. */
export function tenprintRecordBytes(bitrate = 0.75): {
  recordBytes: number;
  imageBytes: number;
  overheadBytes: number;
} {
  const fingers = Array.from({ length: 10 }, (_, i) => {
    const f = syntheticFinger(i + 1, { width: SIZE, height: SIZE });
    return record([i + 1], encodeWsq(f, { bitrate }), SIZE, SIZE);
  });
  const recordBytes = encodeTransaction(transaction(fingers), PROFILE).length;
  const imageBytes = fingers.reduce((n, f) => n + f.image.length, 0);
  return { recordBytes, imageBytes, overheadBytes: recordBytes - imageBytes };
}

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const ours = tenprintRecordBytes(0.75);
  if (missingNbisTools(["cwsq"]).length === 0) {
    const theirs = Array.from({ length: 10 }, (_, i) =>
      record([i + 1], cwsq(syntheticFinger(i + 1, { width: SIZE, height: SIZE }), 0.75), SIZE, SIZE),
    );
    const baseline = encodeTransaction(transaction(theirs), PROFILE).length;
    const ratio = ours.recordBytes / baseline;
    results.push({
      name: "tenprint-flat record (10 × 500×500, WSQ 0.75)",
      value: ours.recordBytes,
      unit: "B",
      baseline: { name: "same record with NBIS cwsq 0.75", value: baseline },
      ratio: round(ratio),
      target: "<= 1.10x",
      pass: ratio <= 1.1,
    });
  } else {
    results.push({
      name: "tenprint-flat record (10 × 500×500, WSQ 0.75) [no cwsq baseline]",
      value: ours.recordBytes,
      unit: "B",
    });
  }
  results.push({
    name: "record overhead (Type-1, Type-2, Type-14 fields)",
    value: ours.overheadBytes,
    unit: "B",
    baseline: { name: "WSQ image bytes", value: ours.imageBytes },
    ratio: round(ours.overheadBytes / ours.imageBytes, 4),
    target: "<= 0.02x",
    pass: ours.overheadBytes / ours.imageBytes <= 0.02,
  });

  const slaps: An2kFingerprint[] = [];
  let raw = 0;
  for (const kind of ["right-four", "left-four", "thumbs"] as SlapKind[]) {
    const { image } = composeSlap(kind, { phalanges: true });
    raw += image.pixels.length;
    const seg = segmentSlap(image, { kind });
    slaps.push({
      ...record([SLAP_POSITION[kind]], encodeWsq({ ...image, ppi: 500 }), image.width, image.height),
      segments: seg.segments.map(({ position, left, right, top, bottom }) => ({
        position,
        left,
        right,
        top,
        bottom,
      })),
    });
  }
  const slapBytes = encodeTransaction(transaction(slaps), PROFILE).length;
  results.push({
    name: "slaps record (3 × 1600×1500 with SEG, WSQ 0.75)",
    value: slapBytes,
    unit: "B",
    baseline: { name: "raw 8-bit pixels", value: raw },
    ratio: round(slapBytes / raw, 4),
    target: "<= 0.10x",
    pass: slapBytes / raw <= 0.1,
  });
  return results;
}

function round(v: number, digits = 3): number {
  return Math.round(v * 10 ** digits) / 10 ** digits;
}

if (process.argv[1] && existsSync(process.argv[1]) && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { printResults } = await import("./types.js");
  printResults("booking-record", await run());
}
