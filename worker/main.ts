// The flow worker: handles durable "advance run" jobs from pg-boss and sweeps leases every few seconds.
// Safe to kill at any moment and to run more than one: all changes go through row-locked advanceRun.
import "dotenv/config";
import { ADVANCE_QUEUE, getBoss } from "@/lib/flow/queue";
import { advanceRun } from "@/lib/flow/advance-run";
import { extendLeases, sweep } from "@/lib/flow/sweep";
import { flowConfig } from "@/lib/flow/config";

const SWEEP_MS = Number(process.env.SWEEP_INTERVAL_MS ?? 2000);

async function main() {
  const boss = await getBoss({ supervise: true });
  await boss.work<{ runId: string }>(ADVANCE_QUEUE, { pollingIntervalSeconds: 0.5, batchSize: 5 }, async (jobs) => {
    for (const job of jobs) await advanceRun(job.data.runId);
  });
  let sweeping = false;
  let lastSweepAt = Date.now();
  const timer = setInterval(async () => {
    if (sweeping) return;
    sweeping = true;
    try {
      // Cut off from PostgreSQL for longer than a lease: so were the agents; renew their leases first.
      if (Date.now() - lastSweepAt > flowConfig.leaseSeconds * 1000) {
        await extendLeases();
        console.log("[worker] back after an outage: leases renewed");
      }
      const { lost } = await sweep();
      lastSweepAt = Date.now();
      if (lost) console.log(`[worker] ${lost} task(s) lost their agent`);
    } catch (error) {
      console.error("[worker] sweep failed (will retry):", (error as Error).message);
    } finally {
      sweeping = false;
    }
  }, SWEEP_MS);
  console.log(`[worker] ready (sweep every ${SWEEP_MS} ms)`);
  const stop = async () => {
    clearInterval(timer);
    await boss.stop({ graceful: true, wait: false }).catch(() => {});
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((error) => {
  console.error("[worker] fatal:", error);
  process.exit(1);
});
