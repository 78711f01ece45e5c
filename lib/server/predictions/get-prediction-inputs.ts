// Gathers, per trainer, what the cost model is fitted from: recorded transfers per host pair, past
// training runs per family, deploy and labelling benchmarks, queue waits and the current queue.
import "server-only";
import { prisma } from "@/lib/db";
import { listTransferRecords } from "@/lib/server/predictions/list-transfer-records";
import {
  fitAnalysisCost,
  fitEstimateCost,
  fitQueueWait,
  fitTraining,
  fitTransfer,
  type PerDatumFit,
  type QueueWaitFit,
  type TrainingFit,
  type TransferFit,
} from "@/lib/cost-model/fit";

const HISTORY = 200;
// Before any run, a BraggNN checkpoint is ~140 kB and CookieNetAE ~0.9 MB (state_dict of their parameters).
const DEFAULT_MODEL_BYTES: Record<string, number> = { braggnn: 140_000, cookienetae: 850_000 };

export interface EdgeRoute {
  stageIn: TransferFit;
  stageOut: TransferFit;
  estimateCost: Record<string, PerDatumFit>;
}

export interface TrainerInputs {
  trainerId: string;
  trainerName: string;
  executor: string;
  hardware: string;
  concurrency: number;
  queueDepth: number;
  queueWait: QueueWaitFit;
  agentOnline: boolean;
  training: Record<string, TrainingFit>;
  routes: Record<string, EdgeRoute>;
}

export interface PredictionInputs {
  trainers: TrainerInputs[];
  analysisCost: Record<string, PerDatumFit>;
  modelBytes: Record<string, number>;
}

export async function getPredictionInputs({
  edgeHostIds,
  now = new Date(),
}: {
  edgeHostIds: string[];
  now?: Date;
}): Promise<PredictionInputs> {
  const [trainers, edgeHosts, families] = await Promise.all([
    prisma.trainer.findMany({
      orderBy: { name: "asc" },
      include: { agents: { where: { revokedAt: null }, select: { id: true, lastHeartbeatAt: true } } },
    }),
    prisma.edgeHost.findMany({
      where: { id: { in: edgeHostIds } },
      include: { agents: { where: { revokedAt: null }, select: { id: true } } },
    }),
    prisma.modelFamily.findMany({ select: { id: true, key: true, name: true } }),
  ]);
  const onlineSince = new Date(now.getTime() - 60_000);

  const analysisCost: Record<string, PerDatumFit> = {};
  const modelBytes: Record<string, number> = {};
  for (const family of families) {
    const labelling = await prisma.measurement.findMany({
      where: { kind: "labelling", familyId: family.id },
      orderBy: { createdAt: "desc" },
      take: HISTORY,
    });
    analysisCost[family.key] = fitAnalysisCost(labelling, `${family.name} labelling`);
    const versions = await prisma.modelVersion.findMany({
      where: { familyId: family.id },
      orderBy: { createdAt: "desc" },
      take: 20,
      select: { artifactBytes: true },
    });
    modelBytes[family.key] = versions.length ? Number(versions[0].artifactBytes) : (DEFAULT_MODEL_BYTES[family.key] ?? 1_000_000);
  }

  const result: TrainerInputs[] = [];
  for (const trainer of trainers) {
    const trainerAgentIds = trainer.agents.map((a) => a.id);
    const [recentRuns, queueDepth] = await Promise.all([
      prisma.run.findMany({
        where: { trainerId: trainer.id, status: "succeeded" },
        orderBy: { createdAt: "desc" },
        take: HISTORY,
        select: {
          queueSeconds: true,
          params: true,
          family: { select: { key: true } },
          dataset: { select: { sampleCount: true } },
          steps: { where: { name: "train", status: "succeeded" }, select: { seconds: true } },
        },
      }),
      prisma.run.count({ where: { trainerId: trainer.id, status: { in: ["queued", "running"] } } }),
    ]);
    const training: Record<string, TrainingFit> = {};
    for (const family of families) {
      const records = recentRuns
        .filter((r) => r.family.key === family.key && r.steps[0]?.seconds != null)
        .map((r) => {
          const params = r.params as { epochs?: number; maxSamples?: number | null };
          return {
            samples: Math.min(r.dataset.sampleCount, params.maxSamples ?? Infinity),
            epochs: params.epochs ?? 1,
            seconds: r.steps[0].seconds ?? 0,
          };
        });
      training[family.key] = fitTraining(records, `${family.name} on ${trainer.name}`);
    }
    const routes: Record<string, EdgeRoute> = {};
    for (const edge of edgeHosts) {
      const edgeAgentIds = edge.agents.map((a) => a.id);
      const [incoming, outgoing] = await Promise.all([
        listTransferRecords(edgeAgentIds, trainerAgentIds),
        listTransferRecords(trainerAgentIds, edgeAgentIds),
      ]);
      const estimateCost: Record<string, PerDatumFit> = {};
      for (const family of families) {
        const benchmarks = await prisma.measurement.findMany({
          where: { kind: "inference", familyId: family.id, host: edge.name },
          orderBy: { createdAt: "desc" },
          take: HISTORY,
        });
        estimateCost[family.key] = fitEstimateCost(benchmarks, `${family.name} on ${edge.name}`);
      }
      routes[edge.id] = {
        stageIn: fitTransfer(incoming, `${edge.name} → ${trainer.name}`),
        stageOut: fitTransfer(outgoing, `${trainer.name} → ${edge.name}`),
        estimateCost,
      };
    }
    result.push({
      trainerId: trainer.id,
      trainerName: trainer.name,
      executor: trainer.executor,
      hardware: trainer.hardware,
      concurrency: trainer.concurrency,
      queueDepth,
      queueWait: fitQueueWait(
        recentRuns.map((r) => r.queueSeconds ?? 0),
        trainer.name,
      ),
      agentOnline: trainer.agents.some((a) => a.lastHeartbeatAt && a.lastHeartbeatAt > onlineSince),
      training,
      routes,
    });
  }
  return { trainers: result, analysisCost, modelBytes };
}
