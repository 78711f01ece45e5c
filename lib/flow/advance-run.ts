// Moves a run forward by one decision at a time, under a row lock, so that any number of processes
// (web app, worker, agent reports) may call it at once: each decision is applied exactly once.
import type { Prisma } from "@/lib/generated/prisma/client";
import { prisma } from "@/lib/db";
import { decide, type Decision } from "@/lib/flow/plan";
import { AGENT_STEPS, isAgentStep, planSteps, type PayloadContext, type RunFacts, type StepName } from "@/lib/flow/steps";
import { stepSecondsFromRows, tableOneBreakdown } from "@/lib/flow/breakdown";
import { flowConfig } from "@/lib/flow/config";
import { newSecret } from "@/lib/flow/tokens";
import { publish } from "@/lib/flow/events";
import { family, trainParams } from "@/lib/agent-protocol/primitives";
import { StepSetupError, storedResult } from "@/lib/flow/step-results";
import { chooseAgent } from "@/lib/flow/choose-agent";
import { tokenPlaceholder } from "@/lib/flow/transfer-tokens";

type Tx = Prisma.TransactionClient;

const runInclude = {
  steps: true,
  dataset: true,
  family: true,
  trainer: { include: { agents: { where: { revokedAt: null }, orderBy: { lastHeartbeatAt: "desc" as const } } } },
  edgeHost: {
    include: {
      agents: { where: { revokedAt: null }, orderBy: { lastHeartbeatAt: "desc" as const } },
      deployments: { where: { active: true }, include: { modelVersion: { select: { version: true, artifactSha256: true } } } },
    },
  },
  parentVersion: { include: { deployments: { where: { active: true } } } },
} satisfies Prisma.RunInclude;
type LoadedRun = Prisma.RunGetPayload<{ include: typeof runInclude }>;

/**
 * Advances until the run waits on something outside (an agent, a free slot) or ends, in one transaction
 * under the run's row lock: a launch goes queue → running → first task in one round of the database, and
 * the task's notification goes out when it commits.
 */
export async function advanceRun(runId: string): Promise<void> {
  // maxWait: under a burst (many launches and reports at once) a connection may take a while to free up.
  const outcome = await prisma.$transaction((tx) => advanceLocked(tx, runId), { timeout: 15_000, maxWait: 10_000 });
  if (outcome.finishedOnTrainer) await wakeQueuedRuns(outcome.finishedOnTrainer);
}

async function advanceLocked(tx: Tx, runId: string): Promise<{ finishedOnTrainer?: string }> {
  const locked = await tx.$queryRaw<{ trainerId: string }[]>`select "trainerId" from "Run" where id = ${runId} for update`;
  if (locked.length === 0) return {};
  let run: LoadedRun | null = null;
  for (let i = 0; i < 12; i++) {
    run = await loadRun(tx, runId, run);
    const outcome = await advanceOnce(tx, run);
    if (outcome.finishedOnTrainer || !outcome.progressed) return outcome;
  }
  return {};
}

/**
 * The run with what its decisions read. A decision changes only the run's own row and its steps, so after
 * the first load of this transaction only those are read again (the rest is at most milliseconds old).
 */
async function loadRun(tx: Tx, runId: string, previous: LoadedRun | null): Promise<LoadedRun> {
  if (!previous) return tx.run.findUniqueOrThrow({ where: { id: runId }, include: runInclude });
  const fresh = await tx.run.findUniqueOrThrow({ where: { id: runId }, include: { steps: true } });
  return { ...previous, ...fresh };
}

async function advanceOnce(tx: Tx, run: LoadedRun): Promise<{ progressed: boolean; finishedOnTrainer?: string }> {
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
  if (!isAgentStep(step)) {
    await upsertStep(tx, run.id, step, attempt, { status: "running", startedAt: run.createdAt });
    return;
  }
  const definition = AGENT_STEPS[step];
  const agent = liveAgent(run, definition.side, now);
  // Trainer-side steps hand files to each other on one host: the run keeps the agent that started them.
  if (definition.side === "trainer" && agent.id !== run.trainerAgentId) {
    await tx.run.update({ where: { id: run.id }, data: { trainerAgentId: agent.id } });
  }
  const payload: Prisma.InputJsonValue = definition.payload.parse(await definition.buildPayload(payloadContext(tx, run, agent.id, now)));
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

/** Where a transfer's file lies: the edge host's live agent, or the trainer agent that produced it. */
function sourceAgent(run: LoadedRun, side: "trainer" | "edge", now: Date) {
  // The model and labels lie on the agent that trained (a run from before trainerAgentId: the live one).
  const trainedOn = side === "trainer" ? run.trainer.agents.find((a) => a.id === run.trainerAgentId) : undefined;
  return trainedOn ?? liveAgent(run, side, now);
}

function runFacts(run: LoadedRun): RunFacts {
  const params = trainParams.safeParse(run.params);
  if (!params.success) throw new StepSetupError(`The run's training parameters are invalid: ${params.error.issues[0]?.message}`);
  const familyKey = family.safeParse(run.family.key);
  if (!familyKey.success) throw new StepSetupError(`The zoo has no model family ${run.family.key}.`);
  const parent = run.parentVersion;
  return {
    id: run.id,
    params: params.data,
    family: { key: familyKey.data },
    dataset: { ...run.dataset, bytes: Number(run.dataset.bytes) },
    trainer: run.trainer,
    edgeHost: run.edgeHost,
    parent: parent && {
      version: parent.version,
      artifactBytes: Number(parent.artifactBytes),
      artifactSha256: parent.artifactSha256,
      deployedPath: parent.deployments.find((d) => d.edgeHostId === run.edgeHostId)?.path ?? null,
    },
    inService: inServiceOn(run),
  };
}

/** The deployment the run's model would replace: same family and experiment on the run's edge host. */
function inServiceOn(run: LoadedRun): RunFacts["inService"] {
  const active = run.edgeHost.deployments.find((d) => d.familyId === run.familyId && d.experimentId === run.experimentId);
  return active
    ? { deploymentId: active.id, version: active.modelVersion.version, path: active.path, sha256: active.modelVersion.artifactSha256 }
    : null;
}

/** What a step's payload builder may do: issue transfers, read earlier results, refuse. */
function payloadContext(tx: Tx, run: LoadedRun, destAgentId: string, now: Date): PayloadContext {
  return {
    run: runFacts(run),
    async transferFrom(side, purpose, file) {
      const source = sourceAgent(run, side, now);
      if (!source.dataPlaneUrl) {
        throw new StepSetupError(`Agent ${source.name} has not reported a data-plane address yet: is it running?`);
      }
      // The token itself is minted when the task is handed to its agent (lib/flow/transfer-tokens): this
      // hash is of a secret nobody holds, so the stored payload and this row alone authorise nothing.
      const unusable = newSecret("xfer");
      const transfer = await tx.transfer.create({
        data: {
          runId: run.id,
          purpose,
          sourceAgentId: source.id,
          destAgentId,
          sourcePath: file.path,
          bytes: BigInt(file.bytes),
          sha256: file.sha256,
          tokenHash: unusable.hash,
          tokenExpiresAt: new Date(now.getTime() + flowConfig.transferTokenSeconds * 1000),
        },
      });
      return {
        transferId: transfer.id,
        url: `${source.dataPlaneUrl.replace(/\/$/, "")}/v1/transfers/${transfer.id}`,
        token: tokenPlaceholder(transfer.id),
        bytes: file.bytes,
        sha256: file.sha256,
      };
    },
    resultOf: (step, schema) => storedResult(tx, run.id, step, schema),
    refuse(message): never {
      throw new StepSetupError(message);
    },
  };
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
  const parts = tableOneBreakdown(stepSecondsFromRows(steps), { endToEndSeconds: endToEnd });
  const failedStep = steps.find((s) => s.status === decision.status && s.error);
  await tx.run.update({
    where: { id: run.id },
    data: {
      status: decision.status,
      statusReason: failedStep?.error ? `${decision.reason} ${failedStep.error}` : decision.reason,
      endedAt: now,
      endToEndSeconds: endToEnd,
      queueSeconds: parts.queueSeconds,
      controlOverheadSeconds: parts.controlOverheadSeconds,
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
