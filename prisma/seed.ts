// Demo data for `npm start`: users of every role, two experiments, both model families, a local and a
// Slurm trainer, an edge host, agent tokens for the local agents, and simulated datasets on the edge
// host (made by the model zoo, so a Retrain trains on real data), and the drift demo (prisma/drift-demo.ts).
// Idempotent: safe to run again.
import "dotenv/config";
import fs from "node:fs";
import path from "node:path";
import { prisma } from "@/lib/db";
import { hashPassword } from "@/lib/auth/password";
import { hashSecret, newSecret } from "@/lib/flow/tokens";
import { agentCredential, splitCredential } from "@/lib/agent-protocol/grant-seal";
import { seedDriftDemo } from "./drift-demo";
import { runZoo } from "./zoo-cli";

export const DEMO_PASSWORD = process.env.DEMO_PASSWORD ?? "beamline-demo";
const DATA = path.resolve(process.env.BEAMLINE_DATA_DIR ?? ".data");
const EDGE_DATASETS = path.join(DATA, "edge", "datasets");
// Tests seed smaller datasets (SEED_SAMPLE_SCALE=0.25) to keep the suite quick on two cores.
const SCALE = Number(process.env.SEED_SAMPLE_SCALE ?? 1);
const BASE_DATASET = "base peaks, undrifted (simulated)";
// Test templates leave the drift demo out (SEED_DRIFT_DEMO=0): their edge agents keep models elsewhere.
const DRIFT_DEMO_ON = process.env.SEED_DRIFT_DEMO !== "0";

const USERS = [
  { email: "admin@demo.test", name: "Ada Admin", role: "admin" },
  { email: "staff@demo.test", name: "Sam Staff", role: "staff" },
  { email: "pi@demo.test", name: "Pat PI", role: "scientist" },
  { email: "scientist@demo.test", name: "Sofia Scientist", role: "scientist" },
  { email: "viewer@demo.test", name: "Vic Viewer", role: "viewer" },
  { email: "outsider@demo.test", name: "Olga Outsider", role: "scientist" },
] as const;

async function upsertUsers() {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const users: Record<string, string> = {};
  for (const u of USERS) {
    const user = await prisma.user.upsert({ where: { email: u.email }, update: {}, create: { ...u, passwordHash } });
    users[u.email.split("@")[0]] = user.id;
  }
  return users;
}

async function upsertFamilies() {
  await prisma.modelFamily.upsert({
    where: { key: "braggnn" },
    update: {},
    create: {
      key: "braggnn",
      name: "BraggNN",
      description: "Bragg-peak centre localisation for HEDM: 11×11 patch → (x, y) sub-pixel centre. 33,172 parameters.",
      inputSpec: { patch: [1, 11, 11], output: [2], normalisation: "per-patch min–max" },
      entryPoint: "beamline_zoo train --family braggnn",
      // The paper trains 500 epochs at 3e-4; the demo keeps a CPU run near a minute, with a larger step to converge.
      defaultHyperParameters: { epochs: 8, batchSize: 256, learningRate: 0.001 },
      metrics: ["mean", "p50", "p75", "p95", "p99_5"],
    },
  });
  await prisma.modelFamily.upsert({
    where: { key: "cookienetae" },
    update: {},
    create: {
      key: "cookienetae",
      name: "CookieNetAE",
      description: "CookieBox electron-spectra denoising autoencoder: 1×128×128 counts → probability density.",
      inputSpec: { image: [1, 128, 128], output: [1, 128, 128] },
      entryPoint: "beamline_zoo train --family cookienetae",
      defaultHyperParameters: { epochs: 3, batchSize: 32, learningRate: 0.0024 },
      metrics: ["val_mse"],
    },
  });
}

/**
 * Reuses the token in `file` when it still matches an agent, else issues a new one; writes the agent's credential
 * there (its seal key follows the dashboard's secret, NEXTAUTH_SECRET, which may have changed since).
 */
async function agentToken(file: string, data: { name: string; kind: "trainer" | "edge"; trainerId?: string; edgeHostId?: string }) {
  if (fs.existsSync(file)) {
    const { token } = splitCredential(fs.readFileSync(file, "utf8"));
    const agent = await prisma.agent.findUnique({ where: { tokenHash: hashSecret(token) } });
    if (agent && !agent.revokedAt) return writeCredential(file, agentCredential(token, agent.id));
  }
  const secret = newSecret("brt");
  const agent = await prisma.agent.create({ data: { ...data, tokenHash: secret.hash, tokenPrefix: secret.display } });
  writeCredential(file, agentCredential(secret.token, agent.id));
}

function writeCredential(file: string, credential: string) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, credential, { mode: 0o600 });
}

interface Simulated {
  path: string;
  bytes: number;
  sha256: string;
  samples: number;
}

function simulate(family: "braggnn" | "cookienetae", samples: number, file: string, extra: string[] = []): Simulated | null {
  try {
    const lines = runZoo(["simulate", "--family", family, "--samples", samples, "--out", file, ...extra]);
    return (lines.find((l) => l.type === "simulated") as Simulated | undefined) ?? null;
  } catch (error) {
    console.warn(`[seed] could not simulate ${family} data (is python3-torch installed?): ${(error as Error).message.split("\n")[0]}`);
    return null;
  }
}

async function main() {
  const users = await upsertUsers();
  await upsertFamilies();
  const edge = await prisma.edgeHost.upsert({
    where: { name: "aps-1id-edge" },
    update: {},
    create: { name: "aps-1id-edge", site: "APS 1-ID-E", description: "Edge computer beside the HEDM detector (local demo agent)." },
  });
  const local = await prisma.trainer.upsert({
    where: { name: "local-cpu" },
    update: {},
    create: { name: "local-cpu", site: "this machine", hardware: "CPU, 2 threads", executor: "local", concurrency: 1 },
  });
  const slurm = await prisma.trainer.upsert({
    where: { name: "slurm-cluster" },
    update: {},
    create: { name: "slurm-cluster", site: "this machine via Slurm", hardware: "1-node Slurm, CPU", executor: "slurm", concurrency: 2 },
  });
  await agentToken(path.join(DATA, "agents", "trainer.token"), { name: "local-trainer-agent", kind: "trainer", trainerId: local.id });
  await agentToken(path.join(DATA, "agents", "slurm.token"), { name: "slurm-login-agent", kind: "trainer", trainerId: slurm.id });
  await agentToken(path.join(DATA, "agents", "edge.token"), { name: "edge-agent", kind: "edge", edgeHostId: edge.id });

  const hedm = await prisma.experiment.upsert({
    where: { name: "Ti-7Al in-situ loading (HEDM)" },
    update: {},
    create: {
      name: "Ti-7Al in-situ loading (HEDM)",
      beamline: "APS 1-ID-E",
      technique: "HEDM",
      description: "Far-field HEDM of a Ti-7Al specimen under load; BraggNN localises peaks at the edge.",
      piId: users.pi,
      beamtimeStart: new Date("2026-11-24T08:00:00Z"),
      beamtimeEnd: new Date("2026-11-30T08:00:00Z"),
      members: { create: [{ userId: users.pi }, { userId: users.scientist }, { userId: users.viewer }] },
    },
  });
  const cookie = await prisma.experiment.upsert({
    where: { name: "Attosecond streaking (CookieBox)" },
    update: {},
    create: {
      name: "Attosecond streaking (CookieBox)",
      beamline: "LCLS-II TMO",
      technique: "CookieBox angular streaking",
      description: "CookieNetAE denoises electron spectra from the 16-channel CookieBox.",
      piId: users.pi,
      beamtimeStart: new Date("2026-12-01T08:00:00Z"),
      beamtimeEnd: new Date("2026-12-04T08:00:00Z"),
      members: { create: [{ userId: users.pi }, { userId: users.scientist }] },
    },
  });

  // Each experiment's data lies in a folder of its own on the edge host, declared as its data root: datasets
  // are registered only from there.
  const roots = { [hedm.id]: path.join(EDGE_DATASETS, "hedm-ti7al"), [cookie.id]: path.join(EDGE_DATASETS, "cookiebox-streaking") };
  for (const [experimentId, folder] of Object.entries(roots)) {
    await prisma.dataRoot.upsert({
      where: { edgeHostId_experimentId_path: { edgeHostId: edge.id, experimentId, path: folder } },
      update: {},
      create: { edgeHostId: edge.id, experimentId, path: folder, createdById: users.staff },
    });
  }

  const datasets: {
    experimentId: string;
    name: string;
    family: "braggnn" | "cookienetae";
    kind: "simulated" | "raw";
    samples: number;
    file: string;
    shape: number[];
    extra?: string[];
  }[] = [
    {
      experimentId: hedm.id,
      name: "scan-0042 patches (simulated)",
      family: "braggnn",
      kind: "simulated",
      samples: 12_000,
      file: "braggnn-scan-0042.h5",
      shape: [11, 11],
    },
    {
      experimentId: hedm.id,
      name: "scan-0043 unlabelled",
      family: "braggnn",
      kind: "raw",
      samples: 1_500,
      file: "braggnn-scan-0043-unlabelled.h5",
      shape: [11, 11],
      extra: ["--unlabelled", "--seed", "7"],
    },
    {
      experimentId: cookie.id,
      name: "run-117 spectra (simulated)",
      family: "cookienetae",
      kind: "simulated",
      samples: 256,
      file: "cookiebox-run-117.h5",
      shape: [128, 128],
    },
  ];
  if (DRIFT_DEMO_ON)
    datasets.push({
      // What the drift demo's base model was trained on: frames + peak table, undrifted.
      experimentId: hedm.id,
      name: BASE_DATASET,
      family: "braggnn",
      kind: "simulated",
      samples: 1_500,
      file: "braggnn-base-undrifted.h5",
      shape: [11, 11],
      extra: ["--frames", "--seed", "100"],
    });
  for (const d of datasets) {
    const existing = await prisma.dataset.findUnique({ where: { experimentId_name: { experimentId: d.experimentId, name: d.name } } });
    if (existing && fs.existsSync(existing.path)) continue;
    const samples = Math.max(64, Math.round(d.samples * SCALE));
    const made = simulate(d.family, samples, path.join(roots[d.experimentId], d.file), d.extra);
    if (!made) continue;
    const data = {
      path: made.path,
      bytes: BigInt(made.bytes),
      sha256: made.sha256,
      // What the file holds (tests seed a scaled-down file): predictions scale with it.
      sampleCount: samples,
      shapes: { sample: [samples, ...d.shape] },
    };
    if (existing) await prisma.dataset.update({ where: { id: existing.id }, data });
    else
      await prisma.dataset.create({
        data: {
          ...data,
          experimentId: d.experimentId,
          edgeHostId: edge.id,
          familyKey: d.family,
          name: d.name,
          kind: d.kind,
          registeredById: users.scientist,
        },
      });
  }
  if (DRIFT_DEMO_ON) await driftDemo(hedm.id, edge.id, roots[hedm.id]);
  console.log(`[seed] demo data ready (${USERS.length} users, 2 experiments, 2 trainers, 1 edge host)`);
}

async function driftDemo(experimentId: string, edgeHostId: string, dataRoot: string) {
  const baseDataset = await prisma.dataset.findUnique({ where: { experimentId_name: { experimentId, name: BASE_DATASET } } });
  if (!baseDataset || !fs.existsSync(baseDataset.path))
    return console.warn("[seed] drift demo skipped: its base dataset could not be made");
  try {
    const done = await seedDriftDemo({
      prisma,
      edgeWorkdir: path.join(DATA, "edge"),
      edgeHostId,
      experimentId,
      dataRoot,
      baseDataset,
      scale: SCALE,
    });
    const base = done.trained ? `trained (validation ${done.valMeanPx?.toFixed(3)} px)` : "reused";
    console.log(
      `[seed] drift demo: BraggNN v${done.version} ${base}, ${done.service}; ${done.scansWritten} drifting scans written to ${dataRoot}`,
    );
  } catch (error) {
    console.warn(`[seed] drift demo skipped: ${(error as Error).message}`);
  }
}

main()
  .then(() => prisma.$disconnect())
  .catch(async (error) => {
    console.error("[seed] failed:", error);
    await prisma.$disconnect();
    process.exit(1);
  });
