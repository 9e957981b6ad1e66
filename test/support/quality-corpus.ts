/**
 * The quality agreement corpus: the ten synthetic fingers, clean and degraded (low contrast, partial,
 * smudged, dry), scored by us and by NBIS nfiq. Shared by the oracle test and the booking bench.
 */
import { assessQuality } from "../../drivers/fingerprint/quality.js";
import { judgeQuality, type QualityVerdict } from "../../drivers/fingerprint/quality-verdict.js";
import { degrade, syntheticFinger, type Degradation } from "../../drivers/fingerprint/synthetic/index.js";
import { nfiq } from "./nbis-tools.js";

export interface CorpusPrint {
  position: number;
  variant: string;
  ours: number;
  verdict: QualityVerdict;
  nfiq: number;
}

const DAMAGE: Array<[Degradation, number]> = [
  ["low-contrast", 0.8],
  ["low-contrast", 1],
  ["partial", 0.8],
  ["partial", 1],
  ["smudged", 0.5],
  ["smudged", 1],
  ["dry", 0.8],
  ["dry", 1],
];

export function scoreCorpus(size = { width: 500, height: 500 }): CorpusPrint[] {
  const out: CorpusPrint[] = [];
  for (let position = 1; position <= 10; position++) {
    const clean = syntheticFinger(position, size);
    const variants: Array<[string, typeof clean]> = [["clean", clean]];
    for (const [kind, amount] of DAMAGE)
      variants.push([`${kind} ${amount}`, degrade(clean, kind, amount, position)]);
    for (const [variant, image] of variants) {
      const q = assessQuality(image, image.ppi);
      out.push({ position, variant, ours: q.score, verdict: judgeQuality(q), nfiq: nfiq(image, image.ppi) });
    }
  }
  return out;
}

/** Spearman's rank correlation (ties get their mean rank). */
export function spearman(a: readonly number[], b: readonly number[]): number {
  const ra = ranks(a);
  const rb = ranks(b);
  const mean = (ra.length - 1) / 2;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < ra.length; i++) {
    num += (ra[i]! - mean) * (rb[i]! - mean);
    da += (ra[i]! - mean) ** 2;
    db += (rb[i]! - mean) ** 2;
  }
  return num / Math.sqrt(da * db);
}

function ranks(v: readonly number[]): number[] {
  const order = v.map((x, i) => [x, i] as const).sort((p, q) => p[0] - q[0]);
  const r = new Array<number>(v.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    for (let k = i; k <= j; k++) r[order[k]![1]] = (i + j) / 2;
    i = j + 1;
  }
  return r;
}

/** Agreement of our score with NFIQ (whose 1 is best, so it is negated). */
export function agreement(prints: readonly CorpusPrint[]): number {
  return spearman(
    prints.map((p) => p.ours),
    prints.map((p) => -p.nfiq),
  );
}
