import { describe, expect, it } from "vitest";
import { zooJob } from "./zoo";

const py = "/usr/bin/python3";
const args = ["train", "--epochs", "2"];

describe("zooJob", () => {
  it("runs one process for a one-rank trainer, with all the job's CPUs", () => {
    expect(zooJob(py, args, "slurm", { nodes: 1, tasksPerNode: 1, gpusPerNode: 0 }, 4)).toEqual({
      argv: [py, "-m", "beamline_zoo", ...args],
      cpus: 4,
    });
  });

  it("hands Slurm the shape and gives each rank its share of the CPUs", () => {
    const shape = { nodes: 2, tasksPerNode: 2, gpusPerNode: 0 };
    expect(zooJob(py, args, "slurm", shape, 4)).toEqual({ argv: [py, "-m", "beamline_zoo", ...args], cpus: 2, parallel: shape });
  });

  it("starts a local multi-rank job through the zoo's launcher, and refuses several nodes locally", () => {
    expect(zooJob(py, args, "local", { nodes: 1, tasksPerNode: 2, gpusPerNode: 2 }, 2)).toEqual({
      argv: [py, "-m", "beamline_zoo.launch", "--nproc-per-node", "2", ...args],
      cpus: 1,
    });
    expect(() => zooJob(py, args, "local", { nodes: 2, tasksPerNode: 1, gpusPerNode: 0 }, 2)).toThrow(/use Slurm/);
  });
});
