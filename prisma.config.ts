import "dotenv/config";
import path from "node:path";
import { defineConfig } from "prisma/config";

// Prisma's native schema-engine is downloaded from Prisma's binary host, which these machines cannot
// reach: every CLI command goes through the npm-only wasm stand-in instead.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.resolve("scripts/schema-engine-shim.mjs");

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations", seed: "tsx prisma/seed.ts" },
  // `generate` needs no database; migrate commands get DATABASE_URL from scripts/db.sh or the environment.
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost/unset" },
});
