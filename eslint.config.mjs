import nextVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";

const config = [
  ...nextVitals,
  ...nextTypescript,
  {
    ignores: [
      ".next/**",
      "node_modules/**",
      "lib/generated/**",
      ".data/**",
      "test-results/**",
      "playwright-report/**",
      "zoo/**",
      "next-env.d.ts",
    ],
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // lib/server is marked `server-only`, which throws outside Next's server: the agent and the worker (run
    // under tsx), the flow they share, and components (some are client ones) may take its types, not its code.
    files: ["agent/**", "worker/**", "lib/flow/**", "components/**"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        { patterns: [{ group: ["@/lib/server/*"], allowTypeImports: true, message: "lib/server is Next server code only." }] },
      ],
    },
  },
];

export default config;
