// Data behind the PI turnaround report and its CSV export: runs of the experiments the viewer may see, in a
// time window, each with its step times summed per step (retried attempts add up), shaped as TurnaroundRun.
import "server-only";
import { prisma } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import type { Actor } from "@/lib/auth/permissions";
import type { StepSeconds } from "@/lib/flow/breakdown";
import type { TurnaroundRun } from "@/lib/cost-model/turnaround";
import { visibleExperimentsWhere } from "@/lib/auth/visibility";
import { beamtimeOfRun } from "@/lib/turnaround/beamtime";
import { windowStart, type TurnaroundParams } from "@/lib/turnaround/params";

/** The page aggregates at most this many of the newest runs in the window; the CSV export takes more. */
export const PAGE_RUN_LIMIT = 3_000;
export const CSV_RUN_LIMIT = 100_000;

export interface TurnaroundData {
  runs: TurnaroundRun[];
  /** More runs matched than `limit`: only the newest `limit` are included. */
  truncated: boolean;
  limit: number;
  windowStart: Date | null;
  experiments: Array<{ id: string; name: string }>;
  trainers: Array<{ id: string; name: string; executor: string }>;
}

interface Row {
  id: string;
  experimentId: string;
  trainerId: string;
  status: string;
  createdAt: Date;
  endedAt: Date | null;
  endToEndSeconds: number | null;
  queueSeconds: number | null;
  controlOverheadSeconds: number | null;
  queue: number | null;
  stage_in: number | null;
  label: number | null;
  train: number | null;
  stage_out: number | null;
  deploy: number | null;
}

export async function getTurnaroundData({
  actor,
  params,
  now = new Date(),
  limit = PAGE_RUN_LIMIT,
}: {
  actor: Actor;
  params: TurnaroundParams;
  now?: Date;
  limit?: number;
}): Promise<TurnaroundData> {
  const [experiments, trainers] = await Promise.all([
    prisma.experiment.findMany({
      where: visibleExperimentsWhere(actor),
      orderBy: { name: "asc" },
      select: { id: true, name: true, beamline: true, beamtimeStart: true, beamtimeEnd: true },
    }),
    prisma.trainer.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true, executor: true } }),
  ]);
  const since = windowStart(params.days, now);
  // Visibility: only runs of experiments listed above (visibleExperimentsWhere), optionally one of them.
  const experimentIds = experiments.filter((e) => !params.experiment || e.id === params.experiment).map((e) => e.id);
  const base = {
    runs: [],
    truncated: false,
    limit,
    windowStart: since,
    experiments: experiments.map(({ id, name }) => ({ id, name })),
    trainers,
  };
  if (experimentIds.length === 0) return base;

  const conditions = [Prisma.sql`r."experimentId" = any(${experimentIds})`];
  if (since) conditions.push(Prisma.sql`r."createdAt" >= ${since}`);
  if (params.trainer) conditions.push(Prisma.sql`r."trainerId" = ${params.trainer}`);

  // Newest runs first, limited before the step sums so the lateral join touches only the rows returned.
  const rows = await prisma.$queryRaw<Row[]>`
    select r.id, r."experimentId", r."trainerId", r.status::text as status, r."createdAt", r."endedAt",
           r."endToEndSeconds", r."queueSeconds", r."controlOverheadSeconds",
           s.queue, s.stage_in, s.label, s.train, s.stage_out, s.deploy
    from (
      select r.* from "Run" r
      where ${Prisma.join(conditions, " and ")}
      order by r."createdAt" desc, r.id desc
      limit ${limit + 1}
    ) r
    left join lateral (
      select sum(st.seconds) filter (where st.name = 'queue') as queue,
             sum(st.seconds) filter (where st.name = 'stage_in') as stage_in,
             sum(st.seconds) filter (where st.name = 'label') as label,
             sum(st.seconds) filter (where st.name = 'train') as train,
             sum(st.seconds) filter (where st.name = 'stage_out') as stage_out,
             sum(st.seconds) filter (where st.name = 'deploy') as deploy
      from "RunStep" st where st."runId" = r.id
    ) s on true
    order by r."createdAt" desc, r.id desc`;

  const experimentById = new Map(experiments.map((e) => [e.id, e]));
  const trainerById = new Map(trainers.map((t) => [t.id, t]));
  const runs: TurnaroundRun[] = rows.slice(0, limit).map((row) => {
    const experiment = experimentById.get(row.experimentId)!;
    const stepSeconds: StepSeconds = {};
    const set = (key: keyof StepSeconds, value: number | null) => {
      if (value !== null && Number.isFinite(value)) stepSeconds[key] = value;
    };
    set("queue", row.queue);
    set("stageIn", row.stage_in);
    set("label", row.label);
    set("train", row.train);
    set("stageOut", row.stage_out);
    set("deploy", row.deploy);
    return {
      id: row.id,
      experimentId: row.experimentId,
      experimentName: experiment.name,
      beamtimeLabel: beamtimeOfRun(experiment, row.createdAt),
      trainerId: row.trainerId,
      trainerName: trainerById.get(row.trainerId)?.name ?? row.trainerId,
      status: row.status,
      startedAt: row.createdAt,
      endedAt: row.endedAt,
      endToEndSeconds: row.endToEndSeconds,
      stepSeconds,
      queueSeconds: row.queueSeconds,
      controlOverheadSeconds: row.controlOverheadSeconds,
    };
  });
  return { ...base, runs, truncated: rows.length > limit };
}
