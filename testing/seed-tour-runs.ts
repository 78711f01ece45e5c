// Seeds the page tour's runs (testing/tour-runs.ts) into DATABASE_URL and prints their ids by state and the
// experiments' ids by name, as one JSON line. Usage: DATABASE_URL=... node --import tsx testing/seed-tour-runs.ts
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { seedTourRuns } from "@/testing/tour-runs";

async function main() {
  const connectionString = process.env.DATABASE_URL;
  if (!connectionString) throw new Error("DATABASE_URL is not set: point it at the e2e database.");
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString, max: 2 }) });
  try {
    const runs = await seedTourRuns(prisma);
    const experiments = Object.fromEntries(
      (await prisma.experiment.findMany({ select: { id: true, name: true } })).map((e) => [e.name, e.id]),
    );
    console.log(JSON.stringify({ runs, experiments }));
  } finally {
    await prisma.$disconnect();
  }
}

await main();
