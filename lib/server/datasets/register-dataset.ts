import "server-only";
// Datasets are registered from files the edge agent found in a data root and the zoo read (DataRootFile):
// automatically by edge intake, or by a scientist who picks such a file. Nobody types bytes, sha256 or shape.
import type { Prisma } from "@/lib/generated/prisma/client";
import { prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { recordAudit } from "@/lib/audit/record-audit";
import { requireInsideDataRoot } from "@/lib/server/data-roots/manage-data-roots";
import { datasetNameFor, firstFreeName } from "@/lib/datasets/intake-name";

type Tx = Prisma.TransactionClient;

export interface RootOfFile {
  id: string;
  experimentId: string;
  edgeHostId: string;
  path: string;
}

export interface RecognisedFile {
  id: string;
  path: string;
  bytes: bigint;
  sha256: string;
  familyKey: string;
  kind: "raw" | "labelled" | "simulated";
  sampleCount: number;
  shapes: Prisma.InputJsonValue;
}

/** The dataset already registered for exactly this file and content (by intake or by hand), if any. */
export function findDatasetOfFile(tx: Tx, root: RootOfFile, file: { path: string; sha256: string }) {
  return tx.dataset.findFirst({
    where: { experimentId: root.experimentId, edgeHostId: root.edgeHostId, path: file.path, sha256: file.sha256 },
    select: { id: true, name: true },
  });
}

/**
 * Registers a recognised file as a dataset of its root's experiment, named after its path in the root, and
 * links the file to it. Runs inside the caller's transaction; the experiment's row lock makes concurrent
 * registrations (two roots, intake beside a person) pick distinct names.
 */
export async function createDatasetFromFile(
  tx: Tx,
  { root, file, registeredById, actor }: { root: RootOfFile; file: RecognisedFile; registeredById: string; actor: { userId?: string; agent?: string } },
) {
  await tx.$queryRaw`SELECT id FROM "Experiment" WHERE id = ${root.experimentId} FOR UPDATE`;
  const base = datasetNameFor(root.path, file.path);
  const taken = await tx.dataset.findMany({ where: { experimentId: root.experimentId, name: { startsWith: base } }, select: { name: true } });
  const name = firstFreeName(base, new Set(taken.map((d) => d.name)));
  const dataset = await tx.dataset.create({
    data: {
      experimentId: root.experimentId,
      edgeHostId: root.edgeHostId,
      dataRootId: root.id,
      name,
      path: file.path,
      familyKey: file.familyKey,
      kind: file.kind,
      bytes: file.bytes,
      sha256: file.sha256,
      sampleCount: file.sampleCount,
      shapes: file.shapes,
      registeredById,
    },
    select: { id: true, name: true },
  });
  await tx.dataRootFile.update({ where: { id: file.id }, data: { datasetId: dataset.id } });
  await recordAudit(
    {
      actorUserId: actor.userId ?? null,
      actorAgent: actor.agent ?? null,
      action: "dataset.register",
      targetType: "dataset",
      targetId: dataset.id,
      detail: { name, path: file.path, dataRootId: root.id, sha256: file.sha256, via: actor.agent ? "intake" : "pick" },
    },
    tx,
  );
  return dataset;
}

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
      include: { dataRoot: { select: { id: true, experimentId: true, edgeHostId: true, path: true } }, dataset: { select: { name: true } } },
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
      file: { ...file, sha256: file.sha256, familyKey: file.familyKey, kind: file.kind, sampleCount: file.sampleCount, shapes: file.shapes },
      registeredById: actorId,
      actor: { userId: actorId },
    });
  });
}
