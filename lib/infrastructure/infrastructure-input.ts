import { z } from "zod";
import { parallelShape, shapeProblem } from "@/lib/agent-protocol/parallel";

const name = z
  .string()
  .trim()
  .min(2, "At least 2 characters.")
  .max(60, "At most 60 characters.")
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "Letters, digits, '.', '_' and '-' only, starting with a letter or digit.");
const site = z
  .string()
  .trim()
  .min(1, "Name the site (e.g. ALCF).")
  .max(80)
  .regex(/^[^<>]*$/, "No angle brackets.");

const perNode = (what: string, min: number, max: number) =>
  z.coerce.number().int("A whole number.").min(min, `At least ${min}.`).max(max, `At most ${max} ${what}.`);

export const createTrainerInput = z
  .object({
    name,
    site,
    hardware: z
      .string()
      .trim()
      .min(1, "Describe the hardware (e.g. 4×A100).")
      .max(120)
      .regex(/^[^<>]*$/, "No angle brackets."),
    executor: z.enum(["local", "slurm"], { message: "Choose local or slurm." }),
    concurrency: z.coerce.number().int("A whole number.").min(1, "At least 1.").max(64, "At most 64."),
    // Data-parallel shape of each run: nodes × tasks per node ranks; with GPUs one task per GPU.
    nodes: perNode("nodes", 1, 4096).default(1),
    tasksPerNode: perNode("tasks per node", 1, 256).default(1),
    gpusPerNode: perNode("GPUs per node", 0, 64).default(0),
  })
  .superRefine((t, ctx) => {
    const shape = parallelShape.safeParse(t);
    const problem = shape.success ? shapeProblem(shape.data, t.executor) : shape.error.issues[0]?.message;
    if (problem)
      ctx.addIssue({ code: "custom", message: problem, path: [t.executor === "local" && t.nodes > 1 ? "nodes" : "tasksPerNode"] });
  });

export const createEdgeHostInput = z.object({ name, site, description: z.string().trim().max(300).default("") });

export const issueTokenInput = z.object({
  kind: z.enum(["trainer", "edge"]),
  targetId: z.string().min(1),
  name: z
    .string()
    .trim()
    .min(1, "Name the agent (e.g. login-node-1).")
    .max(60)
    .regex(/^[A-Za-z0-9._-]+$/, "Letters, digits, '.', '_' and '-' only."),
});
