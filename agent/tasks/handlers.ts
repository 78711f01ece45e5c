// One handler per agent step (lib/flow/steps): each gets its payload, validated against the step's schema,
// does the work on this host, and returns the result the step's result schema describes.
import fs from "node:fs/promises";
import path from "node:path";
import { AGENT_STEP_IO, type AgentStepName, type StepPayload, type StepResultInput } from "@/lib/flow/steps";
import { sha256File, sha256FileWithSize } from "@/agent/dataplane/hash";
import { labelledPath, requireFile, storePath, taskDir } from "@/agent/store";
import { runZoo, type ZooLine } from "@/agent/zoo";
import { isKnownZooLine, zooLines, type ZooLineOf, type ZooLineType } from "@/agent/zoo-lines";
import { fetchTicket } from "@/agent/tasks/transfer";
import { trainingStandby } from "@/agent/tasks/standby";
import { TaskFailure, type TaskContext } from "@/agent/task-context";

type Handlers = { [K in AgentStepName]: (context: TaskContext, payload: StepPayload<K>) => Promise<StepResultInput<K>> };

/** The zoo's line of this type, checked; a zoo that did not say what it must fails the step. */
function zooLine<T extends ZooLineType>(line: ZooLine, type: T): ZooLineOf<T> {
  const parsed = zooLines[type].safeParse(line);
  if (!parsed.success) throw new TaskFailure(`The model zoo wrote a malformed ${type} line: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

function lastZooLine<T extends ZooLineType>(lines: ZooLine[], type: T, missing: string): ZooLineOf<T> {
  const line = lines.findLast((candidate) => candidate.type === type);
  if (!line) throw new TaskFailure(missing);
  return zooLine(line, type);
}

async function stageIn(context: TaskContext, payload: StepPayload<"stage_in">): Promise<StepResultInput<"stage_in">> {
  const { dataset, parentCheckpoint, trainJob } = payload;
  const { workdir } = context.config;
  const totalBytes = dataset.bytes + (parentCheckpoint?.bytes ?? 0);
  // A Slurm training that follows at once gets a standby job while the data moves (agent/tasks/standby.ts).
  const standby = trainJob?.executor === "slurm" ? trainingStandby(context, trainJob.parallel, totalBytes) : null;
  try {
    const transfers = [
      await fetchTicket(context, dataset, storePath(workdir, dataset.sha256, "dataset"), `dataset ${dataset.name}`, standby?.progress),
    ];
    if (parentCheckpoint) {
      transfers.push(
        await fetchTicket(
          context,
          parentCheckpoint,
          storePath(workdir, parentCheckpoint.sha256, "checkpoint"),
          "parent checkpoint",
          (done) => standby?.progress(dataset.bytes + done),
        ),
      );
    }
    standby?.progress(totalBytes);
    return { transfers };
  } catch (error) {
    await standby?.drop();
    throw error;
  }
}

async function label(context: TaskContext, payload: StepPayload<"label">): Promise<StepResultInput<"label">> {
  const { datasetSha256 } = payload;
  const { workdir } = context.config;
  const input = requireFile(storePath(workdir, datasetSha256, "dataset"), "The staged dataset");
  const output = labelledPath(workdir, context.task.runId);
  const { lines } = await runZoo(context, ["label", "--data", input, "--out", output], {
    workdir: taskDir(workdir, context.task.runId, `label-${context.task.attempt}`),
    onLine: (line) => {
      if (line.type === "progress") context.emit({ type: "progress", ...zooLine(line, "progress"), note: "labelling" });
    },
  });
  const done = lastZooLine(lines, "labelled", "The labeller ended without reporting its result.");
  const { sha256, bytes } = await sha256FileWithSize(output);
  return { peaks: done.peaks, secondsPerPeak: done.seconds_per_peak, failed: done.failed, output: { path: output, bytes, sha256 } };
}

async function train(context: TaskContext, payload: StepPayload<"train">): Promise<StepResultInput<"train">> {
  const { workdir } = context.config;
  const data = payload.labelled ? storePath(workdir, payload.datasetSha256, "dataset") : labelledPath(workdir, context.task.runId);
  requireFile(data, "The staged dataset");
  const out = taskDir(workdir, context.task.runId, `train-${context.task.attempt}`);
  const args = [
    "train",
    "--family",
    payload.family,
    "--data",
    data,
    "--out",
    out,
    "--epochs",
    String(payload.params.epochs),
    "--batch-size",
    String(payload.params.batchSize),
    "--lr",
    String(payload.params.learningRate),
    "--seed",
    String(payload.params.seed),
    "--device",
    payload.parallel.gpusPerNode > 0 ? "cuda" : "cpu",
  ];
  if (payload.params.maxSamples) args.push("--max-samples", String(payload.params.maxSamples));
  if (payload.parentSha256)
    args.push("--parent", requireFile(storePath(workdir, payload.parentSha256, "checkpoint"), "The parent checkpoint"));

  const submittedAt = Date.now();
  let startedAt: number | null = null;
  let epochs = 0;
  const { lines } = await runZoo(context, args, {
    executor: payload.executor,
    parallel: payload.parallel,
    workdir: out,
    onStarted: (handle) => {
      if (handle.startedWarm)
        context.log(
          payload.executor === "slurm"
            ? `training handed to the standby Slurm job ${handle.executorJobId} (submitted during stage-in, torch already imported)`
            : "training process handed to a warm zoo process (torch already imported)",
        );
      void handle.running().then((info) => {
        if (!info) return;
        startedAt = info.startedAt.getTime();
        context.emit({ type: "started", executorJobId: handle.executorJobId });
      });
    },
    onLine: (line) => {
      // While the job runs a malformed line is reported and skipped; only the final artifact line must hold.
      const checked = isKnownZooLine(line.type) ? zooLines[line.type].safeParse(line) : null;
      if (checked && !checked.success) return context.log(`skipped a malformed ${line.type} line from the zoo`);
      if (line.type === "epoch") {
        const epoch = zooLine(line, "epoch");
        epochs = epoch.epoch;
        context.emit({
          type: "metric",
          metric: {
            epoch: epoch.epoch,
            loss: epoch.loss,
            valLoss: epoch.val_loss,
            metrics: epoch.metrics,
            seconds: epoch.seconds,
            samplesPerSecond: epoch.samples_per_s,
            rankSamplesPerSecond: [...epoch.ranks].sort((a, b) => a.rank - b.rank).map((r) => r.samples_per_s ?? 0),
          },
        });
      } else if (line.type === "first_batch") {
        context.emit({ type: "first_batch", atMs: zooLine(line, "first_batch").at * 1000 });
      } else if (line.type === "start") {
        const start = zooLine(line, "start");
        context.log(
          `training ${start.family}: ${start.parameters} parameters, ${start.train_samples} train / ${start.val_samples} validation samples, ${start.threads} threads` +
            (start.world_size > 1
              ? `, ${start.world_size} ranks: global batch ${start.global_batch_size} (${start.batch_size} per rank), learning rate ${start.lr} (${start.lr_scaling} scaling of ${start.base_lr})`
              : ""),
        );
      }
    },
  });
  const found = lastZooLine(lines, "artifact", "Training ended without an artifact line.");
  // Never trust a checksum we did not compute: the file is what the edge will verify against.
  const sha256 = await sha256File(found.path);
  if (sha256 !== found.sha256) throw new TaskFailure(`Artifact checksum mismatch on the trainer (${sha256} ≠ ${found.sha256}).`);
  const bytes = (await fs.stat(found.path)).size;
  const ended = Date.now();
  // Slurm's StartTime has whole seconds: it can read up to a second before our own submit time, and a
  // negative queue wait would make the dashboard refuse the whole result.
  const began = Math.max(startedAt ?? submittedAt, submittedAt);
  return {
    artifact: { path: found.path, bytes, sha256 },
    trainSeconds: (ended - began) / 1000,
    queueSeconds: (began - submittedAt) / 1000,
    epochs,
  };
}

async function stageOut(context: TaskContext, payload: StepPayload<"stage_out">): Promise<StepResultInput<"stage_out">> {
  const { artifact, labelledDataset } = payload;
  const { workdir } = context.config;
  const transfers = [await fetchTicket(context, artifact, storePath(workdir, artifact.sha256, "checkpoint"), "model artifact")];
  if (labelledDataset) {
    transfers.push(
      await fetchTicket(context, labelledDataset, storePath(workdir, labelledDataset.sha256, "dataset"), "labels (conventional analysis)"),
    );
  }
  return { transfers };
}

async function deploy(context: TaskContext, payload: StepPayload<"deploy">): Promise<StepResultInput<"deploy">> {
  const { workdir } = context.config;
  const staged = requireFile(storePath(workdir, payload.artifactSha256, "checkpoint"), "The model artifact");
  // Verify again at the moment of deployment: a file changed on disk since stage-out is never deployed.
  const sha256 = await sha256File(staged);
  if (sha256 !== payload.artifactSha256)
    throw new TaskFailure(`Refusing to deploy: artifact sha256 ${sha256} does not match ${payload.artifactSha256}.`);
  const dir = taskDir(workdir, context.task.runId, `deploy-${context.task.attempt}`);
  const validationData =
    "path" in payload.validation
      ? payload.validation.path
      : requireFile(storePath(workdir, payload.validation.labelledSha256, "dataset"), "The labelled validation data");
  const inService = payload.inService;
  const inServiceProblem = inService && (await checkInService(inService));
  // One zoo process validates the new model, evaluates the one in service on the same samples (same data, split
  // and sample cap) and exports the new one.
  const { lines } = await runZoo(
    context,
    [
      "deploy",
      "--checkpoint",
      staged,
      "--checkpoint-sha256",
      sha256,
      "--data",
      validationData,
      "--max-samples",
      String(payload.maxValidationSamples),
      "--export-dir",
      path.join(dir, "export"),
      ...(inService && !inServiceProblem ? ["--in-service", inService.path, "--in-service-sha256", inService.sha256] : []),
    ],
    { workdir: dir },
  );
  const evaluations = lines.filter((line) => line.type === "evaluation").map((line) => zooLine(line, "evaluation"));
  const result = evaluations.find((evaluation) => evaluation.role === "candidate");
  if (!result?.seconds_per_datum) throw new TaskFailure("Validation ended without an evaluation line.");
  const modelDir = path.join(workdir, "models", context.task.runId);
  await fs.mkdir(modelDir, { recursive: true });
  const finalPath = path.join(modelDir, "checkpoint.pt");
  await fs.copyFile(staged, finalPath);
  return {
    path: finalPath,
    sha256,
    metrics: result.metrics,
    secondsPerDatum: result.seconds_per_datum,
    samples: result.samples,
    exported: lines
      .filter((line) => line.type === "artifact")
      .map((line) => zooLine(line, "artifact"))
      .map((artifact) => ({ format: artifact.format, path: artifact.path, bytes: artifact.bytes ?? 0 })),
    inService: inService && comparison(context, inService, inServiceProblem, evaluations, lines),
  };
}

/** A model in service whose file is missing or altered is reported, not evaluated: the dashboard decides what that means. */
async function checkInService(inService: NonNullable<StepPayload<"deploy">["inService"]>): Promise<string | null> {
  const found = await sha256File(inService.path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return null;
    throw error;
  });
  if (found === null) return `its checkpoint ${inService.path} is missing`;
  if (found !== inService.sha256) return `its checkpoint's sha256 ${found} is not the recorded ${inService.sha256}`;
  return null;
}

/** What the deploy gate weighs: the in-service model's metrics on the same samples, or why there are none. */
function comparison(
  context: TaskContext,
  inService: NonNullable<StepPayload<"deploy">["inService"]>,
  problem: string | null,
  evaluations: ZooLineOf<"evaluation">[],
  lines: ZooLine[],
): NonNullable<StepResultInput<"deploy">["inService"]> {
  const { deploymentId } = inService;
  if (problem) return { deploymentId, failure: problem };
  const evaluation = evaluations.find((candidate) => candidate.role === "in_service");
  if (evaluation) {
    context.log(`in service v${inService.version} evaluated on the same samples: ${JSON.stringify(evaluation.metrics)}`);
    return { deploymentId, metrics: evaluation.metrics };
  }
  const failed = lines.find((line) => line.type === "in_service_failed");
  const failure = failed ? zooLine(failed, "in_service_failed").message : "its evaluation ended without an evaluation line";
  return { deploymentId, failure: failure.slice(0, 500) };
}

const handlers: Handlers = { stage_in: stageIn, label, train, stage_out: stageOut, deploy };

/** Runs the task its context holds: the payload is checked against its step's schema first. */
export function runTask(context: TaskContext): Promise<unknown> {
  return runStep(context.task.kind, context);
}

async function runStep<K extends AgentStepName>(kind: K, context: TaskContext): Promise<StepResultInput<K>> {
  const parsed = AGENT_STEP_IO[kind].payload.safeParse(context.task.payload);
  if (!parsed.success) throw new TaskFailure(`The dashboard sent a malformed ${kind} task: ${parsed.error.issues[0]?.message}`);
  return handlers[kind](context, parsed.data);
}
