import { describe, expect, it } from "vitest";
import {
  DEPLOY_FEATURES,
  FIXED_FEATURES,
  OVERHEAD_PRIOR,
  QUEUE_PRIOR,
  TRAIN_FEATURES,
  TRANSFER_FEATURES,
  backlogSeconds,
  deployFeatures,
  deployPrior,
  deployValidationSamples,
  epochBatches,
  predictLaunch,
  splitCalibratedStep,
  splitSamples,
  trainFeatures,
  trainPrior,
  transferPrior,
  type TrainerCalibration,
  type TrainerModel,
} from "@/lib/cost-model/launch-prediction";
import { fitScalingModel, predictScaling, studentT90 } from "@/lib/cost-model/scaling-model";

const CALIBRATION: TrainerCalibration = {
  family: "braggnn",
  startupSeconds: 3,
  trainSecondsPerSample: 1 / 2000,
  stepSeconds: null,
  valSecondsPerSample: 1 / 20_000,
  batchSize: 512,
  at: "2026-11-29T16:00:00.000Z",
};

function trainer(trainingRuns: { epochs: number; samples: number; seconds: number }[] = []): TrainerModel {
  const transfer = fitScalingModel(TRANSFER_FEATURES, [], transferPrior(null), "transfer");
  return {
    trainerId: "t1",
    trainerName: "local-cpu",
    concurrency: 1,
    ahead: [],
    queue: fitScalingModel(FIXED_FEATURES, [], QUEUE_PRIOR, "dispatch"),
    training: {
      braggnn: fitScalingModel(
        TRAIN_FEATURES,
        trainingRuns.map((r) => ({ features: trainFeatures({ ...r, batchSize: 512 }), seconds: r.seconds })),
        trainPrior("braggnn", CALIBRATION),
        "BraggNN training on local-cpu",
      ),
    },
    label: {},
    stageIn: { e1: transfer },
    stageOut: { e1: transfer },
  };
}

const edge = { deploy: { braggnn: fitScalingModel(DEPLOY_FEATURES, [], deployPrior(null), "deploy") } };
const overhead = fitScalingModel(FIXED_FEATURES, [], OVERHEAD_PRIOR, "overhead");
const choice = {
  dataset: { familyKey: "braggnn", kind: "simulated", bytes: 3e6, sampleCount: 12_000, edgeHostId: "e1" },
  modelInService: false,
  epochs: 4,
  batchSize: 512,
  maxSamples: 5000,
};

describe("backlogSeconds", () => {
  it("is zero with a free slot and waits for the earliest slot otherwise", () => {
    expect(backlogSeconds([], 1)).toBe(0);
    expect(backlogSeconds([{ status: "running", remainingSeconds: 10 }], 2)).toBe(0);
    expect(backlogSeconds([{ status: "running", remainingSeconds: 10 }], 1)).toBe(10);
    // Two slots: running 10 s and 4 s; the queued 5 s run takes the slot free at 4 s → slots free at 10 and 9.
    expect(
      backlogSeconds(
        [
          { status: "running", remainingSeconds: 10 },
          { status: "running", remainingSeconds: 4 },
          { status: "queued", remainingSeconds: 5 },
        ],
        2,
      ),
    ).toBe(9);
  });
});

describe("trainFeatures", () => {
  it("counts the samples the zoo trains: the zoo's split, the batch capped at the data, the partial batch dropped", () => {
    // 64 spectra: 51 train (⌊0.8 × 64⌋) and 13 validate; batch 32 → one step of 32 an epoch.
    expect(trainFeatures({ epochs: 2, samples: 64, batchSize: 32 })).toEqual([1, 2, 64, 26, 2]);
    // Batch larger than the data: one step over all 51.
    expect(trainFeatures({ epochs: 1, samples: 64, batchSize: 128 })).toEqual([1, 1, 51, 13, 1]);
    // ⌊0.8 × 62⌋ = 49, where rounding would say 50; 0.8 × 5 is 4 despite floating point.
    expect(splitSamples(62)).toEqual({ train: 49, validation: 13 });
    expect(splitSamples(5)).toEqual({ train: 4, validation: 1 });
    expect(epochBatches(2400, 256)).toEqual({ batch: 256, steps: 9 });
  });
});

describe("predictLaunch", () => {
  it("predicts training from the calibration before any run: start-up plus epochs × samples ÷ throughput", () => {
    const p = predictLaunch(trainer(), edge, overhead, 140_000, choice)!;
    // 4000 train + 1000 validation samples (80/20), 4 epochs of 7 full batches of 512 (3584 samples trained).
    const expected = 3 + 4 * 0.05 + (4 * 3584) / 2000 + (4 * 1000) / 20_000;
    expect(p.steps.train.seconds).toBeCloseTo(expected, 6);
    expect(p.steps.train.source).toBe("calibration");
    expect(p.steps.train.plusMinusSeconds).toBeCloseTo(studentT90(3) * 0.3 * expected, 6);
    expect(p.intervalPercent).toBe(80);
    expect(p.totalSeconds).toBeCloseTo(Object.values(p.steps).reduce((s, step) => s + step.seconds, 0) + p.overhead!.seconds, 9);
    expect(p.basis.find((line) => line.startsWith("train:"))).toMatch(/calibration of 2026-11-29 16:00/);
  });

  it("splits a calibrated step into a fixed and a per-sample part: smaller batches cost more per sample", () => {
    // At batch 512 a step took 0.256 s, of which 0.064 s is fixed: 0.375 ms per sample + 64 ms per step.
    const prior = trainPrior("braggnn", { ...CALIBRATION, stepSeconds: 0.064 });
    expect(prior.coefficients[2].mean).toBeCloseTo(0.192 / 512, 12);
    expect(prior.coefficients[4].mean).toBeCloseTo(0.064, 12);
    const fit = fitScalingModel(TRAIN_FEATURES, [], prior, "BraggNN training");
    const at = (batchSize: number) => predictScaling(fit, trainFeatures({ epochs: 1, samples: 5000, batchSize })).seconds;
    // 4000 training samples: 31 steps of 128 vs 7 of 512; the calibrated batch itself is predicted as measured.
    expect(at(128) - at(512)).toBeCloseTo(31 * 128 * (0.192 / 512) + 31 * 0.064 - 7 * 0.256, 9);
    expect(at(512)).toBeCloseTo(3 + 0.05 + 7 * 0.256 + 1000 / 20_000, 9);
    // A fixed part larger than the whole step (noise) is capped at the step.
    expect(splitCalibratedStep({ trainSecondsPerSample: 0.001, stepSeconds: 1, batchSize: 100 })).toEqual({ perSample: 0, perStep: 0.1 });
  });

  it("learns from runs: a trainer slower than its calibration is predicted slower", () => {
    // Runs take twice what the calibration says.
    const runs = [
      { epochs: 1, samples: 2000 },
      { epochs: 4, samples: 4000 },
      { epochs: 8, samples: 1000 },
      { epochs: 2, samples: 12_000 },
      { epochs: 16, samples: 2000 },
      { epochs: 3, samples: 6000 },
    ].map((r) => {
      const f = trainFeatures({ ...r, batchSize: 512 });
      return { ...r, seconds: 2 * (3 + f[2] / 2000 + f[3] / 20_000) };
    });
    const before = predictLaunch(trainer(), edge, overhead, 140_000, choice)!.steps.train;
    const after = predictLaunch(trainer(runs), edge, overhead, 140_000, choice)!.steps.train;
    expect(after.source).toBe("runs");
    expect(after.seconds / before.seconds).toBeGreaterThan(1.6);
  });

  it("adds the backlog ahead on the trainer to the queue", () => {
    const busy = { ...trainer(), ahead: [{ status: "running" as const, remainingSeconds: 30 }] };
    expect(predictLaunch(busy, edge, overhead, 140_000, choice)!.steps.queue.seconds).toBeGreaterThan(30);
  });

  it("cannot predict without a model for the dataset's family or edge host", () => {
    expect(predictLaunch(trainer(), edge, overhead, 1, { ...choice, dataset: { ...choice.dataset, familyKey: "other" } })).toBeNull();
    expect(predictLaunch(trainer(), undefined, overhead, 1, choice)).toBeNull();
  });
});

describe("deploy with a model in service", () => {
  const EDGE = { family: "braggnn", startupSeconds: 1.5, valSecondsPerSample: 1e-4, at: "2026-11-29T16:00:00.000Z" };
  const samples = deployValidationSamples(12_000);

  it("adds the gate's evaluation of the model in service, in the same process: its fixed cost and the same samples again", () => {
    const fit = fitScalingModel(DEPLOY_FEATURES, [], deployPrior(EDGE), "deploy");
    const alone = predictScaling(fit, deployFeatures(samples, false)).seconds;
    const compared = predictScaling(fit, deployFeatures(samples, true)).seconds;
    expect(alone).toBeCloseTo(1.5 + 1 + samples * 1e-4, 6);
    expect(compared - alone).toBeCloseTo(0.2 + samples * 1e-4, 6);
  });

  it("learns the comparison's cost from deploys with and without one", () => {
    // Truth: 4 s + 0.1 ms per sample alone, as the prior says (1.5 s start-up + 1 s export, not quite), but the
    // comparison costs 1.7 s + 0.1 ms per sample more (the prior says 0.2 s): measured deploys move the
    // prediction most of the way to the truth.
    const truth = (n: number, c: boolean) => 4 + 1e-4 * n + (c ? 1.7 + 1e-4 * n : 0);
    const observations = [300, 600, 1200, 2400, 4000].flatMap((n) =>
      [false, true].map((c) => ({ features: deployFeatures(n, c), seconds: truth(n, c) })),
    );
    const prior = fitScalingModel(DEPLOY_FEATURES, [], deployPrior(EDGE), "deploy");
    const fit = fitScalingModel(DEPLOY_FEATURES, observations, deployPrior(EDGE), "deploy");
    const error = (f: typeof fit) => Math.abs(predictScaling(f, deployFeatures(1800, true)).seconds - truth(1800, true));
    expect(error(prior)).toBeGreaterThan(1.4);
    expect(error(fit) / truth(1800, true)).toBeLessThan(0.05);
    expect(predictScaling(fit, deployFeatures(1800, false)).seconds / truth(1800, false)).toBeCloseTo(1, 1);
  });

  it("is what the launch prediction uses when the choice says a model is in service", () => {
    const edgeModel = { deploy: { braggnn: fitScalingModel(DEPLOY_FEATURES, [], deployPrior(EDGE), "deploy") } };
    const alone = predictLaunch(trainer(), edgeModel, overhead, 1e6, choice)!;
    const compared = predictLaunch(trainer(), edgeModel, overhead, 1e6, { ...choice, modelInService: true })!;
    expect(compared.steps.deploy.seconds - alone.steps.deploy.seconds).toBeCloseTo(0.2 + samples * 1e-4, 6);
  });
});

describe("transferPrior", () => {
  it("rests on the route's fit and says whether its transfers were probes or runs", () => {
    const probed = transferPrior({ startupSeconds: 0.02, bytesPerSecond: 5e8, measured: 6, probes: 6 });
    expect(probed.source).toBe("calibration");
    expect(probed.note).toBe("T = x/v + S over 6 data-plane probe transfers");
    expect(probed.coefficients[1].mean).toBeCloseTo(1 / 5e8, 20);
    expect(transferPrior({ startupSeconds: 0.02, bytesPerSecond: 5e8, measured: 9, probes: 6 }).note).toBe(
      "T = x/v + S over 9 recorded transfers (6 of them probes)",
    );
    expect(transferPrior({ startupSeconds: 0.02, bytesPerSecond: 5e8, measured: 3, probes: 0 }).note).toBe(
      "T = x/v + S over 3 recorded transfers",
    );
    expect(transferPrior(null).source).toBe("paper");
  });
});

describe("queue with Slurm's own start estimate", () => {
  const at = "2026-11-30T10:00:00.000Z";
  const queueOf = (model: TrainerModel) => predictLaunch(model, edge, overhead, 140_000, choice)!.steps.queue;

  it("waits for Slurm when the scheduler says later than the runs ahead, and names it", () => {
    const idle = queueOf(trainer());
    const slurm = queueOf({ ...trainer(), schedulerStart: { seconds: 300, at } });
    expect(slurm.seconds).toBeCloseTo(idle.seconds + 300, 9);
    expect(slurm.note).toMatch(/^Slurm's own start estimate \(sbatch --test-only, 2026-11-30 10:00\): 300 s/);
  });

  it("keeps the backlog of runs ahead when it is the longer wait", () => {
    const busy = { ...trainer(), ahead: [{ status: "running" as const, remainingSeconds: 600 }] };
    const both = queueOf({ ...busy, schedulerStart: { seconds: 60, at } });
    expect(both.seconds).toBeCloseTo(queueOf(busy).seconds, 9);
    expect(both.note).toMatch(/^1 run\(s\) ahead on 1 slot\(s\)/);
  });
});
