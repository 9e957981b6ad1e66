// @needs mosquitto
/**
 * The commands in the docs run as written (issue 19, item 15): every shell block marked `docs-test` in
 * docs/*.md runs in its own network namespace (so 1883 and 8790 are free) until its check passes.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { docBlocks, runDocBlock } from "../../scripts/docs-commands.js";
import { ROOT } from "../support/agent-process.js";

const blocks = readdirSync(join(ROOT, "docs"))
  .filter((f) => f.endsWith(".md"))
  .flatMap((f) => docBlocks(join(ROOT, "docs", f)));

describe("commands in the docs", () => {
  it("finds the marked blocks (docs/noc.md's quick start at least)", () => {
    expect(blocks.some((b) => b.file.endsWith("docs/noc.md") && b.script.includes("simulate-stations"))).toBe(
      true,
    );
  });

  for (const b of blocks) {
    it(
      `${b.file.slice(ROOT.length + 1)}:${b.line} runs as written`,
      async () => {
        const r = await runDocBlock(b, ROOT);
        expect(r.ok, r.output).toBe(true);
      },
      (b.timeoutS + 30) * 1000,
    );
  }
});
