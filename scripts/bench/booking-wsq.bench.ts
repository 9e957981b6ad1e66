/**
 * Booking benchmarks, WSQ and quality part (`npm run bench -- booking` runs every booking*.bench.ts):
 *  - WSQ encode and decode of a synthetic finger at 500×500 and 800×750, against NBIS cwsq/dwsq on the
 *    same image in the same run. NBIS times are whole process runs (spawn, file read and write, codec),
 *    which is what a station would pay to shell out to them; ours are in-process.
 *  - compressed size against cwsq's at 0.75 bpp, and PSNR after decode against cwsq's;
 *  - rank agreement (Spearman) of our quality score with NFIQ 1.0 on the synthetic corpus, and how many
 *    prints NFIQ rates 4-5 we would have accepted (must be 0).
 * Without the NBIS tools only our own timings are printed. Run alone: npx tsx scripts/bench/booking-wsq.bench.ts
 */
import { decodeWsq, encodeWsq } from "../../drivers/fingerprint/wsq/index.js";
import { syntheticFinger } from "../../drivers/fingerprint/synthetic/index.js";
import { cwsq, dwsq, missingNbisTools, psnr, runNbis } from "../../test/support/nbis-tools.js";
import { agreement, scoreCorpus } from "../../test/support/quality-corpus.js";
import type { BenchResult } from "./types.js";

const RUNS = 7;
/** Pure TypeScript against NIST's C: within 10× of a cwsq/dwsq process run is the target. */
const TARGET_RATIO = 10;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(fn: () => void): number {
  const times: number[] = [];
  fn(); // warm-up: JIT, caches
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

function codecRows(width: number, height: number, nbis: boolean): BenchResult[] {
  const image = syntheticFinger(3, { width, height });
  const label = `${width}×${height}`;
  const ours = encodeWsq(image);
  const encodeMs = time(() => encodeWsq(image));
  const decodeMs = time(() => decodeWsq(ours));
  if (!nbis) {
    return [
      { name: `WSQ encode ${label}`, value: round(encodeMs), unit: "ms" },
      { name: `WSQ decode ${label}`, value: round(decodeMs), unit: "ms" },
    ];
  }
  const theirs = cwsq(image, 0.75);
  const cwsqMs = time(() => cwsq(image, 0.75));
  const dwsqMs = time(() => dwsq(theirs));
  const psnrOurs = psnr(image.pixels, dwsq(ours));
  const psnrTheirs = psnr(image.pixels, dwsq(theirs));
  return [
    {
      name: `WSQ encode ${label}`,
      value: round(encodeMs),
      unit: "ms",
      baseline: { name: "cwsq process", value: round(cwsqMs) },
      ratio: round(encodeMs / cwsqMs),
      target: `<= ${TARGET_RATIO}x cwsq`,
      pass: encodeMs / cwsqMs <= TARGET_RATIO,
    },
    {
      name: `WSQ decode ${label}`,
      value: round(decodeMs),
      unit: "ms",
      baseline: { name: "dwsq process", value: round(dwsqMs) },
      ratio: round(decodeMs / dwsqMs),
      target: `<= ${TARGET_RATIO}x dwsq`,
      pass: decodeMs / dwsqMs <= TARGET_RATIO,
    },
    {
      name: `WSQ size ${label} at 0.75 bpp`,
      value: ours.length,
      unit: "B",
      baseline: { name: "cwsq", value: theirs.length },
      ratio: round(ours.length / theirs.length, 3),
      target: "within 3% of cwsq",
      pass: Math.abs(ours.length / theirs.length - 1) <= 0.03,
    },
    {
      name: `WSQ PSNR ${label} at 0.75 bpp`,
      value: round(psnrOurs),
      unit: "dB",
      baseline: { name: "cwsq", value: round(psnrTheirs) },
      ratio: round(psnrOurs / psnrTheirs, 4),
      target: "within 0.5 dB of cwsq",
      pass: Math.abs(psnrOurs - psnrTheirs) < 0.5,
    },
  ];
}

export async function run(): Promise<BenchResult[]> {
  const nbis = missingNbisTools(["cwsq", "dwsq", "nfiq"]).length === 0;
  if (!nbis)
    process.stdout.write("\n(NBIS tools not found: WSQ rows without baselines, no NFIQ agreement)\n");
  const rows = [...codecRows(500, 500, nbis), ...codecRows(800, 750, nbis)];
  if (nbis) {
    // How much of an NBIS time is process start-up rather than codec work.
    const startMs = time(() => runNbis("cwsq", ["-version"]));
    rows.push({ name: "NBIS process start-up (cwsq -version)", value: round(startMs), unit: "ms" });
    const corpus = scoreCorpus();
    const rho = agreement(corpus);
    const missed = corpus.filter((p) => p.nfiq >= 4 && p.verdict.accepted).length;
    const bad = corpus.filter((p) => p.nfiq >= 4).length;
    rows.push(
      {
        name: `quality vs NFIQ 1.0, Spearman (${corpus.length} prints)`,
        value: round(rho, 3),
        unit: "",
        target: ">= 0.6",
        pass: rho >= 0.6,
      },
      {
        name: `NFIQ 4-5 prints accepted without retake (of ${bad})`,
        value: missed,
        unit: "prints",
        target: "0",
        pass: missed === 0,
      },
    );
  }
  await Promise.resolve();
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { printResults } = await import("./types.js");
  printResults("booking-wsq", await run());
}
