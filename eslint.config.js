import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", ".state/**", "coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // Rules that need the types (floating promises, awaits of non-promises, unsafe any), for TypeScript.
  ...tseslint.configs.recommendedTypeChecked.map((c) => ({ ...c, files: ["**/*.ts"] })),
  {
    files: ["**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Async methods implement Promise-returning ports (Service.start, Storage.close...); without an
      // await inside, `async` still turns a throw into a rejection, which is what callers handle.
      "@typescript-eslint/require-await": "off",
      // String() of an `unknown` cell (a parsed JSON payload, a database row) is how such values are
      // shown; an object there would be a bug the value checks after it catch.
      "@typescript-eslint/no-base-to-string": "off",
    },
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-imports": "off",
    },
  },
  {
    // vitest's asymmetric matchers (expect.any, expect.objectContaining) and JSON.parse are typed any,
    // and expect(obj.method).toBeTypeOf("function") names a method without calling it.
    files: ["test/**/*.ts"],
    rules: {
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/unbound-method": "off",
    },
  },
  {
    // Row codecs and dialects are plain objects of functions that never use `this`.
    files: ["noc/storage/**/*.ts"],
    rules: { "@typescript-eslint/unbound-method": "off" },
  },
  {
    // The dashboard's browser script: tsc checks its names against the DOM (noc/public/tsconfig.json),
    // which no-undef cannot know.
    files: ["noc/public/**/*.js"],
    languageOptions: { sourceType: "script" },
    rules: { "no-undef": "off" },
  },
  {
    files: ["drivers/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/agent/**", "**/config/**", "**/noc/**", "mqtt"],
              message: "drivers/ import nothing above them",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["noc/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["**/agent/**", "**/drivers/**"], message: "noc/ uses only the contract" }] },
      ],
    },
  },
  {
    files: ["contract/**/*.ts", "config/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/agent/**", "**/noc/**", "mqtt"],
              message: "contract/ and config/ sit below agent/ and noc/",
            },
          ],
        },
      ],
    },
  },
);
