// A scientist has the Retrain dialog open on a Slurm trainer: its agent stands a job of the training's shape by
// (agent/zoo.ts prepareForTraining), so that a launch finds Slurm's scheduling pass (Slurm 22.05 allocates a batch
// job at its next pass, up to a second after submit) and the imports already behind it. The dialog repeats the
// request every few seconds while it stays open; the standby gives up by itself soon after they stop.
import { prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { ranksOf } from "@/lib/agent-protocol/parallel";
import { chooseAgent, isLive } from "@/lib/flow/choose-agent";
import { flowConfig } from "@/lib/flow/config";
import { publish } from "@/lib/flow/events";
import { trainJobShape } from "@/lib/flow/steps/train";

/** What became of the request: asked the agent that would run the training, or why not. */
export type PrepareOutcome = "asked" | "not slurm" | "data-parallel" | "no live agent";

export async function prepareTrainer(trainerId: string, now = new Date()): Promise<PrepareOutcome> {
  const trainer = await prisma.trainer.findUnique({
    where: { id: trainerId },
    include: { agents: { where: { revokedAt: null }, select: { id: true, lastHeartbeatAt: true } } },
  });
  if (!trainer) throw new AppError("NOT_FOUND", "No such trainer.");
  // A local trainer keeps its own warm process; data-parallel jobs are not stood by (agent/zoo.ts).
  if (trainer.executor !== "slurm") return "not slurm";
  const parallel = trainJobShape(trainer);
  if (ranksOf(parallel) !== 1) return "data-parallel";
  const timing = { now, offlineSeconds: flowConfig.agentOfflineSeconds };
  const agent = chooseAgent(trainer.agents, timing);
  if (!agent || !isLive(agent, timing)) return "no live agent";
  await publish({ type: "standby", agentId: agent.id, parallel });
  return "asked";
}
