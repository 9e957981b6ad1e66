/**
 * What a booking takes, in the order staff take it. Positions carry their ANSI/NIST-ITL finger position
 * code (FGP, Table 8 of the standard) and the plain words the CLI and the CCTNS client show.
 */
import type { FingerName } from "../../drivers/fingerprint/iso19794-4.js";
import { bookingEn } from "../i18n/booking-en.js";

export const PLANS = ["tenprint-flat", "tenprint-rolled", "slaps"] as const;
export type Plan = (typeof PLANS)[number];

export const TEN_FINGERS = [
  "right-thumb",
  "right-index",
  "right-middle",
  "right-ring",
  "right-little",
  "left-thumb",
  "left-index",
  "left-middle",
  "left-ring",
  "left-little",
] as const satisfies readonly FingerName[];
export type SingleFinger = (typeof TEN_FINGERS)[number];

export const SLAP_POSITIONS = ["right-four", "left-four", "both-thumbs"] as const;
export type SlapPosition = (typeof SLAP_POSITIONS)[number];

export type Position = SingleFinger | SlapPosition;
export const ALL_POSITIONS = [...TEN_FINGERS, ...SLAP_POSITIONS] as const;

export const FGP: Record<Position, number> = {
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
  "right-four": 13,
  "left-four": 14,
  "both-thumbs": 15,
};

/** IMP: impression type codes (ANSI/NIST-ITL Table 7). */
export const IMPRESSION_TYPE: Record<Plan, number> = {
  "tenprint-flat": 0, // live-scan plain
  "tenprint-rolled": 1, // live-scan rolled
  slaps: 0,
};

export function positionsFor(plan: Plan): Position[] {
  return plan === "slaps" ? [...SLAP_POSITIONS] : [...TEN_FINGERS];
}

/** Words for staff, e.g. "right hand, index finger" (the API's `words`; the CLI says them in Hindi too). */
export function describePosition(p: Position): string {
  return bookingEn[`position.${p}`];
}

export function isSlap(p: Position): p is SlapPosition {
  return (SLAP_POSITIONS as readonly string[]).includes(p);
}
