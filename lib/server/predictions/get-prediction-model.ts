// Gathers what the turnaround prediction is fitted from — the latest calibrations of each trainer and edge
// host, the succeeded runs per (family, trainer) and (family, edge host), recorded transfers per host pair,
// labelling benchmarks, and the runs now ahead on each trainer — and fits each step's scaling model.
import "server-only";
import { prisma } from "@/lib/db";
import { fitAnalysisCost, fitTransfer } from "@/lib/cost-model/fit";
import {
  DEPLOY_FEATURES,
  FIXED_FEATURES,
  LABEL_FEATURES,
  OVERHEAD_PRIOR,
  QUEUE_PRIOR,
  TRAIN_FEATURES,
  TRANSFER_FEATURES,
  deployFeatures,
  deployPrior,
  deployValidationSamples,
  labelPrior,
  trainFeatures,
  trainPrior,
  transferFeatures,
  transferPrior,
  type EdgeCalibration,
  type EdgeModel,
  type RunAhead,
  type TrainerCalibration,
  type TrainerModel,
} from "@/lib/cost-model/launch-prediction";
import { fitScalingModel, type ScalingFit, type ScalingObservation } from "@/lib/cost-model/scaling-model";
import { parseStoredPrediction } from "@/lib/turnaround/prediction-errors";
import { listTransferRecords } from "@/lib/server/predictions/list-transfer-records";

const HISTORY = 200;
// Before any run, a BraggNN checkpoint is ~140 kB and CookieNetAE ~0.9 MB (state_dict of their parameters).
const DEFAULT_MODEL_BYTES: Record<string, number> = { braggnn: 140_000, cookienetae: 850_000 };
const ONLINE_SECONDS = 60;
/** The agent measures every 30 s while idle; an older estimate no longer says what the queue holds. */
const SCHEDULER_ESTIMATE_FRESH_SECONDS = 120;

export interface TrainerSummary {
  trainerId: string;
  trainerName: string;
  executor: string;
  hardware: string;
  agentOnline: boolean;
  /** ISO date of the newest calibration, null when never calibrated. */
  calibratedAt: string | null;
}

export interface PredictionModel {
  trainers: Array<{ summary: TrainerSummary; model: TrainerModel }>;
  /** Per edge host id. */
  edges: Record<string, EdgeModel>;
  overhead: ScalingFit;
  modelBytes: Record<string, number>;
}

type Params = { epochs?: number; batchSize?: number; maxSamples?: number | null };

/** A succeeded run's training step as an observation of the training-time model. */
function trainingObservation(run: { params: unknown; dataset: { sampleCount: number } }, seconds: number): ScalingObservation {
  const p = (run.params ?? {}) as Params;
  const samples = Math.min(run.dataset.sampleCount, p.maxSamples ?? Infinity);
  return { features: trainFeatures({ epochs: p.epochs ?? 1, samples, batchSize: p.batchSize ?? 512 }), seconds };
}

function toTrainerCalibration(
  family: string,
  c:
    | {
        startupSeconds: number | null;
        valSecondsPerDatum: number | null;
        secondsPerDatum: number;
        stepSeconds: number | null;
        batchSize: number | null;
        createdAt: Date;
      }
    | undefined,
): TrainerCalibration | null {
  if (!c || c.startupSeconds === null || c.valSecondsPerDatum === null) return null;
  return {
    family,
    startupSeconds: c.startupSeconds,
    trainSecondsPerSample: c.secondsPerDatum,
    stepSeconds: c.stepSeconds,
    valSecondsPerSample: c.valSecondsPerDatum,
    batchSize: c.batchSize ?? 512,
    at: c.createdAt.toISOString(),
  };
}

/** The training-time model of one (family, trainer): its newest calibration and its succeeded runs. */
export async function getTrainingFit({
  trainer,
  family,
}: {
  trainer: { id: string; name: string };
  family: { id: string; key: string; name: string };
}): Promise<ScalingFit> {
  const [calibration, runs] = await Promise.all([
    prisma.measurement.findFirst({
      where: { source: "calibration", kind: "training", trainerId: trainer.id, familyId: family.id },
      orderBy: { createdAt: "desc" },
    }),
    prisma.run.findMany({
      where: { trainerId: trainer.id, familyId: family.id, status: "succeeded" },
      orderBy: { createdAt: "desc" },
      take: HISTORY,
      select: {
        params: true,
        dataset: { select: { sampleCount: true } },
        steps: { where: { name: "train", status: "succeeded" }, select: { seconds: true } },
      },
    }),
  ]);
  const observations = runs.flatMap((r) => (r.steps[0]?.seconds ? [trainingObservation(r, r.steps[0].seconds)] : []));
  return fitScalingModel(
    TRAIN_FEATURES,
    observations,
    trainPrior(family.key, toTrainerCalibration(family.key, calibration ?? undefined)),
    `${family.name} training on ${trainer.name}`,
  );
}

function latestBy<T extends { createdAt: Date }>(rows: readonly T[], key: (row: T) => string): Map<string, T> {
  const latest = new Map<string, T>();
  for (const row of rows) {
    const k = key(row);
    const seen = latest.get(k);
    if (!seen || seen.createdAt < row.createdAt) latest.set(k, row);
  }
  return latest;
}

export async function getPredictionModel({
  edgeHostIds,
  now = new Date(),
}: {
  edgeHostIds: string[];
  now?: Date;
}): Promise<PredictionModel> {
  const [trainers, edgeHosts, families, calibrations, labelling] = await Promise.all([
    prisma.trainer.findMany({
      orderBy: { name: "asc" },
      include: { agents: { where: { revokedAt: null }, select: { id: true, lastHeartbeatAt: true } } },
    }),
    prisma.edgeHost.findMany({
      where: { id: { in: edgeHostIds } },
      include: { agents: { where: { revokedAt: null }, select: { id: true } } },
    }),
    prisma.modelFamily.findMany({ select: { id: true, key: true, name: true } }),
    prisma.measurement.findMany({
      where: { source: "calibration" },
      orderBy: { createdAt: "desc" },
      take: 500,
      include: { family: { select: { key: true } } },
    }),
    prisma.measurement.findMany({ where: { kind: "labelling", source: "run" }, orderBy: { createdAt: "desc" }, take: HISTORY }),
  ]);
  const familyKey = new Map(families.map((f) => [f.id, f.key]));

  const trainerCalibrations = latestBy(
    calibrations.filter((c) => c.kind === "training" && c.trainerId),
    (c) => `${c.trainerId}/${c.family.key}`,
  );
  const edgeCalibrations = latestBy(
    calibrations.filter((c) => c.kind === "inference"),
    (c) => `${c.host}/${c.family.key}`,
  );
  const trainerCalibration = (trainerId: string, family: string) =>
    toTrainerCalibration(family, trainerCalibrations.get(`${trainerId}/${family}`));
  const edgeCalibration = (host: string, family: string): EdgeCalibration | null => {
    const c = edgeCalibrations.get(`${host}/${family}`);
    if (!c || c.startupSeconds === null) return null;
    return {
      family,
      startupSeconds: c.startupSeconds,
      valSecondsPerSample: c.valSecondsPerDatum ?? c.secondsPerDatum,
      at: c.createdAt.toISOString(),
    };
  };

  const runs = await prisma.run.findMany({
    where: { status: "succeeded" },
    orderBy: { createdAt: "desc" },
    take: HISTORY * 4,
    select: {
      trainerId: true,
      edgeHostId: true,
      params: true,
      queueSeconds: true,
      controlOverheadSeconds: true,
      family: { select: { key: true } },
      dataset: { select: { sampleCount: true, bytes: true } },
      steps: { where: { status: "succeeded" }, select: { name: true, seconds: true, bytes: true, files: true, detail: true } },
    },
  });
  const stepOf = (run: (typeof runs)[number], name: string) => run.steps.find((s) => s.name === name && s.seconds !== null);

  const modelBytes: Record<string, number> = {};
  for (const family of families) {
    const version = await prisma.modelVersion.findFirst({
      where: { familyId: family.id },
      orderBy: { createdAt: "desc" },
      select: { artifactBytes: true },
    });
    modelBytes[family.key] = version ? Number(version.artifactBytes) : (DEFAULT_MODEL_BYTES[family.key] ?? 1_000_000);
  }

  const overhead = fitScalingModel(
    FIXED_FEATURES,
    runs.flatMap((r) =>
      r.controlOverheadSeconds !== null && r.controlOverheadSeconds > 0 ? [{ features: [1], seconds: r.controlOverheadSeconds }] : [],
    ),
    OVERHEAD_PRIOR,
    "control overhead",
  );

  const edges: Record<string, EdgeModel> = {};
  for (const edge of edgeHosts) {
    const deploy: Record<string, ScalingFit> = {};
    for (const family of families) {
      const observations: ScalingObservation[] = runs.flatMap((r) => {
        const step = stepOf(r, "deploy");
        if (r.edgeHostId !== edge.id || r.family.key !== family.key || !step?.seconds) return [];
        const detail = step.detail as { samples?: unknown; gate?: { inServiceVersion?: unknown } | null } | null;
        const validated = typeof detail?.samples === "number" ? detail.samples : deployValidationSamples(r.dataset.sampleCount);
        const compared = typeof detail?.gate?.inServiceVersion === "number";
        return [{ features: deployFeatures(validated, compared), seconds: step.seconds }];
      });
      deploy[family.key] = fitScalingModel(
        DEPLOY_FEATURES,
        observations,
        deployPrior(edgeCalibration(edge.name, family.key)),
        `${family.name} deploy on ${edge.name}`,
      );
    }
    edges[edge.id] = { deploy };
  }

  const onlineSince = new Date(now.getTime() - ONLINE_SECONDS * 1000);
  const result: PredictionModel["trainers"] = [];
  for (const trainer of trainers) {
    const trainerRuns = runs.filter((r) => r.trainerId === trainer.id);
    const training: Record<string, ScalingFit> = {};
    const label: Record<string, ScalingFit> = {};
    let calibratedAt: string | null = null;
    for (const family of families) {
      const calibration = trainerCalibration(trainer.id, family.key);
      if (calibration && (!calibratedAt || calibration.at > calibratedAt)) calibratedAt = calibration.at;
      const observations = trainerRuns.flatMap((r) => {
        const step = stepOf(r, "train");
        return r.family.key === family.key && step?.seconds ? [trainingObservation(r, step.seconds)] : [];
      });
      training[family.key] = fitScalingModel(
        TRAIN_FEATURES,
        observations,
        trainPrior(family.key, calibration),
        `${family.name} training on ${trainer.name}`,
      );
      const analysis = fitAnalysisCost(
        labelling.filter((m) => familyKey.get(m.familyId) === family.key),
        `${family.name} labelling`,
      );
      const labelRuns = trainerRuns.flatMap((r) => {
        const step = stepOf(r, "label");
        return r.family.key === family.key && step?.seconds ? [{ features: [1, r.dataset.sampleCount], seconds: step.seconds }] : [];
      });
      label[family.key] = fitScalingModel(
        LABEL_FEATURES,
        labelRuns,
        labelPrior(
          { value: analysis.secondsPerDatum.value, source: analysis.basis.source === "measured" ? "runs" : "paper" },
          calibration?.startupSeconds ?? null,
        ),
        `${family.name} labelling on ${trainer.name}`,
      );
    }

    const trainerAgentIds = trainer.agents.map((a) => a.id);
    const stageIn: Record<string, ScalingFit> = {};
    const stageOut: Record<string, ScalingFit> = {};
    for (const edge of edgeHosts) {
      const edgeAgentIds = edge.agents.map((a) => a.id);
      const [incoming, outgoing] = await Promise.all([
        listTransferRecords(edgeAgentIds, trainerAgentIds),
        listTransferRecords(trainerAgentIds, edgeAgentIds),
      ]);
      const routeRuns = trainerRuns.filter((r) => r.edgeHostId === edge.id);
      for (const [name, records, into, route] of [
        ["stage_in", incoming, stageIn, `${edge.name} → ${trainer.name}`],
        ["stage_out", outgoing, stageOut, `${trainer.name} → ${edge.name}`],
      ] as const) {
        const transfer = fitTransfer(records, route);
        const observations = routeRuns.flatMap((r) => {
          const step = stepOf(r, name);
          return step?.seconds && step.bytes !== null
            ? [{ features: transferFeatures(Number(step.bytes), step.files ?? 1), seconds: step.seconds }]
            : [];
        });
        into[edge.id] = fitScalingModel(
          TRANSFER_FEATURES,
          observations,
          transferPrior(
            transfer.basis.source === "measured"
              ? {
                  startupSeconds: transfer.startupSeconds.value,
                  bytesPerSecond: transfer.bytesPerSecond.value,
                  measured: transfer.basis.points,
                  probes: records.filter((r) => r.probe).length,
                }
              : null,
          ),
          `${name === "stage_in" ? "stage-in" : "stage-out"} ${route}`,
        );
      }
    }

    const queue = fitScalingModel(
      FIXED_FEATURES,
      // Only runs that found a slot free tell the idle dispatch time; waits behind others come from `ahead`.
      trainerRuns.flatMap((r) =>
        r.queueSeconds !== null && r.queueSeconds > 0 && r.queueSeconds < 5 ? [{ features: [1], seconds: r.queueSeconds }] : [],
      ),
      QUEUE_PRIOR,
      `dispatch on ${trainer.name}`,
    );
    result.push({
      summary: {
        trainerId: trainer.id,
        trainerName: trainer.name,
        executor: trainer.executor,
        hardware: trainer.hardware,
        agentOnline: trainer.agents.some((a) => a.lastHeartbeatAt && a.lastHeartbeatAt > onlineSince),
        calibratedAt,
      },
      model: {
        trainerId: trainer.id,
        trainerName: trainer.name,
        concurrency: trainer.concurrency,
        ahead: await runsAhead(trainer, now),
        schedulerStart: schedulerStart(trainer, now),
        queue,
        training,
        label,
        stageIn,
        stageOut,
      },
    });
  }
  return { trainers: result, edges, overhead, modelBytes };
}

/** Slurm's start estimate the trainer's agent brought (sbatch --test-only), while fresh: queues change by the minute. */
function schedulerStart(trainer: { schedulerStartSeconds: number | null; schedulerEstimatedAt: Date | null }, now: Date) {
  const at = trainer.schedulerEstimatedAt;
  if (trainer.schedulerStartSeconds === null || !at || now.getTime() - at.getTime() > SCHEDULER_ESTIMATE_FRESH_SECONDS * 1000) return null;
  return { seconds: Math.max(0, trainer.schedulerStartSeconds - (now.getTime() - at.getTime()) / 1000), at: at.toISOString() };
}

/**
 * The queued and running runs on a trainer with the slot time each still needs: its own stored prediction
 * of the slot-holding steps (stage-in, label, train) minus the time it has run so far.
 */
async function runsAhead(trainer: { id: string; name: string }, now: Date): Promise<RunAhead[]> {
  const rows = await prisma.run.findMany({
    where: { trainerId: trainer.id, status: { in: ["queued", "running"] } },
    orderBy: { createdAt: "asc" },
    select: { status: true, predicted: true, startedAt: true },
  });
  return rows.map((row) => {
    const prediction = parseStoredPrediction(row.predicted, trainer);
    const slotSeconds = prediction
      ? prediction.steps.stageIn.seconds + (prediction.steps.label?.seconds ?? 0) + prediction.steps.train.seconds
      : 0;
    const elapsed = row.startedAt ? (now.getTime() - row.startedAt.getTime()) / 1000 : 0;
    return { status: row.status as RunAhead["status"], remainingSeconds: Math.max(0, slotSeconds - elapsed) };
  });
}
