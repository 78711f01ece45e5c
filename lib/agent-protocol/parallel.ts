// A trainer's data-parallel shape (nodes × tasks per node, GPUs per node), shared by the dashboard, which
// stores it on the trainer and records the run's ranks, and the agent, which launches that many ranks.
import { z } from "zod";

const count = (max: number) => z.number().int().min(0).max(max);

export const parallelShape = z
  .object({
    nodes: count(4096).min(1),
    tasksPerNode: count(256).min(1),
    /** 0: CPU ranks (gloo); otherwise one rank per GPU (NCCL), so tasksPerNode equals it. */
    gpusPerNode: count(64),
  })
  .refine((s) => s.gpusPerNode === 0 || s.tasksPerNode === s.gpusPerNode, {
    message: "With GPUs, a trainer runs one task per GPU: tasks per node must equal GPUs per node.",
    path: ["tasksPerNode"],
  });
export type ParallelShape = z.infer<typeof parallelShape>;

export const SINGLE_PROCESS: ParallelShape = { nodes: 1, tasksPerNode: 1, gpusPerNode: 0 };

/** How many data-parallel ranks (workers) one run of this shape trains on. */
export function ranksOf(shape: ParallelShape): number {
  return shape.nodes * shape.tasksPerNode;
}

/** The shape an executor can run: a local trainer is one host, so it cannot span nodes. */
export function shapeProblem(shape: ParallelShape, executor: "local" | "slurm"): string | null {
  if (executor === "local" && shape.nodes > 1) return "A local trainer is one host: use Slurm to span several nodes.";
  return null;
}

/** Threads each rank gets when the job's CPUs are split among a node's ranks (at least one). */
export function cpusPerTask(cpus: number, shape: ParallelShape): number {
  return Math.max(1, Math.floor(cpus / shape.tasksPerNode));
}
