/**
 * A finished session → one ANSI/NIST-ITL transaction (docs/booking.md, "Record profile"):
 *   Type-1  TOT/DAI/ORI/TCN from config, DAT = sealing date, edition from config;
 *   Type-2  the descriptive data through the state's Type-2 mapping;
 *   Type-14 one per kept impression: IMP, FGP, CGA WSQ20, HLL/VLL, SLC 1 + THPS/TVPS = ppi, BPX 8, NQM,
 *           AMP (an own Type-14 with a blank image per finger not printed), SEG for slaps, DMM ASSISTED;
 *           COM "retake limit reached" when the best of the rejected takes was kept.
 * The record is built in memory only; the caller encrypts it before anything touches the disk.
 */
import {
  buildType2,
  encodeTransaction,
  DEFAULT_TYPE2_MAPPING,
  type An2kCompression,
  type An2kEdition,
  type An2kFingerprint,
  type Type2Mapping,
} from "../../drivers/fingerprint/ansi-nist/index.js";
import type { GrayImage } from "../../drivers/fingerprint/image.js";
import { SLAP_FINGERS } from "../../drivers/fingerprint/slap-scanner.js";
import { FGP, IMPRESSION_TYPE, isSlap, type Position } from "./plan.js";
import type { RecordInput } from "./seal.js";

export interface RecordProfile {
  edition: An2kEdition;
  ori: string;
  dai: string;
  tot: string;
  type2?: Type2Mapping;
  /** Image compression: WSQ at the configured bitrate in the agent; CGA names the algorithm. */
  /** The dimensions returned are those of the compressed image (a small sensor's image may be padded). */
  compress: (
    image: GrayImage,
    resolutionPpi: number,
  ) => { data: Uint8Array; cga: An2kCompression; width: number; height: number };
}

export const FLAGGED_COMMENT = "RETAKE LIMIT REACHED; BEST OF REJECTED TAKES";

export function buildTransaction(input: RecordInput, profile: RecordProfile): Uint8Array {
  const { session, sealedAt } = input;
  const date = yyyymmdd(sealedAt);
  const fingerprints: An2kFingerprint[] = [];
  for (const p of session.positions) {
    const kept = p.best;
    if (p.annotation) {
      fingerprints.push(annotatedRecord(p.position, p.annotation, session.plan, profile, sealedAt));
      continue;
    }
    if (!kept) continue;
    const image = input.images.get(p.position);
    if (!image) throw new Error(`image of ${p.position} is missing`);
    const { data, cga, width, height } = profile.compress(image, kept.resolutionPpi);
    const fgp = FGP[p.position];
    const nqm = kept.nfiq ?? 254;
    fingerprints.push({
      impression: IMPRESSION_TYPE[session.plan],
      sourceAgency: profile.ori,
      captureDate: yyyymmdd(new Date(kept.capturedAt)),
      width,
      height,
      scaleUnits: 1,
      horizontalPixelScale: kept.resolutionPpi,
      verticalPixelScale: kept.resolutionPpi,
      compression: cga,
      bitsPerPixel: 8,
      positions: [fgp],
      nistQuality: kept.segments?.length
        ? kept.segments.map((s) => ({ position: s.fgp, score: nqm }))
        : [{ position: fgp, score: nqm }],
      ...(kept.segments?.length
        ? {
            segments: kept.segments.map((s) => ({
              position: s.fgp,
              left: s.left,
              right: s.right,
              top: s.top,
              bottom: s.bottom,
            })),
          }
        : {}),
      ...(p.flagged ? { comment: FLAGGED_COMMENT } : {}),
      monitoringMode: "ASSISTED",
      image: data,
    });
  }
  if (fingerprints.every((f) => f.amputations !== undefined)) {
    throw new Error("every position is marked as not printable: there is no impression to send");
  }
  const descriptive = buildType2(
    { ...session.person, arrestDate: session.person.arrestDate ?? isoDate(sealedAt) },
    profile.type2 ?? DEFAULT_TYPE2_MAPPING,
  );
  return encodeTransaction(
    {
      header: {
        transactionType: profile.tot,
        date,
        destinationAgency: profile.dai,
        originatingAgency: profile.ori,
        controlNumber: input.tcn,
      },
      descriptive,
      fingerprints,
      ...(input.photo && session.photo
        ? {
            faces: [
              {
                sourceAgency: profile.ori,
                photoDate: yyyymmdd(new Date(session.photo.takenAt)),
                width: session.photo.width,
                height: session.photo.height,
                scaleUnits: 0 as const,
                horizontalPixelScale: 1,
                verticalPixelScale: 1,
                compression: "JPEGB" as const,
                colorSpace: session.photo.colorSpace,
                pose: "F" as const,
                image: input.photo,
              },
            ],
          }
        : {}),
    },
    { edition: profile.edition },
    { now: sealedAt },
  );
}

function yyyymmdd(d: Date): string {
  return isoDate(d).replace(/-/g, "");
}

/** Station-local calendar date: the TZ is the station's (agent/app.ts sets it), no Intl needed. */
function isoDate(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

const BLANK_SIDE = 256;

/**
 * A finger (or a whole slap) that could not be printed gets its own Type-14: its position, AMP naming
 * the finger(s) with XX (amputated) or UP (unable to print), and a blank placeholder image, as live-scan
 * stations send it. One record per position also keeps AMP within the four entries 1-2007 allows.
 */
function annotatedRecord(
  position: Position,
  annotation: "amputated" | "unable-to-print",
  plan: RecordInput["session"]["plan"],
  profile: RecordProfile,
  sealedAt: Date,
): An2kFingerprint {
  const fgp = FGP[position];
  const fingers = isSlap(position) ? SLAP_FINGERS[position === "both-thumbs" ? "thumbs" : position] : [fgp];
  const blank = {
    width: BLANK_SIDE,
    height: BLANK_SIDE,
    pixels: new Uint8Array(BLANK_SIDE * BLANK_SIDE).fill(255),
  };
  const { data, cga, width, height } = profile.compress(blank, 500);
  return {
    impression: IMPRESSION_TYPE[plan],
    sourceAgency: profile.ori,
    captureDate: yyyymmdd(sealedAt),
    width,
    height,
    scaleUnits: 1,
    horizontalPixelScale: 500,
    verticalPixelScale: 500,
    compression: cga,
    bitsPerPixel: 8,
    positions: [fgp],
    // 254: no score computed, there is no print to score.
    nistQuality: [{ position: fgp, score: 254 }],
    amputations: fingers.map((f) => ({ position: f, code: annotation === "amputated" ? "XX" : "UP" })),
    monitoringMode: "ASSISTED",
    image: data,
  };
}
