/** The fixed words on printed slips in the station's language, from the slip keys of the catalogue alone. */
import { ENGLISH_SLIP_LABELS, type SlipLabels } from "../../drivers/printer/slip-labels.js";
import type { Lang } from "../i18n/format.js";
import type { SlipKey } from "../i18n/slip-en.js";
import { slipHi } from "../i18n/slip-hi.js";

export function slipLabels(lang: Lang): SlipLabels {
  if (lang === "en") return ENGLISH_SLIP_LABELS;
  const names = Object.keys(ENGLISH_SLIP_LABELS) as (keyof SlipLabels)[];
  return Object.fromEntries(
    names.map((k) => [k, slipHi[`slip.${k}` satisfies SlipKey]]),
  ) as unknown as SlipLabels;
}

/**
 * The labels a slip can carry: Hindi ones need a Devanagari font, so without one the slip keeps its
 * English labels and still prints (undefined: the driver's English default).
 */
export function slipLabelsFor(lang: Lang, rasterizer?: { hasDevanagari: boolean }): SlipLabels | undefined {
  return lang === "hi" && rasterizer?.hasDevanagari ? slipLabels("hi") : undefined;
}
