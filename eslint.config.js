import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", ".state/**", "coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-imports": "off",
    },
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
