/**
 * Issue 14, dependencies: every runtime dependency is pinned exactly (what was reviewed in
 * docs/security.md is what ships), and systeminformation stays past its command-injection fixes.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
};

const newer = (a: string, b: string): boolean => {
  const [x, y] = [a, b].map((v) => v.split(".").map(Number));
  for (let i = 0; i < 3; i++) if (x![i] !== y![i]) return x![i]! > y![i]!;
  return true;
};

describe("runtime dependencies", () => {
  it("are pinned to exact versions, are installed at those versions, and are reviewed", () => {
    const review = readFileSync(join(ROOT, "docs/security.md"), "utf8");
    for (const [name, version] of Object.entries(pkg.dependencies)) {
      expect(version, name).toMatch(/^\d+\.\d+\.\d+$/);
      const installed = JSON.parse(
        readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8"),
      ) as { version: string };
      expect(installed.version, name).toBe(version);
      expect(review, `docs/security.md reviews ${name}`).toContain(`| \`${name}\``);
    }
  });

  it("systeminformation is at or past 5.31.7 (CVE-2026-50289, the last command injection fixed)", () => {
    expect(newer(pkg.dependencies.systeminformation!, "5.31.7")).toBe(true);
  });
});
