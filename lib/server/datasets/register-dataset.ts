import "server-only";
// Datasets are registered from files the edge agent found in a data root and the zoo read (DataRootFile):
// automatically by edge intake, or by a scientist who picks such a file. Nobody types bytes, sha256 or shape.
import type { Prisma } from "@/lib/generated/prisma/client";
import { prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { requireInsideDataRoot } from "@/lib/server/data-roots/manage-data-roots";
import { createDatasetFromFile, findDatasetOfFile } from "@/lib/flow/agent-tasks/intake";

/** The experiment a data-root file belongs to (for the caller's permission check before registering it). */
export async function experimentOfDataRootFile(fileId: string): Promise<string> {
  const file = await prisma.dataRootFile.findUnique({ where: { id: fileId }, select: { dataRoot: { select: { experimentId: true } } } });
  if (!file) throw new AppError("NOT_FOUND", "No such file in any data root (the edge agent may no longer see it).");
  return file.dataRoot.experimentId;
}

/**
 * A person registers a file the edge agent reported and the zoo recognised but that is no dataset (yet, or
 * any more). The caller has checked the role in the file's experiment (experimentOfDataRootFile).
 */
export async function registerDatasetFromFile({ actorId, fileId }: { actorId: string; fileId: string }) {
  return prisma.$transaction(async (tx) => {
    const file = await tx.dataRootFile.findUnique({
      where: { id: fileId },
      include: {
        dataRoot: { select: { id: true, experimentId: true, edgeHostId: true, path: true } },
        dataset: { select: { name: true } },
      },
    });
    if (!file) throw new AppError("NOT_FOUND", "No such file in any data root (the edge agent may no longer see it).");
    if (file.dataset) throw new AppError("CONFLICT", `This file is already the dataset “${file.dataset.name}”.`);
    if (file.problem !== null || !file.sha256 || !file.familyKey || !file.kind || !file.sampleCount || file.shapes === null) {
      throw new AppError("INVALID_INPUT", `The zoo could not read this file as a dataset: ${file.problem ?? "no inspection recorded"}`);
    }
    const root = file.dataRoot;
    const existing = await findDatasetOfFile(tx, root, { path: file.path, sha256: file.sha256 });
    if (existing) throw new AppError("CONFLICT", `This file is already the dataset “${existing.name}”.`);
    await requireInsideDataRoot(tx, { experimentId: root.experimentId, edgeHostId: root.edgeHostId, path: file.path });
    return createDatasetFromFile(tx, {
      root,
      file: {
        ...file,
        sha256: file.sha256,
        familyKey: file.familyKey,
        kind: file.kind,
        sampleCount: file.sampleCount,
        shapes: file.shapes as Prisma.InputJsonValue,
      },
      registeredById: actorId,
      actor: { userId: actorId },
    });
  });
}
