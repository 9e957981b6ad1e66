import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "noc/public/**", ".state/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-imports": "off",
    },
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
