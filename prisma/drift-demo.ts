// The seeded drift demo (issue 13.5): a base BraggNN trained on undrifted peaks is in service on the edge host
// for the HEDM experiment (model version v1, lineage: its training dataset), and a drifting scan series lies in
// that experiment's data root. The edge agent finds the scans, spot-checks them against the deployed model and
// the experiment page shows the error rising past the threshold: "retrain recommended".
// Idempotent and cached: the base is trained once (seconds) and reused while its checkpoint is on disk.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { lastLine, runZoo } from "./zoo-cli";

/** How the base is trained and the series drawn; zoo/README.md and /work/tools/drift-numbers.md measure them. */
export const DRIFT_DEMO = {
  scans: 5,
  peaksPerScan: 600,
  seriesSeed: 7,
  base: { epochs: 10, batchSize: 32, learningRate: 0.003, seed: 1 },
  modelDir: "seed-braggnn-base",
} as const;

export interface DriftDemoTarget {
  prisma: PrismaClient;
  /** The edge agent's work folder: deployed models lie under its models/. */
  edgeWorkdir: string;
  edgeHostId: string;
  experimentId: string;
  /** The experiment's data root on the edge host, where the scans arrive. */
  dataRoot: string;
  /** The seeded dataset of undrifted peaks (frames + peak table) the base is trained on. */
  baseDataset: { id: string; path: string };
  scale: number;
}

export interface DriftDemoSeeded {
  version: number;
  trained: boolean;
  /** "deployed" now, "in service" from an earlier seed, "replaced" by a later deployment (a retrain). */
  service: "deployed" | "in service" | "replaced";
  scansWritten: number;
  valMeanPx: number | null;
}

/** Scan files of the series, as the zoo names them (scan-000.h5 ...). */
export function scanNames(scans: number): string[] {
  return Array.from({ length: scans }, (_, k) => `scan-${String(k).padStart(3, "0")}.h5`);
}

function sha256File(file: string): string {
  return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/** Trains the base into a scratch folder and moves the finished checkpoint into place (an interrupted seed never
 * leaves a half-trained model to be reused). */
function trainBase(data: string, checkpoint: string) {
  const scratch = `${path.dirname(checkpoint)}.training`;
  fs.rmSync(scratch, { recursive: true, force: true });
  const { epochs, batchSize, learningRate, seed } = DRIFT_DEMO.base;
  const lines = runZoo([
    "train",
    "--family",
    "braggnn",
    "--data",
    data,
    "--out",
    scratch,
    "--epochs",
    epochs,
    "--batch-size",
    batchSize,
    "--lr",
    learningRate,
    "--seed",
    seed,
  ]);
  const artifact = lastLine(lines, "artifact", "train");
  fs.mkdirSync(path.dirname(checkpoint), { recursive: true });
  fs.renameSync(String(artifact.path), checkpoint);
  fs.rmSync(scratch, { recursive: true, force: true });
}

/** Writes the scans of the series that are missing from the data root; each appears whole (a rename). */
function writeSeries(dataRoot: string, peaks: number): number {
  const names = scanNames(DRIFT_DEMO.scans);
  const missing = names.filter((name) => !fs.existsSync(path.join(dataRoot, name)));
  if (missing.length === 0) return 0;
  const scratch = fs.mkdtempSync(path.join(path.dirname(dataRoot), ".drift-series-"));
  try {
    runZoo([
      "simulate",
      "--family",
      "braggnn",
      "--drift-series",
      DRIFT_DEMO.scans,
      "--samples",
      peaks,
      "--seed",
      DRIFT_DEMO.seriesSeed,
      "--out-dir",
      scratch,
    ]);
    for (const name of missing) fs.renameSync(path.join(scratch, name), path.join(dataRoot, name));
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return missing.length;
}

export async function seedDriftDemo(target: DriftDemoTarget): Promise<DriftDemoSeeded> {
  const { prisma, edgeHostId, experimentId, baseDataset } = target;
  const checkpoint = path.join(target.edgeWorkdir, "models", DRIFT_DEMO.modelDir, "checkpoint.pt");
  const trained = !fs.existsSync(checkpoint);
  if (trained) trainBase(baseDataset.path, checkpoint);
  const sha256 = sha256File(checkpoint);
  const bytes = BigInt(fs.statSync(checkpoint).size);

  const family = await prisma.modelFamily.findUniqueOrThrow({ where: { key: "braggnn" } });
  // The seed's version is the one trained outside any run on the base dataset.
  const existing = await prisma.modelVersion.findFirst({ where: { familyId: family.id, datasetId: baseDataset.id, runId: null } });
  const serving = { edgeHostId, familyId: family.id, experimentId, active: true };
  let evaluation: { metrics: Record<string, number>; secondsPerDatum: number; samples: number } | null = null;
  if (!existing || existing.artifactSha256 !== sha256 || !(await prisma.deployment.findFirst({ where: serving }))) {
    // Held-out part of the base data, as the deploy step validates a run's model.
    const line = lastLine(
      runZoo(["evaluate", "--checkpoint", checkpoint, "--data", baseDataset.path, "--max-samples", 4096]),
      "evaluation",
      "evaluate",
    );
    evaluation = {
      metrics: line.metrics as Record<string, number>,
      secondsPerDatum: Number(line.seconds_per_datum),
      samples: Number(line.samples),
    };
  }
  const result = await prisma.$transaction(async (tx) => {
    let version = existing;
    if (!version) {
      await tx.$queryRaw`select id from "ModelFamily" where id = ${family.id} for update`;
      const last = await tx.modelVersion.findFirst({
        where: { familyId: family.id },
        orderBy: { version: "desc" },
        select: { version: true },
      });
      version = await tx.modelVersion.create({
        data: {
          familyId: family.id,
          version: (last?.version ?? 0) + 1,
          datasetId: baseDataset.id,
          experimentId,
          metrics: evaluation!.metrics,
          artifactFormat: "pytorch-checkpoint",
          artifactBytes: bytes,
          artifactSha256: sha256,
          aliases: last ? [] : ["latest"],
        },
      });
    } else if (evaluation) {
      // Its checkpoint may have been trained again (the file was lost): the version describes the file on disk.
      version = await tx.modelVersion.update({
        where: { id: version.id },
        data: { metrics: evaluation.metrics, artifactBytes: bytes, artifactSha256: sha256 },
      });
    }
    // Another model in service (a retrain deployed since) stays in service.
    const active = await tx.deployment.findFirst({ where: serving });
    if (active)
      return { version: version.version, service: active.modelVersionId === version.id ? ("in service" as const) : ("replaced" as const) };
    if (!evaluation) throw new Error("no evaluation of the model to deploy"); // evaluated above whenever none is active
    await tx.deployment.create({
      data: {
        modelVersionId: version.id,
        edgeHostId,
        familyId: family.id,
        experimentId,
        path: checkpoint,
        validation: { ...evaluation, exported: [] },
      },
    });
    return { version: version.version, service: "deployed" as const };
  });

  const scansWritten = writeSeries(target.dataRoot, Math.max(60, Math.round(DRIFT_DEMO.peaksPerScan * target.scale)));
  return { ...result, trained, scansWritten, valMeanPx: evaluation?.metrics.mean ?? null };
}
