import type { Prisma } from "@/lib/generated/prisma/client";
import { AppError } from "@/lib/errors";
import type { DeployedModel } from "@/lib/flow/steps";

/**
 * Registers the model a run deployed, with its lineage (dataset, parent, run, metrics), makes it the
 * active deployment of its family on the edge host and records the inference cost C(E).
 */
export async function registerDeployedModel(
  tx: Prisma.TransactionClient,
  runId: string,
  result: DeployedModel,
  artifact: { bytes: number; sha256: string },
  now: Date,
): Promise<void> {
  const run = await tx.run.findUniqueOrThrow({ where: { id: runId }, include: { edgeHost: true } });
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
  await deactivateFamilyDeployments(tx, run, now);
  await tx.deployment.create({
    data: {
      modelVersionId: version.id,
      edgeHostId: run.edgeHostId,
      familyId: run.familyId,
      experimentId: run.experimentId,
      path: result.path,
      validation: { metrics: result.metrics, secondsPerDatum: result.secondsPerDatum, samples: result.samples, exported: result.exported },
      deployedAt: now,
    },
  });
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
