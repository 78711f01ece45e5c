// Data behind the cost-model page: for one (model family, trainer, edge host) it gathers the recorded
// transfers, datasets, model sizes, benchmarks and training runs, and turns them into the paper's parameters.
import "server-only";
import { prisma } from "@/lib/db";
import { listTransferRecords } from "@/lib/server/predictions/list-transfer-records";
import type { Actor } from "@/lib/auth/permissions";
import { fitAnalysisCost, fitEstimateCost, fitTransfer } from "@/lib/cost-model/fit";
import { visibleExperimentsWhere } from "@/lib/auth/visibility";
import type { CostModelParams } from "@/lib/turnaround/params";
import { measuredParameterSet, type ParameterSet } from "@/lib/cost-model/parameters";
import { getTrainingFit } from "@/lib/server/predictions/get-prediction-model";
import { predictScaling } from "@/lib/cost-model/scaling-model";
import { trainFeatures } from "@/lib/cost-model/launch-prediction";

/** How many recent records each fit looks at. */
const HISTORY = 200;

export interface Option {
  id: string;
  name: string;
}

export interface MeasuredParameters {
  families: Array<{ key: string; name: string }>;
  trainers: Option[];
  edgeHosts: Option[];
  /** Null when the facility has no family, trainer or edge host registered yet. */
  selection: { family: { id: string; key: string; name: string }; trainer: Option; edge: Option } | null;
  parameters: ParameterSet | null;
  /** The dataset size to mark on the plot: the median sample count of the family's datasets. */
  typicalN: number | null;
}

export async function getMeasuredParameters({ actor, params }: { actor: Actor; params: CostModelParams }): Promise<MeasuredParameters> {
  const [families, trainers, edgeHosts] = await Promise.all([
    prisma.modelFamily.findMany({ select: { id: true, key: true, name: true, defaultHyperParameters: true }, orderBy: { name: "asc" } }),
    prisma.trainer.findMany({ select: { id: true, name: true, agents: { select: { id: true } } }, orderBy: { name: "asc" } }),
    prisma.edgeHost.findMany({ select: { id: true, name: true, agents: { select: { id: true } } }, orderBy: { name: "asc" } }),
  ]);
  const lists = {
    families: families.map(({ key, name }) => ({ key, name })),
    trainers: trainers.map(({ id, name }) => ({ id, name })),
    edgeHosts: edgeHosts.map(({ id, name }) => ({ id, name })),
  };
  // An unknown id in the URL falls back to the first entry rather than failing.
  const family = families.find((f) => f.key === params.family) ?? families[0];
  const trainer = trainers.find((t) => t.id === params.trainer) ?? trainers[0];
  const edge = edgeHosts.find((e) => e.id === params.edge) ?? edgeHosts[0];
  if (!family || !trainer || !edge) return { ...lists, selection: null, parameters: null, typicalN: null };

  const edgeAgents = edge.agents.map((a) => a.id);
  const trainerAgents = trainer.agents.map((a) => a.id);
  const visible = visibleExperimentsWhere(actor);

  const [datasets, versions, incoming, outgoing, labelling, inference, trainingFit] = await Promise.all([
    prisma.dataset.findMany({
      where: { familyKey: family.key, experiment: visible },
      orderBy: { createdAt: "desc" },
      take: HISTORY,
      select: { bytes: true, sampleCount: true },
    }),
    prisma.modelVersion.findMany({
      where: { familyId: family.id },
      orderBy: { createdAt: "desc" },
      take: 20,
      select: { artifactBytes: true },
    }),
    listTransferRecords(edgeAgents, trainerAgents),
    listTransferRecords(trainerAgents, edgeAgents),
    prisma.measurement.findMany({
      where: { kind: "labelling", familyId: family.id },
      orderBy: { createdAt: "desc" },
      take: HISTORY,
      select: { secondsPerDatum: true },
    }),
    prisma.measurement.findMany({
      where: { kind: "inference", familyId: family.id, host: edge.name },
      orderBy: { createdAt: "desc" },
      take: HISTORY,
      select: { secondsPerDatum: true },
    }),
    getTrainingFit({ trainer, family }),
  ]);

  const datasetRows = datasets.map((d) => ({ bytes: Number(d.bytes), sampleCount: d.sampleCount }));
  const counts = datasetRows
    .map((d) => d.sampleCount)
    .filter((n) => n > 0)
    .sort((a, b) => a - b);
  const typicalN = counts.length ? counts[Math.floor(counts.length / 2)] : null;
  // C(T) is the training-time model at the family's default epochs and batch on a typical dataset.
  const defaults = (family.defaultHyperParameters ?? {}) as { epochs?: number; batchSize?: number };
  const workload = { epochs: defaults.epochs ?? 10, samples: typicalN ?? 1000, batchSize: defaults.batchSize ?? 512 };
  const trainingAtWorkload = predictScaling(trainingFit, trainFeatures(workload));
  const parameters = measuredParameterSet({
    familyName: family.name,
    trainerName: trainer.name,
    edgeName: edge.name,
    datasets: datasetRows,
    modelBytes: versions.map((v) => Number(v.artifactBytes)),
    stageIn: fitTransfer(incoming, `${edge.name} → ${trainer.name}`),
    stageOut: fitTransfer(outgoing, `${trainer.name} → ${edge.name}`),
    analysis: fitAnalysisCost(labelling, `${family.name} labelling`),
    estimate: fitEstimateCost(inference, `${family.name} on ${edge.name}`),
    training: { ...trainingAtWorkload, source: trainingFit.source, runs: trainingFit.runs, note: trainingFit.note, workload },
  });
  return {
    ...lists,
    selection: { family, trainer: { id: trainer.id, name: trainer.name }, edge: { id: edge.id, name: edge.name } },
    parameters,
    typicalN,
  };
}
