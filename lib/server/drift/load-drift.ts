import "server-only";
// What the experiment page, its Retrain dialog and the overview show of drift: spot checks over time, the drift
// policy, "retrain recommended" with its evidence, the ranking of earlier versions and the predicted epochs.
// Every query is scoped to the experiments the actor may see.
import { prisma } from "@/lib/db";
import type { Actor } from "@/lib/auth/permissions";
import { visibleExperimentsWhere, visibleVersionsWhere } from "@/lib/auth/visibility";
import { FAMILY_METRIC, isDriftFamily, resolvePolicy, type DriftPolicyValues } from "@/lib/drift/policy";
import { retrainRecommendation, type RetrainRecommendation } from "@/lib/drift/recommendation";
import { epochsToThreshold, predictFineTuneEpochs, type RunOutcome } from "@/lib/drift/epochs";
import type { ReuseEvidence } from "@/lib/drift/start";

const versionLabel = (v: { version: number; family: { name: string } }) => `${v.family.name} v${v.version}`;

/** The experiments' drift policies per family (stored, else the family's default), keyed `${experimentId}/${familyKey}`. */
async function policiesOf(experimentIds: string[], familyKeys: string[]): Promise<Map<string, DriftPolicyValues>> {
  const stored = await prisma.driftPolicy.findMany({
    where: { experimentId: { in: experimentIds } },
    select: { experimentId: true, threshold: true, fraction: true, family: { select: { key: true } } },
  });
  const byKey = new Map(stored.map((p) => [`${p.experimentId}/${p.family.key}`, p]));
  const policies = new Map<string, DriftPolicyValues>();
  for (const experimentId of experimentIds) {
    for (const familyKey of familyKeys) {
      const policy = resolvePolicy(familyKey, byKey.get(`${experimentId}/${familyKey}`));
      if (policy) policies.set(`${experimentId}/${familyKey}`, policy);
    }
  }
  return policies;
}

/**
 * "Retrain recommended" for the visible experiments (all of them, or one): per active deployment, the check of
 * the active version on the newest data it was checked on, against the experiment's threshold.
 */
export async function listDriftAlerts({ actor, experimentId }: { actor: Actor; experimentId?: string }) {
  const deployments = await prisma.deployment.findMany({
    where: {
      active: true,
      experiment: { ...visibleExperimentsWhere(actor), ...(experimentId ? { id: experimentId } : {}) },
    },
    select: {
      experimentId: true,
      experiment: { select: { name: true } },
      family: { select: { key: true } },
      modelVersion: { select: { id: true, version: true, family: { select: { name: true } } } },
    },
  });
  const experimentIds = [...new Set(deployments.map((d) => d.experimentId!))];
  if (experimentIds.length === 0) return [];
  const [checks, policies] = await Promise.all([
    prisma.spotCheck.findMany({
      where: {
        experimentId: { in: experimentIds },
        OR: deployments.map((d) => ({ experimentId: d.experimentId!, modelVersionId: d.modelVersion.id })),
      },
      select: {
        experimentId: true,
        modelVersionId: true,
        datasetId: true,
        meanValue: true,
        createdAt: true,
        dataset: { select: { name: true, createdAt: true } },
      },
    }),
    policiesOf(
      experimentIds,
      deployments.map((d) => d.family.key),
    ),
  ]);
  const alerts: { experimentId: string; experimentName: string; unit: string; recommendation: RetrainRecommendation }[] = [];
  for (const d of deployments) {
    const policy = policies.get(`${d.experimentId}/${d.family.key}`);
    if (!policy || !isDriftFamily(d.family.key)) continue;
    const recommendation = retrainRecommendation({
      familyKey: d.family.key,
      active: { versionId: d.modelVersion.id, versionLabel: versionLabel(d.modelVersion) },
      checks: checks
        .filter((c) => c.experimentId === d.experimentId && c.modelVersionId === d.modelVersion.id)
        .map((c) => ({
          datasetId: c.datasetId,
          datasetName: c.dataset.name,
          datasetCreatedAt: c.dataset.createdAt,
          meanValue: c.meanValue,
          checkedAt: c.createdAt,
        })),
      threshold: policy.threshold,
    });
    if (recommendation) {
      alerts.push({
        experimentId: d.experimentId!,
        experimentName: d.experiment!.name,
        unit: FAMILY_METRIC[d.family.key].unit,
        recommendation,
      });
    }
  }
  return alerts;
}

/**
 * The family's past succeeded runs the actor may see, as outcomes: fine-tuned or from scratch, and the first epoch
 * whose validation error went under its own experiment's threshold.
 */
async function runOutcomes(actor: Actor, familyKey: string): Promise<RunOutcome[]> {
  if (!isDriftFamily(familyKey)) return [];
  const runs = await prisma.run.findMany({
    where: { status: "succeeded", family: { key: familyKey }, experiment: visibleExperimentsWhere(actor) },
    orderBy: { createdAt: "desc" },
    take: 50,
    select: { experimentId: true, parentVersionId: true, metrics: { select: { epoch: true, metrics: true } } },
  });
  const policies = await policiesOf([...new Set(runs.map((r) => r.experimentId))], [familyKey]);
  const key = FAMILY_METRIC[familyKey].validationKey;
  return runs.map((run) => ({
    fineTuned: run.parentVersionId !== null,
    reachedAt: epochsToThreshold(
      run.metrics.map((m) => ({ epoch: m.epoch, error: ((m.metrics ?? {}) as Record<string, number | undefined>)[key] ?? null })),
      policies.get(`${run.experimentId}/${familyKey}`)!.threshold,
    ),
  }));
}

/** The reuse evidence (lib/drift/start.ts) for the actor: the family's versions they may see, newest first, with the
 * spot-check errors of those versions on this experiment's datasets. */
export interface FamilyReuse extends ReuseEvidence {
  candidates: { id: string; label: string; familyKey: string; createdAt: string; deployed: boolean }[];
}

/** What the Retrain dialog needs to rank parents and predict fine-tune epochs, for the experiment's families. */
export async function loadReuse({
  actor,
  experimentId,
  familyKeys,
}: {
  actor: Actor;
  experimentId: string;
  familyKeys: string[];
}): Promise<FamilyReuse> {
  const families = await prisma.modelFamily.findMany({
    where: { key: { in: familyKeys } },
    select: { key: true, defaultHyperParameters: true },
  });
  const [versions, checks, outcomes] = await Promise.all([
    prisma.modelVersion.findMany({
      where: { family: { key: { in: familyKeys } }, ...visibleVersionsWhere(actor) },
      orderBy: { createdAt: "desc" },
      take: 60,
      select: {
        id: true,
        version: true,
        createdAt: true,
        family: { select: { key: true, name: true } },
        experiment: { select: { name: true } },
        deployments: { where: { active: true }, select: { id: true }, take: 1 },
      },
    }),
    prisma.spotCheck.findMany({
      where: { experimentId, experiment: visibleExperimentsWhere(actor) },
      select: { modelVersionId: true, datasetId: true, meanValue: true },
    }),
    Promise.all(families.map(async (f) => [f, await runOutcomes(actor, f.key)] as const)),
  ]);
  return {
    candidates: versions.map((v) => {
      const notes = [v.deployments.length ? "deployed" : null, v.experiment?.name ?? null].filter(Boolean);
      return {
        id: v.id,
        label: `${versionLabel(v)}${notes.length ? ` (${notes.join(", ")})` : ""}`,
        familyKey: v.family.key,
        createdAt: v.createdAt.toISOString(),
        deployed: v.deployments.length > 0,
      };
    }),
    errors: checks.map((c) => ({ versionId: c.modelVersionId, datasetId: c.datasetId, value: c.meanValue })),
    epochs: Object.fromEntries(
      outcomes.map(([family, list]) => [
        family.key,
        predictFineTuneEpochs(list, (family.defaultHyperParameters as { epochs: number }).epochs),
      ]),
    ),
  };
}

/**
 * The experiment's drift chart data per family: its spot checks of each version while it was in service here
 * (a version's checks on data that arrived after it was retired are ranking evidence, not monitoring), the
 * deployments that mark version changes, and the policy. Null when the actor may not see the experiment.
 */
export async function loadDriftSeries({ actor, experimentId }: { actor: Actor; experimentId: string }) {
  const experiment = await prisma.experiment.findFirst({
    where: { id: experimentId, ...visibleExperimentsWhere(actor) },
    select: { id: true, piId: true },
  });
  if (!experiment) return null;
  const [datasetFamilies, deployments, checks] = await Promise.all([
    prisma.dataset.findMany({ where: { experimentId }, distinct: ["familyKey"], select: { familyKey: true } }),
    prisma.deployment.findMany({
      where: { experimentId },
      orderBy: { deployedAt: "asc" },
      select: {
        modelVersionId: true,
        deployedAt: true,
        retiredAt: true,
        family: { select: { key: true } },
        modelVersion: { select: { version: true, family: { select: { name: true } } } },
      },
    }),
    prisma.spotCheck.findMany({
      where: { experimentId },
      orderBy: { createdAt: "asc" },
      select: {
        modelVersionId: true,
        meanValue: true,
        p95Value: true,
        samples: true,
        createdAt: true,
        dataset: { select: { name: true, createdAt: true, familyKey: true } },
      },
    }),
  ]);
  const familyKeys = [...new Set([...datasetFamilies.map((d) => d.familyKey), ...deployments.map((d) => d.family.key)])].filter(
    isDriftFamily,
  );
  const policies = await policiesOf([experimentId], familyKeys);
  const inService = (versionId: string, arrived: Date) =>
    deployments.some((d) => d.modelVersionId === versionId && (d.retiredAt === null || arrived < d.retiredAt));
  return {
    experiment,
    families: familyKeys.map((familyKey) => ({
      familyKey,
      unit: FAMILY_METRIC[familyKey].unit,
      policy: policies.get(`${experimentId}/${familyKey}`)!,
      points: checks
        .filter((c) => c.dataset.familyKey === familyKey && inService(c.modelVersionId, c.dataset.createdAt))
        .map((c) => {
          const d = deployments.find((x) => x.modelVersionId === c.modelVersionId)!;
          return {
            versionId: c.modelVersionId,
            versionLabel: versionLabel(d.modelVersion),
            datasetName: c.dataset.name,
            at: c.dataset.createdAt.toISOString(),
            value: c.meanValue,
            p95: c.p95Value,
            samples: c.samples,
            checkedAt: c.createdAt.toISOString(),
          };
        }),
      marks: deployments
        .filter((d) => d.family.key === familyKey)
        .map((d) => ({ versionId: d.modelVersionId, versionLabel: `v${d.modelVersion.version}`, deployedAt: d.deployedAt.toISOString() })),
    })),
  };
}
