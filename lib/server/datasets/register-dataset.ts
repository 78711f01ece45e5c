import "server-only";
import { prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { RegisterDatasetInput } from "@/lib/datasets/dataset-input";
import { recordAudit } from "@/lib/audit/record-audit";
import { requireInsideDataRoot } from "@/lib/server/data-roots/manage-data-roots";

export async function registerDataset({ actorId, input }: { actorId: string; input: RegisterDatasetInput }) {
  const edgeHost = await prisma.edgeHost.findUnique({ where: { id: input.edgeHostId }, select: { id: true } });
  if (!edgeHost) throw new AppError("INVALID_INPUT", "Unknown edge host.", { edgeHostId: ["Unknown edge host."] });
  const duplicate = await prisma.dataset.findUnique({
    where: { experimentId_name: { experimentId: input.experimentId, name: input.name } },
    select: { id: true },
  });
  if (duplicate) {
    throw new AppError("CONFLICT", "This experiment already has a dataset of that name.", {
      name: ["Already used in this experiment."],
    });
  }
  return prisma.$transaction(async (tx) => {
    await requireInsideDataRoot(tx, input);
    const dataset = await tx.dataset.create({
      data: {
        experimentId: input.experimentId,
        edgeHostId: input.edgeHostId,
        name: input.name,
        path: input.path,
        familyKey: input.familyKey,
        kind: input.kind,
        bytes: BigInt(input.bytes),
        sha256: input.sha256,
        sampleCount: input.sampleCount,
        shapes: { sample: input.shape },
        registeredById: actorId,
      },
    });
    await recordAudit(
      { actorUserId: actorId, action: "dataset.register", targetType: "dataset", targetId: dataset.id, detail: { name: input.name } },
      tx,
    );
    return dataset;
  });
}
