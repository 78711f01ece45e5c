// The sweeper declares a task lost in one transaction that re-checks the lease (issue 10 #17), on a real
// database: another connection holds the task's row while the sweep runs, as a heartbeat would.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Stack, waitFor } from "@/testing/stack";
import { launchInTest } from "@/testing/launch";

process.env.AGENT_OFFLINE_SECONDS = "2";
let stack: Stack;
let db: pg.Client;

beforeAll(async () => {
  stack = await Stack.create({ name: "sweep" });
  process.env.DATABASE_URL = stack.databaseUrl;
  db = new pg.Client({ connectionString: stack.databaseUrl });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await stack?.stop();
});

/** A run whose stage-in task is leased by the trainer's agent, its lease expired five minutes ago (one run per trainer: a slot each). */
async function runWithExpiredLease(trainer: "local-cpu" | "slurm-cluster") {
  // The agents look live and reachable, so the run gets as far as a task (no agent process is needed).
  await stack.prisma.agent.updateMany({ data: { lastHeartbeatAt: new Date(), dataPlaneUrl: "http://127.0.0.1:9" } });
  const run = await launchInTest(stack, { trainer });
  const task = await stack.prisma.task.findFirstOrThrow({ where: { runId: run.id } });
  await db.query(`update "Task" set status = 'leased', "leasedAt" = now(), "leaseExpiresAt" = now() - interval '5 minutes' where id = $1`, [
    task.id,
  ]);
  return { run, task };
}

async function state(taskId: string) {
  const task = await stack.prisma.task.findUniqueOrThrow({ where: { id: taskId }, include: { step: true } });
  const lostLines = await stack.prisma.runLog.count({ where: { runId: task.runId, line: { contains: "lease" } } });
  return { task: task.status, step: task.step.status, lostLines };
}

describe("#17 the sweeper's writes", () => {
  it("#17 a lease renewed between the sweep's read and its write is not declared lost", async () => {
    const { sweep } = await import("@/lib/flow/sweep");
    const { task } = await runWithExpiredLease("local-cpu");
    const holder = new pg.Client({ connectionString: stack.databaseUrl });
    await holder.connect();
    await holder.query("begin");
    await holder.query(`select id from "Task" where id = $1 for update`, [task.id]);
    const sweeping = sweep();
    // The sweep has read the expired lease and now waits for the row, as it would behind a heartbeat.
    await waitFor("the sweep to wait for the task's row", async () => {
      const { rows } = await db.query(
        `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
      );
      return rows[0].n > 0;
    });
    await holder.query(`update "Task" set "leaseExpiresAt" = now() + interval '1 minute' where id = $1`, [task.id]);
    await holder.query("commit");
    await holder.end();
    await sweeping;
    expect(await state(task.id)).toEqual({ task: "leased", step: "running", lostLines: 0 });
  });

  it("#17 declaring a task lost is atomic: a failure part-way leaves task and step as they were", async () => {
    const { sweep } = await import("@/lib/flow/sweep");
    const { run, task } = await runWithExpiredLease("slurm-cluster");
    // The log line is the sweep's last write: make the database refuse it, as if the worker died there.
    await db.query(
      `create or replace function refuse_log() returns trigger language plpgsql as $$ begin raise exception 'log refused'; end $$`,
    );
    await db.query(
      `create trigger refuse_log before insert on "RunLog" for each row when (new."runId" = '${run.id}') execute function refuse_log()`,
    );
    await expect(sweep()).rejects.toThrow("log refused");
    expect(await state(task.id)).toEqual({ task: "leased", step: "running", lostLines: 0 });

    await db.query(`drop trigger refuse_log on "RunLog"`);
    await sweep();
    expect(await state(task.id)).toEqual({ task: "lost", step: "lost", lostLines: 1 });
  });
});
