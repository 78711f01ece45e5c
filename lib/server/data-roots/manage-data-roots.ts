import "server-only";
// Data roots: the folders on an edge host that staff declare as one experiment's data. Dataset registration
// only accepts files inside them; callers check the role (staff) before adding or removing one.
import { z } from "zod";
import { Prisma } from "@/lib/generated/prisma/client";
import { prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { recordAudit } from "@/lib/audit/record-audit";
import { edgeHostPath, isInsideRoot } from "@/lib/data-roots/data-root-path";

export const addDataRootInput = z.object({
  edgeHostId: z.string().min(1, "Choose the edge host."),
  experimentId: z.string().min(1, "Choose the experiment whose data lies there."),
  path: edgeHostPath.refine((p) => p !== "/", "Declare a folder, not the whole file system."),
});

export async function addDataRoot({ actorId, input }: { actorId: string; input: z.infer<typeof addDataRootInput> }) {
  const [edgeHost, experiment] = await Promise.all([
    prisma.edgeHost.findUnique({ where: { id: input.edgeHostId }, select: { id: true } }),
    prisma.experiment.findUnique({ where: { id: input.experimentId }, select: { id: true } }),
  ]);
  if (!edgeHost) throw new AppError("INVALID_INPUT", "Unknown edge host.", { edgeHostId: ["Unknown edge host."] });
  if (!experiment) throw new AppError("INVALID_INPUT", "Unknown experiment.", { experimentId: ["Unknown experiment."] });
  try {
    return await prisma.$transaction(async (tx) => {
      const root = await tx.dataRoot.create({ data: { ...input, createdById: actorId } });
      await recordAudit({ actorUserId: actorId, action: "data-root.add", targetType: "data-root", targetId: root.id, detail: input }, tx);
      return root;
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw new AppError("CONFLICT", "That folder is already a data root of this experiment on that edge host.", {
        path: ["Already declared."],
      });
    }
    throw error;
  }
}

/** Removes a root; datasets registered from it stay (they were checked when registered). */
export async function removeDataRoot({ actorId, dataRootId }: { actorId: string; dataRootId: string }) {
  return prisma.$transaction(async (tx) => {
    const root = await tx.dataRoot.findUnique({ where: { id: dataRootId } });
    if (!root) throw new AppError("NOT_FOUND", "No such data root.");
    await tx.dataRoot.delete({ where: { id: root.id } });
    await recordAudit(
      {
        actorUserId: actorId,
        action: "data-root.remove",
        targetType: "data-root",
        targetId: root.id,
        detail: { edgeHostId: root.edgeHostId, experimentId: root.experimentId, path: root.path },
      },
      tx,
    );
    return root;
  });
}

/** Every root, with its experiment and edge host names, for the staff page. */
export async function listDataRoots() {
  return prisma.dataRoot.findMany({
    orderBy: [{ edgeHostId: "asc" }, { path: "asc" }],
    include: { experiment: { select: { id: true, name: true } }, createdBy: { select: { name: true } } },
  });
}

/**
 * Refuses a dataset path that is not inside one of the experiment's roots on that edge host. The path is
 * already normalised (edgeHostPath); the edge agent resolves symbolic links when it serves the file.
 */
export async function requireInsideDataRoot(
  db: Pick<typeof prisma, "dataRoot">,
  { experimentId, edgeHostId, path }: { experimentId: string; edgeHostId: string; path: string },
) {
  const roots = await db.dataRoot.findMany({ where: { experimentId, edgeHostId }, select: { path: true } });
  if (roots.some((r) => isInsideRoot(path, r.path))) return;
  const message =
    roots.length === 0
      ? "This experiment has no data root on that edge host: ask facility staff to declare the folder that holds its data."
      : `The file must lie inside this experiment's data roots on that edge host: ${roots.map((r) => r.path).join(", ")}.`;
  throw new AppError("INVALID_INPUT", message, { path: [message] });
}
