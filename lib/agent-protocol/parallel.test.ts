import { describe, expect, it } from "vitest";
import { cpusPerTask, parallelShape, ranksOf, shapeProblem } from "./parallel";
import { createTrainerInput } from "@/lib/infrastructure/infrastructure-input";

describe("parallel shape", () => {
  it("counts ranks as nodes × tasks per node and splits a node's CPUs among its ranks", () => {
    expect(ranksOf({ nodes: 2, tasksPerNode: 4, gpusPerNode: 4 })).toBe(8);
    expect(ranksOf({ nodes: 1, tasksPerNode: 1, gpusPerNode: 0 })).toBe(1);
    expect(cpusPerTask(8, { nodes: 1, tasksPerNode: 2, gpusPerNode: 0 })).toBe(4);
    expect(cpusPerTask(2, { nodes: 1, tasksPerNode: 4, gpusPerNode: 0 })).toBe(1);
  });

  it("runs one task per GPU and keeps a local trainer on one host", () => {
    expect(parallelShape.safeParse({ nodes: 1, tasksPerNode: 2, gpusPerNode: 4 }).error?.issues[0]?.message).toMatch(/one task per GPU/);
    expect(parallelShape.safeParse({ nodes: 0, tasksPerNode: 1, gpusPerNode: 0 }).success).toBe(false);
    expect(shapeProblem({ nodes: 2, tasksPerNode: 1, gpusPerNode: 0 }, "local")).toMatch(/use Slurm/);
    expect(shapeProblem({ nodes: 2, tasksPerNode: 1, gpusPerNode: 0 }, "slurm")).toBeNull();
  });

  it("is part of registering a trainer, with one process as the default", () => {
    const base = { name: "polaris", site: "ALCF", hardware: "4×A100", executor: "slurm", concurrency: "2" };
    expect(createTrainerInput.parse(base)).toMatchObject({ nodes: 1, tasksPerNode: 1, gpusPerNode: 0 });
    expect(createTrainerInput.parse({ ...base, nodes: "2", tasksPerNode: "4", gpusPerNode: "4" })).toMatchObject({ nodes: 2 });
    const local = createTrainerInput.safeParse({ ...base, executor: "local", nodes: "2" });
    expect(local.error?.issues[0]).toMatchObject({ path: ["nodes"], message: expect.stringMatching(/use Slurm/) });
    const gpus = createTrainerInput.safeParse({ ...base, tasksPerNode: "1", gpusPerNode: "4" });
    expect(gpus.error?.issues[0]).toMatchObject({ path: ["tasksPerNode"] });
  });
});
