import type { Prisma } from "@/lib/generated/prisma/client";
import { AppError } from "@/lib/errors";
import { recordAudit } from "@/lib/audit/record-audit";
import { family } from "@/lib/agent-protocol/primitives";
import { decideDeploy } from "@/lib/flow/deploy-gate";
import type { DeployedModel, DeployGateOutcome } from "@/lib/flow/steps";

/**
 * Registers the model a run validated on the edge, with its lineage (dataset, parent, run, metrics), and
 * records the inference cost C(E). It becomes the active deployment of its family on the edge host unless
 * it measured worse than the one in service there (lib/flow/deploy-gate.ts): then it is held back, the old
 * deployment stays active, and the decision keeps the verified file's path for "Deploy anyway".
 */
export async function registerDeployedModel(
  tx: Prisma.TransactionClient,
  runId: string,
  result: DeployedModel,
  artifact: { bytes: number; sha256: string },
  now: Date,
): Promise<DeployGateOutcome> {
  const run = await tx.run.findUniqueOrThrow({ where: { id: runId }, include: { edgeHost: true, family: true } });
  if (artifact.sha256 !== result.sha256) {
    // The edge verified a file whose checksum is not the one training produced: never register it.
    throw new AppError("INVALID_INPUT", "Deployed artifact's sha256 does not match the trained artifact.");
  }
  // Versions are monotonic per family; the family row lock serialises concurrent registrations.
  await tx.$queryRaw`select id from "ModelFamily" where id = ${run.familyId} for update`;
  const last = await tx.modelVersion.findFirst({
    where: { familyId: run.familyId },
    orderBy: { version: "desc" },
    select: { version: true },
  });
  const version = await tx.modelVersion.create({
    data: {
      familyId: run.familyId,
      version: (last?.version ?? 0) + 1,
      parentId: run.parentVersionId,
      runId: run.id,
      datasetId: run.datasetId,
      experimentId: run.experimentId,
      metrics: result.metrics,
      artifactFormat: "pytorch-checkpoint",
      artifactBytes: BigInt(artifact.bytes),
      artifactSha256: artifact.sha256,
      aliases: ["latest"],
    },
  });
  await tx.modelVersion.updateMany({
    where: { familyId: run.familyId, id: { not: version.id }, aliases: { has: "latest" } },
    data: { aliases: { set: [] } },
  });
  // Read under the family lock: what is in service now, which the new version would replace.
  const inService = await tx.deployment.findFirst({
    where: { edgeHostId: run.edgeHostId, familyId: run.familyId, experimentId: run.experimentId, active: true },
    include: { modelVersion: { select: { version: true } } },
  });
  const decision = decideDeploy({
    family: family.parse(run.family.key),
    newMetrics: result.metrics,
    inService: inService && { deploymentId: inService.id, version: inService.modelVersion.version },
    evaluated: result.inService,
  });
  const validation = {
    metrics: result.metrics,
    secondsPerDatum: result.secondsPerDatum,
    samples: result.samples,
    exported: result.exported,
  };
  await tx.deployDecision.create({
    data: {
      modelVersionId: version.id,
      edgeHostId: run.edgeHostId,
      inServiceDeploymentId: inService?.id ?? null,
      inServiceVersion: inService?.modelVersion.version ?? null,
      metric: decision.metric,
      newValue: decision.newValue,
      inServiceValue: decision.inServiceValue,
      inServiceMetrics: result.inService && "metrics" in result.inService ? result.inService.metrics : undefined,
      heldBack: !decision.deploy,
      reason: decision.reason,
      path: result.path,
      sha256: result.sha256,
      validation,
      decidedAt: now,
    },
  });
  if (decision.deploy) {
    await deactivateFamilyDeployments(tx, run, now);
    await tx.deployment.create({
      data: {
        modelVersionId: version.id,
        edgeHostId: run.edgeHostId,
        familyId: run.familyId,
        experimentId: run.experimentId,
        path: result.path,
        validation,
        deployedAt: now,
      },
    });
  }
  // A held-back version, and a model in service replaced without a comparison, are worth an audit line.
  if (!decision.deploy || (inService && decision.inServiceValue === null)) {
    await recordAudit(
      {
        action: decision.deploy ? "model.deploy_uncompared" : "model.held_back",
        targetType: "model-version",
        targetId: version.id,
        detail: { version: version.version, runId, reason: decision.reason, inServiceVersion: inService?.modelVersion.version ?? null },
      },
      tx,
    );
  }
  await tx.measurement.create({
    data: {
      kind: "inference",
      familyId: run.familyId,
      host: run.edgeHost.name,
      runId,
      secondsPerDatum: result.secondsPerDatum,
      samples: result.samples,
    },
  });
  return {
    heldBack: !decision.deploy,
    metric: decision.metric,
    newValue: decision.newValue,
    inServiceValue: decision.inServiceValue,
    inServiceVersion: inService?.modelVersion.version ?? null,
    reason: decision.reason,
  };
}

/** Retires the active deployment of a family on an edge host for one experiment (never another experiment's). */
export async function deactivateFamilyDeployments(
  tx: Prisma.TransactionClient,
  { familyId, edgeHostId, experimentId }: { familyId: string; edgeHostId: string; experimentId: string | null },
  now: Date,
) {
  await tx.deployment.updateMany({
    where: { edgeHostId, familyId, experimentId, active: true },
    data: { active: false, retiredAt: now },
  });
}
