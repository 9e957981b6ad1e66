// `npm run bench`: runs every scripts/bench/*.bench.ts (or those named on the command line) in turn.
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { printResults, type BenchResult } from "./types.js";

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();
let failed = 0;
for (const f of files) {
  const mod = (await import(join(here, f))) as { run: () => Promise<BenchResult[]> };
  try {
    const results = await mod.run();
    printResults(f.replace(".bench.ts", ""), results);
    failed += results.filter((r) => r.pass === false).length;
  } catch (e) {
    process.stdout.write(`\n## ${f}: FAILED TO RUN: ${(e as Error).message}\n`);
    failed++;
  }
}
process.stdout.write(
  `\n${failed === 0 ? "all targets met" : `${failed} target(s) missed or benches failed`}\n`,
);
