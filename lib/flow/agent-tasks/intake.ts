// Edge intake, dashboard side: the edge agent watches its host's data roots and reports each closed file
// (the zoo's reading of it, or why it could not read it) and each scan's list of files. A recognised file
// becomes a dataset of the root's experiment; the same root, path and sha256 always give the same dataset.
import type { Prisma } from "@/lib/generated/prisma/client";
import { prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { recordAudit } from "@/lib/audit/record-audit";
import { edgeHostPath, isInsideRoot } from "@/lib/data-roots/data-root-path";
import { datasetNameFor, firstFreeName } from "@/lib/datasets/intake-name";
import type { IntakeFileReport, IntakeScanReport, WatchedDataRoot } from "@/lib/agent-protocol/intake";
import type { AuthenticatedAgent } from "@/lib/flow/agent-tasks/authenticate";

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
  {
    root,
    file,
    registeredById,
    actor,
  }: { root: RootOfFile; file: RecognisedFile; registeredById: string; actor: { userId?: string; agent?: string } },
) {
  await tx.$queryRaw`SELECT id FROM "Experiment" WHERE id = ${root.experimentId} FOR UPDATE`;
  const base = datasetNameFor(root.path, file.path);
  const taken = await tx.dataset.findMany({
    where: { experimentId: root.experimentId, name: { startsWith: base } },
    select: { name: true },
  });
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

/** The data roots of the agent's edge host (none for a trainer's agent), for the heartbeat answer. */
export async function watchedDataRoots(agent: AuthenticatedAgent): Promise<WatchedDataRoot[]> {
  if (agent.kind !== "edge" || !agent.edgeHostId) return [];
  return prisma.dataRoot.findMany({
    where: { edgeHostId: agent.edgeHostId },
    select: { id: true, experimentId: true, path: true },
    orderBy: { path: "asc" },
  });
}

/** The root, refused unless it belongs to the edge host this agent runs on. */
async function requireOwnRoot(agent: AuthenticatedAgent, dataRootId: string) {
  if (agent.kind !== "edge") throw new AppError("FORBIDDEN", "Only an edge host's agent reports files of data roots.");
  const root = await prisma.dataRoot.findUnique({
    where: { id: dataRootId },
    select: { id: true, experimentId: true, edgeHostId: true, path: true, createdById: true },
  });
  if (!root) throw new AppError("NOT_FOUND", `No data root ${dataRootId} (staff may have removed it).`);
  if (root.edgeHostId !== agent.edgeHostId) throw new AppError("FORBIDDEN", `Data root ${dataRootId} belongs to another edge host.`);
  return root;
}

/** The reported path, normalised, refused unless it lies inside the root. */
function pathInside(root: { id: string; path: string }, reported: string): string {
  const parsed = edgeHostPath.safeParse(reported);
  if (!parsed.success) throw new AppError("INVALID_INPUT", `Invalid request: path: ${parsed.error.issues[0].message}`);
  if (!isInsideRoot(parsed.data, root.path)) {
    throw new AppError("INVALID_INPUT", `Invalid request: path: ${parsed.data} is not inside data root ${root.id} (${root.path}).`);
  }
  return parsed.data;
}

export async function reportIntakeFile(agent: AuthenticatedAgent, report: IntakeFileReport) {
  const root = await requireOwnRoot(agent, report.dataRootId);
  const path = pathInside(root, report.path);
  return prisma.$transaction(async (tx) => {
    // One report of a root at a time: a file's row and its dataset are decided together.
    await tx.$queryRaw`SELECT id FROM "DataRoot" WHERE id = ${root.id} FOR UPDATE`;
    const previous = await tx.dataRootFile.findUnique({ where: { dataRootId_path: { dataRootId: root.id, path } } });
    const recognised = report.status === "recognised" ? report : null;
    const fields = {
      bytes: BigInt(report.bytes),
      sha256: report.sha256,
      familyKey: recognised?.familyKey ?? null,
      kind: recognised?.kind ?? null,
      sampleCount: recognised?.sampleCount ?? null,
      shapes: recognised ? { sample: recognised.shape, ...(recognised.layout ? { layout: recognised.layout } : {}) } : undefined,
      problem: report.status === "unrecognised" ? report.reason : null,
      reportedAt: new Date(),
    };
    const sameContent = previous !== null && previous.sha256 === report.sha256;
    const file = await tx.dataRootFile.upsert({
      where: { dataRootId_path: { dataRootId: root.id, path } },
      create: { dataRootId: root.id, path, ...fields },
      update: { ...fields, datasetId: sameContent ? previous.datasetId : null },
    });
    if (!recognised) return { fileId: file.id, datasetId: null, datasetName: null, created: false };

    const existing = await findDatasetOfFile(tx, root, { path, sha256: recognised.sha256 });
    if (existing) {
      await tx.dataRootFile.update({ where: { id: file.id }, data: { datasetId: existing.id } });
      return { fileId: file.id, datasetId: existing.id, datasetName: existing.name, created: false };
    }
    // This content was recognised here before and its dataset has since been removed: a person removed it,
    // so intake does not bring it back (they can pick it again on the browse page).
    if (sameContent && previous.problem === null && previous.familyKey !== null) {
      return { fileId: file.id, datasetId: null, datasetName: null, created: false };
    }
    const dataset = await createDatasetFromFile(tx, {
      root,
      file: {
        ...file,
        sha256: recognised.sha256,
        familyKey: recognised.familyKey,
        kind: recognised.kind,
        sampleCount: recognised.sampleCount,
        shapes: fields.shapes!,
      },
      // A Dataset names the person who registered it. Nobody did here: the staff member who declared this
      // folder as the experiment's data vouched for what lands in it, so the dataset is theirs; the audit
      // event names the agent that found the file.
      registeredById: root.createdById,
      actor: { agent: agent.name },
    });
    return { fileId: file.id, datasetId: dataset.id, datasetName: dataset.name, created: true };
  });
}

/** Each root's files at the agent's latest scan: rows of files gone from the folder are dropped. */
export async function recordIntakeScan(agent: AuthenticatedAgent, report: IntakeScanReport) {
  const roots = await Promise.all(report.roots.map(async (r) => ({ root: await requireOwnRoot(agent, r.dataRootId), scan: r })));
  const now = new Date();
  await prisma.$transaction(async (tx) => {
    for (const { root, scan } of roots) {
      const paths = scan.paths.map((p) => pathInside(root, p));
      await tx.dataRoot.update({ where: { id: root.id }, data: { lastScannedAt: now } });
      if (!scan.truncated) await tx.dataRootFile.deleteMany({ where: { dataRootId: root.id, path: { notIn: paths } } });
    }
  });
  return { ok: true };
}
