export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** The same work done by the reference tool in the same run (raw mqtt publish, line rate, iputils ping). */
  baseline?: { name: string; value: number };
  ratio?: number;
  target?: string;
  pass?: boolean;
}

export function printResults(title: string, results: BenchResult[]): void {
  process.stdout.write(
    `\n## ${title}\n\n| measure | value | baseline | ratio | target | met |\n|---|---|---|---|---|---|\n`,
  );
  for (const r of results) {
    const base = r.baseline ? `${r.baseline.name}: ${fmt(r.baseline.value)}` : "";
    const ratio = r.ratio === undefined ? "" : r.ratio.toFixed(2);
    const met = r.pass === undefined ? "" : r.pass ? "yes" : "NO";
    process.stdout.write(
      `| ${r.name} | ${fmt(r.value)} ${r.unit} | ${base} | ${ratio} | ${r.target ?? ""} | ${met} |\n`,
    );
  }
}

function fmt(n: number): string {
  return Math.abs(n) >= 100 ? Math.round(n).toLocaleString("en-US") : n.toFixed(2);
}
