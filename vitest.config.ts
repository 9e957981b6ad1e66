import { readdirSync } from "node:fs";
import { join } from "node:path";
import { configDefaults, defineConfig } from "vitest/config";
import { describeSkipped, isRoot, partitionByNeeds, systemProbe } from "./test/support/packages.js";

/** Test files under these folders, relative to the repo root. */
function testFiles(...dirs: string[]): string[] {
  return dirs.flatMap((dir) =>
    readdirSync(dir, { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".test.ts"))
      .map((f) => join(dir, f)),
  );
}

// Integration and e2e files name the Debian packages they need (`@needs ...`); where one is missing,
// the file is left out and listed with the apt command. `npm test` installs them first when root.
const onlyUnit = /--project[= ]unit\b/.test(process.argv.join(" "));
const { skipped } = onlyUnit
  ? { skipped: [] }
  : partitionByNeeds(testFiles("test/integration", "test/e2e"), systemProbe());
if (skipped.length) {
  const text = describeSkipped(skipped, isRoot());
  if (process.env.CI === "true") throw new Error(`CI=true, and every test must run:\n${text}`);
  // Vitest reads this file once per project; say it once.
  if (!process.env.STATION_TEST_SKIPS_SHOWN) console.warn(text);
  process.env.STATION_TEST_SKIPS_SHOWN = "1";
}
const exclude = [...configDefaults.exclude, ...skipped.map((s) => s.file)];

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Integration tests start brokers, ptys and namespaces; two cores cannot run many at once.
    maxWorkers: 2,
    fileParallelism: true,
    // `npm run coverage`: the unit project's coverage, with floors a little under today's figures on
    // drivers/ (codecs and links; 54% lines, the rest is reached by the pty tests) and contract/ (95%),
    // so a change that drops tests there fails.
    coverage: {
      provider: "v8",
      include: ["agent/**/*.ts", "drivers/**/*.ts", "contract/**/*.ts", "config/**/*.ts", "noc/**/*.ts"],
      exclude: ["**/*.test.ts"],
      reporter: ["text-summary", "html", "json-summary"],
      reportsDirectory: "coverage",
      thresholds: {
        "drivers/**/*.ts": { lines: 50, branches: 42 },
        "contract/**/*.ts": { lines: 92, branches: 82 },
      },
    },
    projects: [
      {
        extends: true,
        test: {
          // No root, no Debian packages, no network: seconds.
          name: "unit",
          include: [
            "test/unit/**/*.test.ts",
            "drivers/**/*.test.ts",
            "agent/**/*.test.ts",
            "noc/**/*.test.ts",
            "config/**/*.test.ts",
            "contract/**/*.test.ts",
          ],
        },
      },
      {
        extends: true,
        // Real brokers, ptys, namespaces, systemd sandboxes, packages.
        test: { name: "integration", include: ["test/integration/**/*.test.ts"], exclude },
      },
      {
        extends: true,
        // The NOC dashboard in headless Chromium.
        test: { name: "e2e", include: ["test/e2e/**/*.test.ts"], exclude },
      },
    ],
  },
});
