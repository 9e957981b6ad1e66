// Our quality score and verdict against NBIS nfiq (NFIQ 1.0) on the synthetic corpus.
import { beforeAll, expect, it } from "vitest";
import { agreement, scoreCorpus, spearman, type CorpusPrint } from "../support/quality-corpus.js";
import { describeWithNbis } from "../support/nbis.js";

describeWithNbis("quality against NFIQ 1.0", ["nfiq"], () => {
  let corpus: CorpusPrint[];
  beforeAll(() => {
    corpus = scoreCorpus();
  }, 300_000);

  it("ranks prints as nfiq does (Spearman ≥ 0.6)", () => {
    const rho = agreement(corpus);
    expect(rho, `Spearman ${rho.toFixed(3)}`).toBeGreaterThanOrEqual(0.6);
  });

  it("asks for a retake wherever nfiq says 4 or 5, with a reason", () => {
    const bad = corpus.filter((p) => p.nfiq >= 4);
    expect(bad.length).toBeGreaterThan(10); // the corpus really contains bad prints
    for (const p of bad) {
      expect(p.verdict.accepted, `finger ${p.position} ${p.variant}: ours ${p.ours}, nfiq ${p.nfiq}`).toBe(
        false,
      );
      expect(p.verdict.reason.length).toBeGreaterThan(10);
      expect(p.verdict.nfiqEquivalent).toBeGreaterThanOrEqual(4);
    }
  });

  it("accepts the clean fingers, and names the damage it sees", () => {
    for (const p of corpus.filter((c) => c.variant === "clean")) {
      expect(p.verdict, `finger ${p.position}`).toMatchObject({ accepted: true, nfiqEquivalent: 1 });
    }
    const problems = (variant: string): Set<string | null> =>
      new Set(corpus.filter((p) => p.variant === variant).map((p) => p.verdict.problem));
    expect(problems("low-contrast 1")).toEqual(new Set(["faint"]));
    expect(problems("partial 1")).toEqual(new Set(["partial"]));
    expect(problems("smudged 1")).toEqual(new Set(["smudged"]));
  });

  it("spearman itself is right on known cases", () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1);
    expect(spearman([1, 2, 2, 3], [1, 2, 2, 3])).toBeCloseTo(1);
  });
});
