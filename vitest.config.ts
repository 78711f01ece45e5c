import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Two projects: "unit" is pure logic (no services); "integration" needs the PostgreSQL,
// Slurm and PyTorch that scripts/test.sh brings up, and runs its files one at a time.
export default defineConfig({
  resolve: {
    tsconfigPaths: true,
    // Tests call lib/server's data functions in Node, outside Next's react-server condition where the
    // `server-only` marker resolves to its empty module; resolve it the same way here.
    alias: { "server-only": fileURLToPath(new URL("node_modules/server-only/empty.js", import.meta.url)) },
  },
  test: {
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["**/*.test.ts"], exclude: ["**/node_modules/**", "**/*.int.test.ts", "e2e/**"] },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["**/*.int.test.ts"],
          exclude: ["**/node_modules/**"],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
