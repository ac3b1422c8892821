// Lint rules for the whole repository: ESLint's and typescript-eslint's recommended sets, with the
// few exceptions this code base relies on spelled out.
import eslint from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", ".bench-build/", ".plan-out/", ".scratch/", "**/*.js", "**/*.mjs"] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // Unused arguments are allowed when named with a leading underscore (destructuring to drop a field).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true }],
    },
  },
  {
    // Tests reach into SDK internals (Output.isKnown, Output.promise) that the SDK's types do not expose.
    files: ["test/**/*.ts", "bench/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
);
