// Drift spot checks on the dashboard side: which ones an edge agent owes (handed out with its heartbeat), and
// storing what it measured. The decision is lib/drift/owed-checks.ts; this loads its facts and checks reports.
import { Prisma } from "@/lib/generated/prisma/client";
import { prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { MAX_OWED_PER_HEARTBEAT, owedSpotChecks, uncheckableKinds, type OwedSpotCheck } from "@/lib/drift/owed-checks";
import { FAMILY_METRIC, isDriftFamily, resolvePolicy } from "@/lib/drift/policy";
import type { SpotCheckReport } from "@/lib/agent-protocol/spot-checks";
import type { AuthenticatedAgent } from "@/lib/flow/agent-tasks/authenticate";

const edgeHostOf = (agent: AuthenticatedAgent) => (agent.kind === "edge" ? agent.edgeHostId : null);

const DATASET_FIELDS = {
  id: true,
  experimentId: true,
  familyKey: true,
  kind: true,
  path: true,
  sampleCount: true,
  createdAt: true,
} as const;

/**
 * The spot checks this edge agent's host owes now (none for a trainer agent, nor while nothing is deployed).
 * Asked at every heartbeat, so it reads only what can matter, whatever the beamtime has accumulated: per active
 * deployment, the newest datasets it has not checked yet (no more than a heartbeat hands out), the newest one
 * from before it was deployed, and the newest one it measured over the threshold (what ranking checks use).
 */
export async function owedSpotChecksFor(agent: AuthenticatedAgent): Promise<OwedSpotCheck[]> {
  const edgeHostId = edgeHostOf(agent);
  if (!edgeHostId) return [];
  const deployments = await prisma.deployment.findMany({
    where: { edgeHostId },
    select: {
      modelVersionId: true,
      experimentId: true,
      path: true,
      active: true,
      deployedAt: true,
      family: { select: { key: true } },
      modelVersion: { select: { artifactSha256: true } },
    },
  });
  const active = deployments.filter((d) => d.active && d.experimentId !== null);
  if (active.length === 0) return [];
  const policies = await prisma.driftPolicy.findMany({
    where: { experimentId: { in: active.map((d) => d.experimentId!) } },
    select: { experimentId: true, threshold: true, fraction: true, family: { select: { key: true } } },
  });
  const stored = new Map(policies.map((p) => [`${p.experimentId}/${p.family.key}`, p]));
  const policyOf = (experimentId: string, familyKey: string) => resolvePolicy(familyKey, stored.get(`${experimentId}/${familyKey}`));

  const perDeployment = await Promise.all(
    active.map(async (d) => {
      const policy = policyOf(d.experimentId!, d.family.key);
      if (!policy) return [];
      const ofFamily = {
        edgeHostId,
        experimentId: d.experimentId!,
        familyKey: d.family.key,
        kind: { notIn: uncheckableKinds(d.family.key) },
      } satisfies Prisma.DatasetWhereInput;
      const newestFirst = [{ createdAt: "desc" as const }, { id: "asc" as const }];
      const [unchecked, newestBefore, drifted] = await Promise.all([
        prisma.dataset.findMany({
          where: { ...ofFamily, createdAt: { gt: d.deployedAt }, spotChecks: { none: { modelVersionId: d.modelVersionId } } },
          orderBy: newestFirst,
          take: MAX_OWED_PER_HEARTBEAT,
          select: DATASET_FIELDS,
        }),
        prisma.dataset.findFirst({
          where: { ...ofFamily, createdAt: { lte: d.deployedAt } },
          orderBy: newestFirst,
          select: DATASET_FIELDS,
        }),
        prisma.dataset.findFirst({
          where: { ...ofFamily, spotChecks: { some: { modelVersionId: d.modelVersionId, meanValue: { gt: policy.threshold } } } },
          orderBy: newestFirst,
          select: DATASET_FIELDS,
        }),
      ]);
      return [...unchecked, ...(newestBefore ? [newestBefore] : []), ...(drifted ? [drifted] : [])];
    }),
  );
  const datasets = [...new Map(perDeployment.flat().map((d) => [d.id, d])).values()];
  const checks = await prisma.spotCheck.findMany({
    where: { edgeHostId, datasetId: { in: datasets.map((d) => d.id) } },
    select: { modelVersionId: true, datasetId: true, meanValue: true },
  });
  return owedSpotChecks({
    deployments: deployments.map((d) => ({ ...d, familyKey: d.family.key, artifactSha256: d.modelVersion.artifactSha256 })),
    datasets,
    checks,
    policyOf,
  });
}

/**
 * Stores an edge agent's spot check, once per (version, dataset): a repeated report (a retry after a lost
 * answer) returns the stored record. The dataset must lie on the agent's own edge host and the version must
 * have been deployed there.
 */
export async function recordSpotCheck(agent: AuthenticatedAgent, report: SpotCheckReport) {
  const edgeHostId = edgeHostOf(agent);
  if (!edgeHostId) throw new AppError("FORBIDDEN", "Only an edge host's agent reports spot checks.");
  const [dataset, version] = await Promise.all([
    prisma.dataset.findUnique({ where: { id: report.datasetId }, select: { edgeHostId: true, experimentId: true, familyKey: true } }),
    prisma.modelVersion.findUnique({
      where: { id: report.modelVersionId },
      select: { family: { select: { key: true } }, deployments: { where: { edgeHostId }, select: { id: true }, take: 1 } },
    }),
  ]);
  if (!dataset || dataset.edgeHostId !== edgeHostId) {
    throw new AppError("FORBIDDEN", `Dataset ${report.datasetId} is not on this agent's edge host.`);
  }
  if (!version || version.deployments.length === 0) {
    throw new AppError("FORBIDDEN", `Model version ${report.modelVersionId} was never deployed on this agent's edge host.`);
  }
  if (version.family.key !== dataset.familyKey) {
    throw new AppError("INVALID_INPUT", `A ${version.family.key} model cannot be spot-checked on ${dataset.familyKey} data.`);
  }
  const expected = isDriftFamily(dataset.familyKey) ? FAMILY_METRIC[dataset.familyKey].metric : null;
  if (report.metric !== expected) {
    throw new AppError("INVALID_INPUT", `A ${dataset.familyKey} spot check measures ${expected ?? "nothing known"}, not ${report.metric}.`);
  }
  const key = { modelVersionId: report.modelVersionId, datasetId: report.datasetId };
  try {
    const created = await prisma.spotCheck.create({
      data: {
        ...key,
        edgeHostId,
        experimentId: dataset.experimentId,
        metric: report.metric,
        meanValue: report.mean,
        p95Value: report.p95,
        samples: report.samples,
        drawn: report.drawn,
        fraction: report.fraction,
        seconds: report.seconds,
      },
    });
    return { id: created.id, created: true };
  } catch (error) {
    if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002")) throw error;
    const existing = await prisma.spotCheck.findUniqueOrThrow({ where: { modelVersionId_datasetId: key }, select: { id: true } });
    return { id: existing.id, created: false };
  }
}
