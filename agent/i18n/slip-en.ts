/**
 * The slip labels' keys (slip.arrestMemo ...), in English: the printer driver's own defaults
 * (drivers/printer/slip-labels.ts), so the English words live in one place.
 */
import { ENGLISH_SLIP_LABELS, type SlipLabels } from "../../drivers/printer/slip-labels.js";

export type SlipKey = `slip.${keyof SlipLabels}`;

export const slipEn = Object.fromEntries(
  Object.entries(ENGLISH_SLIP_LABELS).map(([k, v]) => [`slip.${k}`, v]),
) as Record<SlipKey, string>;
