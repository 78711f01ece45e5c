// Moves a run forward by one decision at a time, under a row lock, so that any number of processes
// (web app, worker, agent reports) may call it at once: each decision is applied exactly once.
import type { Prisma } from "@/lib/generated/prisma/client";
import { prisma } from "@/lib/db";
import { breakdown, decide, planSteps, STEP_AGENT, type Decision, type StepName } from "@/lib/flow/plan";
import { flowConfig } from "@/lib/flow/config";
import { newSecret } from "@/lib/flow/tokens";
import { publish } from "@/lib/flow/events";
import { chooseAgent } from "@/lib/flow/choose-agent";

type Tx = Prisma.TransactionClient;

const runInclude = {
  steps: true,
  dataset: true,
  family: true,
  trainer: { include: { agents: { where: { revokedAt: null }, orderBy: { lastHeartbeatAt: "desc" as const } } } },
  edgeHost: { include: { agents: { where: { revokedAt: null }, orderBy: { lastHeartbeatAt: "desc" as const } } } },
  parentVersion: { include: { deployments: { where: { active: true } } } },
} satisfies Prisma.RunInclude;
type LoadedRun = Prisma.RunGetPayload<{ include: typeof runInclude }>;

export class StepSetupError extends Error {}

/** Advances until the run waits on something outside (an agent, a free slot) or ends. */
export async function advanceRun(runId: string): Promise<void> {
  for (let i = 0; i < 12; i++) {
    // maxWait: under a burst (many launches and reports at once) a connection may take a while to free up.
    const outcome = await prisma.$transaction((tx) => advanceOnce(tx, runId), { timeout: 15_000, maxWait: 10_000 });
    if (outcome.finishedOnTrainer) await wakeQueuedRuns(outcome.finishedOnTrainer);
    if (!outcome.progressed) return;
  }
}

async function advanceOnce(tx: Tx, runId: string): Promise<{ progressed: boolean; finishedOnTrainer?: string }> {
  const locked = await tx.$queryRaw<{ trainerId: string }[]>`select "trainerId" from "Run" where id = ${runId} for update`;
  if (locked.length === 0) return { progressed: false };
  const run = await tx.run.findUniqueOrThrow({ where: { id: runId }, include: runInclude });
  const decision = decide({
    status: run.status,
    cancelRequested: run.cancelRequestedAt !== null,
    plan: planSteps({ needsLabelling: run.dataset.kind === "raw" }),
    steps: run.steps,
  });
  const now = new Date();
  switch (decision.kind) {
    case "none":
      return { progressed: false };
    case "finish":
      await finishRun(tx, run, decision, now);
      return { progressed: false, finishedOnTrainer: run.trainerId };
    case "wait":
      if (decision.step === "queue") return { progressed: await tryLeaveQueue(tx, run, now) };
      return { progressed: false };
    case "start":
      try {
        await startStep(tx, run, decision.step, decision.attempt, now);
      } catch (error) {
        if (!(error instanceof StepSetupError)) throw error;
        await upsertStep(tx, run.id, decision.step, decision.attempt, {
          status: "failed",
          startedAt: now,
          endedAt: now,
          seconds: 0,
          error: error.message,
        });
      }
      await publish({ type: "run", runId: run.id }, tx);
      return { progressed: true };
  }
}

function upsertStep(tx: Tx, runId: string, name: StepName, attempt: number, data: Prisma.RunStepUncheckedUpdateInput) {
  return tx.runStep.upsert({
    where: { runId_name_attempt: { runId, name, attempt } },
    create: { runId, name, attempt, ...(data as Omit<Prisma.RunStepUncheckedCreateInput, "runId" | "name" | "attempt">) },
    update: data,
  });
}

/** A queued run leaves the queue when its trainer has a free slot (the trainer row lock serialises this). */
async function tryLeaveQueue(tx: Tx, run: LoadedRun, now: Date): Promise<boolean> {
  await tx.$queryRaw`select id from "Trainer" where id = ${run.trainerId} for update`;
  const busy = await tx.run.count({ where: { trainerId: run.trainerId, status: "running", id: { not: run.id } } });
  const ahead = await tx.run.count({
    where: { trainerId: run.trainerId, status: "queued", createdAt: { lt: run.createdAt }, cancelRequestedAt: null },
  });
  if (busy >= run.trainer.concurrency || ahead > 0) return false;
  const queueStep = run.steps.find((s) => s.name === "queue" && s.status === "running");
  const startedAt = queueStep?.startedAt ?? run.createdAt;
  await upsertStep(tx, run.id, "queue", queueStep?.attempt ?? 1, {
    status: "succeeded",
    endedAt: now,
    seconds: (now.getTime() - startedAt.getTime()) / 1000,
  });
  await tx.run.update({ where: { id: run.id }, data: { status: "running", startedAt: run.startedAt ?? now } });
  return true;
}

async function startStep(tx: Tx, run: LoadedRun, step: StepName, attempt: number, now: Date) {
  if (step === "queue") {
    await upsertStep(tx, run.id, "queue", attempt, { status: "running", startedAt: run.createdAt });
    return;
  }
  const side = STEP_AGENT[step];
  const agent = liveAgent(run, side, now);
  // Trainer-side steps hand files to each other on one host: the run keeps the agent that started them.
  if (side === "trainer" && agent.id !== run.trainerAgentId) {
    await tx.run.update({ where: { id: run.id }, data: { trainerAgentId: agent.id } });
  }
  const payload = await buildPayload(tx, run, step, agent.id, now);
  const row = await upsertStep(tx, run.id, step, attempt, { status: "running", startedAt: now });
  await tx.task.create({ data: { agentId: agent.id, runId: run.id, stepId: row.id, kind: step, payload } });
  await publish({ type: "task", agentId: agent.id }, tx);
}

/** The agent for one side of the run (issue 10 #13: chooseAgent); a step cannot start without one. */
function liveAgent(run: LoadedRun, side: "trainer" | "edge", now: Date) {
  const agents = side === "trainer" ? run.trainer.agents : run.edgeHost.agents;
  const preferredAgentId = side === "trainer" ? run.trainerAgentId : null;
  const agent = chooseAgent(agents, { now, offlineSeconds: flowConfig.agentOfflineSeconds, preferredAgentId });
  if (agent) return agent;
  const where = side === "trainer" ? `trainer ${run.trainer.name}` : `edge host ${run.edgeHost.name}`;
  const issued = agents.length ? ` (tokens issued to ${agents.map((a) => a.name).join(", ")}, none connected yet)` : "";
  throw new StepSetupError(`No agent has connected for ${where}${issued}: staff must issue a token and start one.`);
}

async function newTransfer(
  tx: Tx,
  run: LoadedRun,
  purpose: string,
  source: { id: string; dataPlaneUrl: string | null; name: string },
  destAgentId: string,
  file: { path: string; bytes: bigint; sha256: string },
  now: Date,
) {
  if (!source.dataPlaneUrl) {
    throw new StepSetupError(`Agent ${source.name} has not reported a data-plane address yet: is it running?`);
  }
  const secret = newSecret("xfer");
  const transfer = await tx.transfer.create({
    data: {
      runId: run.id,
      purpose,
      sourceAgentId: source.id,
      destAgentId,
      sourcePath: file.path,
      bytes: file.bytes,
      sha256: file.sha256,
      tokenHash: secret.hash,
      tokenExpiresAt: new Date(now.getTime() + flowConfig.transferTokenSeconds * 1000),
    },
  });
  return {
    transferId: transfer.id,
    url: `${source.dataPlaneUrl.replace(/\/$/, "")}/v1/transfers/${transfer.id}`,
    token: secret.token,
    bytes: Number(file.bytes),
    sha256: file.sha256,
  };
}

async function succeededResult<T>(tx: Tx, runId: string, kind: StepName): Promise<T> {
  const task = await tx.task.findFirst({ where: { runId, kind, status: "succeeded" }, orderBy: { createdAt: "desc" } });
  if (!task?.result) throw new StepSetupError(`The ${kind} step's result is missing: retry from ${kind}.`);
  return task.result as T;
}

async function buildPayload(tx: Tx, run: LoadedRun, step: StepName, agentId: string, now: Date): Promise<Prisma.InputJsonValue> {
  const edgeAgent = chooseAgent(run.edgeHost.agents, { now, offlineSeconds: flowConfig.agentOfflineSeconds });
  // The model and labels lie on the agent that trained (a run from before trainerAgentId: the live one).
  const trainerAgent =
    run.trainer.agents.find((a) => a.id === run.trainerAgentId) ??
    chooseAgent(run.trainer.agents, { now, offlineSeconds: flowConfig.agentOfflineSeconds });
  const params = run.params as Prisma.JsonObject;
  switch (step) {
    case "stage_in": {
      if (!edgeAgent) throw new StepSetupError(`No agent is registered for edge host ${run.edgeHost.name}.`);
      const dataset = await newTransfer(tx, run, "dataset", edgeAgent, agentId, run.dataset, now);
      let parentCheckpoint = null;
      if (run.parentVersion) {
        const deployment = run.parentVersion.deployments.find((d) => d.edgeHostId === run.edgeHostId) ?? run.parentVersion.deployments[0];
        if (!deployment || deployment.edgeHostId !== run.edgeHostId) {
          throw new StepSetupError(`Parent model v${run.parentVersion.version} is not deployed on ${run.edgeHost.name}.`);
        }
        parentCheckpoint = await newTransfer(
          tx,
          run,
          "parent-checkpoint",
          edgeAgent,
          agentId,
          { path: deployment.path, bytes: run.parentVersion.artifactBytes, sha256: run.parentVersion.artifactSha256 },
          now,
        );
      }
      return { dataset: { ...dataset, name: run.dataset.name }, parentCheckpoint };
    }
    case "label":
      return { datasetSha256: run.dataset.sha256 };
    case "train":
      return {
        family: run.family.key,
        datasetSha256: run.dataset.sha256,
        labelled: run.dataset.kind !== "raw",
        parentSha256: run.parentVersion?.artifactSha256 ?? null,
        executor: run.trainer.executor,
        params,
      };
    case "stage_out": {
      if (!trainerAgent) throw new StepSetupError(`No agent is registered for trainer ${run.trainer.name}.`);
      const trained = await succeededResult<{ artifact: { path: string; bytes: number; sha256: string } }>(tx, run.id, "train");
      const artifact = await newTransfer(
        tx,
        run,
        "model",
        trainerAgent,
        agentId,
        { path: trained.artifact.path, bytes: BigInt(trained.artifact.bytes), sha256: trained.artifact.sha256 },
        now,
      );
      let labelledDataset = null;
      if (run.dataset.kind === "raw") {
        const labelled = await succeededResult<{ output: { path: string; bytes: number; sha256: string } }>(tx, run.id, "label");
        const o = labelled.output;
        labelledDataset = await newTransfer(
          tx,
          run,
          "labels",
          trainerAgent,
          agentId,
          { path: o.path, bytes: BigInt(o.bytes), sha256: o.sha256 },
          now,
        );
      }
      return { artifact, labelledDataset };
    }
    case "deploy": {
      const trained = await succeededResult<{ artifact: { sha256: string } }>(tx, run.id, "train");
      return {
        family: run.family.key,
        artifactSha256: trained.artifact.sha256,
        validation:
          run.dataset.kind === "raw"
            ? { labelledSha256: (await succeededResult<{ output: { sha256: string } }>(tx, run.id, "label")).output.sha256 }
            : { path: run.dataset.path },
        maxValidationSamples: 4096,
      };
    }
    default:
      throw new StepSetupError(`Step ${step} has no agent task.`);
  }
}

async function finishRun(tx: Tx, run: LoadedRun, decision: Extract<Decision, { kind: "finish" }>, now: Date) {
  // Close whatever is still open so nothing stays "running" after the run ended.
  await tx.runStep.updateMany({
    where: { runId: run.id, status: { in: ["running", "pending"] } },
    data: { status: "canceled", endedAt: now },
  });
  await tx.task.updateMany({
    where: { runId: run.id, status: { in: ["pending", "leased"] } },
    data: { status: "canceled", endedAt: now },
  });
  // A transfer still open when its run ends can never complete: spend its token (a retry issues new ones).
  await tx.transfer.updateMany({
    where: { runId: run.id, status: { in: ["pending", "active"] } },
    data: { status: "failed", completedAt: now },
  });
  const steps = await tx.runStep.findMany({ where: { runId: run.id } });
  const endToEnd = (now.getTime() - run.createdAt.getTime()) / 1000;
  const parts = breakdown(steps, endToEnd);
  const failedStep = steps.find((s) => s.status === decision.status && s.error);
  await tx.run.update({
    where: { id: run.id },
    data: {
      status: decision.status,
      statusReason: failedStep?.error ? `${decision.reason} ${failedStep.error}` : decision.reason,
      endedAt: now,
      endToEndSeconds: endToEnd,
      queueSeconds: parts.queue,
      controlOverheadSeconds: parts.controlOverhead,
    },
  });
  await publish({ type: "run", runId: run.id }, tx);
}

/** After a run ends, the oldest queued run on its trainer may take the freed slot. */
async function wakeQueuedRuns(trainerId: string) {
  const next = await prisma.run.findMany({
    where: { trainerId, status: "queued" },
    orderBy: { createdAt: "asc" },
    take: 3,
    select: { id: true },
  });
  for (const run of next) await advanceRun(run.id);
}
