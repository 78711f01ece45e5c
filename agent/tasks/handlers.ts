// One handler per step kind. Each validates its payload, does the work on this host, and returns the
// result the dashboard's schema expects.
import fs from "node:fs/promises";
import path from "node:path";
import { taskPayloads, type TaskKind } from "@/lib/agent-protocol/schemas";
import { sha256File, sha256FileWithSize } from "@/agent/dataplane/hash";
import { labelledPath, requireFile, storePath, taskDir } from "@/agent/store";
import { runZoo, type ZooLine } from "@/agent/zoo";
import { fetchTicket } from "@/agent/tasks/transfer";
import { TaskFailure, type TaskContext } from "@/agent/task-context";

type Handler = (context: TaskContext) => Promise<unknown>;

function payloadOf<K extends TaskKind>(context: TaskContext, kind: K) {
  const parsed = taskPayloads[kind].safeParse(context.task.payload);
  if (!parsed.success) throw new TaskFailure(`The dashboard sent a malformed ${kind} task: ${parsed.error.issues[0]?.message}`);
  return parsed.data as ReturnType<(typeof taskPayloads)[K]["parse"]>;
}

const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);

async function stageIn(context: TaskContext) {
  const { dataset, parentCheckpoint } = payloadOf(context, "stage_in");
  const { workdir } = context.config;
  const transfers = [await fetchTicket(context, dataset, storePath(workdir, dataset.sha256, "dataset"), `dataset ${dataset.name}`)];
  if (parentCheckpoint) {
    transfers.push(
      await fetchTicket(context, parentCheckpoint, storePath(workdir, parentCheckpoint.sha256, "checkpoint"), "parent checkpoint"),
    );
  }
  return { transfers };
}

async function label(context: TaskContext) {
  const { datasetSha256 } = payloadOf(context, "label");
  const { workdir } = context.config;
  const input = requireFile(storePath(workdir, datasetSha256, "dataset"), "The staged dataset");
  const output = labelledPath(workdir, context.task.runId);
  const { lines } = await runZoo(context, ["label", "--data", input, "--out", output], {
    workdir: taskDir(workdir, context.task.runId, `label-${context.task.attempt}`),
    onLine: (line) =>
      line.type === "progress" && context.emit({ type: "progress", done: Number(line.done), total: Number(line.total), note: "labelling" }),
  });
  const done = lines.find((l) => l.type === "labelled");
  if (!done) throw new TaskFailure("The labeller ended without reporting its result.");
  const { sha256, bytes } = await sha256FileWithSize(output);
  return {
    peaks: Number(done.peaks),
    secondsPerPeak: Number(done.seconds_per_peak),
    failed: Number(done.failed ?? 0),
    output: { path: output, bytes, sha256 },
  };
}

async function train(context: TaskContext) {
  const p = payloadOf(context, "train");
  const { workdir } = context.config;
  const data = p.labelled ? storePath(workdir, p.datasetSha256, "dataset") : labelledPath(workdir, context.task.runId);
  requireFile(data, "The staged dataset");
  const out = taskDir(workdir, context.task.runId, `train-${context.task.attempt}`);
  const args = [
    "train",
    "--family",
    p.family,
    "--data",
    data,
    "--out",
    out,
    "--epochs",
    String(p.params.epochs),
    "--batch-size",
    String(p.params.batchSize),
    "--lr",
    String(p.params.learningRate),
    "--seed",
    String(p.params.seed),
    "--device",
    "cpu",
  ];
  if (p.params.maxSamples) args.push("--max-samples", String(p.params.maxSamples));
  if (p.parentSha256) args.push("--parent", requireFile(storePath(workdir, p.parentSha256, "checkpoint"), "The parent checkpoint"));

  const submittedAt = Date.now();
  let startedAt: number | null = null;
  let artifact: ZooLine | null = null;
  let epochs = 0;
  const { lines } = await runZoo(context, args, {
    executor: p.executor,
    workdir: out,
    onStarted: (handle) => {
      void handle.running().then((info) => {
        if (!info) return;
        startedAt = info.startedAt.getTime();
        context.emit({ type: "started", executorJobId: handle.executorJobId });
      });
    },
    onLine: (line) => {
      if (line.type === "epoch") {
        epochs = Number(line.epoch);
        const metrics = Object.fromEntries(
          Object.entries((line.metrics ?? {}) as Record<string, unknown>).filter(([, v]) => num(v) !== null),
        ) as Record<string, number>;
        context.emit({
          type: "metric",
          metric: {
            epoch: epochs,
            loss: num(line.loss) ?? NaN,
            valLoss: num(line.val_loss),
            metrics,
            seconds: num(line.seconds) ?? 0,
            samplesPerSecond: num(line.samples_per_s) ?? 0,
          },
        });
      } else if (line.type === "artifact") artifact = line;
      else if (line.type === "start")
        context.log(
          `training ${line.family}: ${line.parameters} parameters, ${line.train_samples} train / ${line.val_samples} validation samples, ${line.threads} threads`,
        );
    },
  });
  void lines;
  const found = artifact as ZooLine | null;
  if (!found) throw new TaskFailure("Training ended without an artifact line.");
  const artifactPath = String(found.path);
  // Never trust a checksum we did not compute: the file is what the edge will verify against.
  const sha256 = await sha256File(artifactPath);
  if (sha256 !== found.sha256) throw new TaskFailure(`Artifact checksum mismatch on the trainer (${sha256} ≠ ${String(found.sha256)}).`);
  const bytes = (await fs.stat(artifactPath)).size;
  const ended = Date.now();
  // Slurm's StartTime has whole seconds: it can read up to a second before our own submit time, and a
  // negative queue wait would make the dashboard refuse the whole result.
  const began = Math.max(startedAt ?? submittedAt, submittedAt);
  return {
    artifact: { path: artifactPath, bytes, sha256 },
    trainSeconds: (ended - began) / 1000,
    queueSeconds: (began - submittedAt) / 1000,
    epochs,
  };
}

async function stageOut(context: TaskContext) {
  const { artifact, labelledDataset } = payloadOf(context, "stage_out");
  const { workdir } = context.config;
  const transfers = [await fetchTicket(context, artifact, storePath(workdir, artifact.sha256, "checkpoint"), "model artifact")];
  if (labelledDataset) {
    transfers.push(
      await fetchTicket(context, labelledDataset, storePath(workdir, labelledDataset.sha256, "dataset"), "labels (conventional analysis)"),
    );
  }
  return { transfers };
}

async function deploy(context: TaskContext) {
  const p = payloadOf(context, "deploy");
  const { workdir } = context.config;
  const staged = requireFile(storePath(workdir, p.artifactSha256, "checkpoint"), "The model artifact");
  // Verify again at the moment of deployment: a file changed on disk since stage-out is never deployed.
  const sha256 = await sha256File(staged);
  if (sha256 !== p.artifactSha256)
    throw new TaskFailure(`Refusing to deploy: artifact sha256 ${sha256} does not match ${p.artifactSha256}.`);
  const dir = taskDir(workdir, context.task.runId, `deploy-${context.task.attempt}`);
  const validationData =
    "path" in p.validation
      ? p.validation.path
      : requireFile(storePath(workdir, p.validation.labelledSha256, "dataset"), "The labelled validation data");
  const evaluation = await runZoo(
    context,
    ["evaluate", "--checkpoint", staged, "--data", validationData, "--max-samples", String(p.maxValidationSamples)],
    { workdir: dir },
  );
  const result = evaluation.lines.find((l) => l.type === "evaluation");
  if (!result) throw new TaskFailure("Validation ended without an evaluation line.");
  const exported = await runZoo(context, ["export", "--checkpoint", staged, "--out", path.join(dir, "export")], { workdir: dir });
  const modelDir = path.join(workdir, "models", context.task.runId);
  await fs.mkdir(modelDir, { recursive: true });
  const finalPath = path.join(modelDir, "checkpoint.pt");
  await fs.copyFile(staged, finalPath);
  const metrics = Object.fromEntries(
    Object.entries((result.metrics ?? {}) as Record<string, unknown>).filter(([, v]) => num(v) !== null),
  ) as Record<string, number>;
  return {
    path: finalPath,
    sha256,
    metrics,
    secondsPerDatum: Number(result.seconds_per_datum),
    samples: Number(result.samples),
    exported: exported.lines
      .filter((l) => l.type === "artifact")
      .map((l) => ({ format: String(l.format), path: String(l.path), bytes: Number(l.bytes) })),
  };
}

export const handlers: Record<TaskKind, Handler> = { stage_in: stageIn, label, train, stage_out: stageOut, deploy };
