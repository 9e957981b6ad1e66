import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "test/**/*.test.ts",
      "drivers/**/*.test.ts",
      "agent/**/*.test.ts",
      "noc/**/*.test.ts",
      "config/**/*.test.ts",
      "contract/**/*.test.ts",
    ],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Integration tests start brokers, ptys and namespaces; two cores cannot run many at once.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
