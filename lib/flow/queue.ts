// pg-boss holds the durable "advance this run" jobs: if a process dies between a change and its
// follow-up, the worker picks the job up and the run still moves on.
import PgBoss from "pg-boss";

export const ADVANCE_QUEUE = "run-advance";

const globalForBoss = globalThis as unknown as { boss?: Promise<PgBoss> };

export function getBoss(options: { supervise: boolean } = { supervise: false }): Promise<PgBoss> {
  globalForBoss.boss ??= (async () => {
    const boss = new PgBoss({
      connectionString: process.env.DATABASE_URL,
      supervise: options.supervise,
      schedule: false,
      max: 4,
    });
    boss.on("error", (error) => console.error("[pg-boss]", error.message));
    await boss.start();
    await boss.createQueue(ADVANCE_QUEUE);
    return boss;
  })();
  return globalForBoss.boss;
}

export async function enqueueAdvance(runId: string) {
  const boss = await getBoss();
  await boss.send(ADVANCE_QUEUE, { runId }, { retryLimit: 5, retryDelay: 2, retryBackoff: true });
}
