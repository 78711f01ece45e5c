import { describe, expect, it } from "vitest";
import { decide, retryFrom, type RunSnapshot, type StepState } from "./plan";
import { planSteps } from "./steps";

const plan = planSteps({ needsLabelling: false });
const run = (steps: StepState[], extra: Partial<RunSnapshot> = {}): RunSnapshot => ({
  status: "running",
  cancelRequested: false,
  plan,
  steps,
  ...extra,
});
const ok = (name: StepState["name"], attempt = 1): StepState => ({ name, attempt, status: "succeeded" });

describe("planSteps", () => {
  it("adds labelling only for raw data", () => {
    expect(planSteps({ needsLabelling: true })).toContain("label");
    expect(plan).toEqual(["queue", "stage_in", "train", "stage_out", "deploy"]);
  });
});

describe("decide", () => {
  it("starts the first step that has not run", () => {
    expect(decide(run([]))).toEqual({ kind: "start", step: "queue", attempt: 1 });
    expect(decide(run([ok("queue")]))).toEqual({ kind: "start", step: "stage_in", attempt: 1 });
  });

  it("waits while a step runs and finishes when all succeeded", () => {
    expect(decide(run([ok("queue"), { name: "stage_in", attempt: 1, status: "running" }]))).toEqual({
      kind: "wait",
      step: "stage_in",
    });
    expect(decide(run(plan.map((n) => ok(n)))).kind).toBe("finish");
  });

  it("fails or loses the run with the step that failed", () => {
    const failed = decide(run([ok("queue"), { name: "stage_in", attempt: 1, status: "failed" }]));
    expect(failed).toMatchObject({ kind: "finish", status: "failed" });
    const lost = decide(run([ok("queue"), ok("stage_in"), { name: "train", attempt: 1, status: "lost" }]));
    expect(lost).toMatchObject({ kind: "finish", status: "lost" });
  });

  it("looks at the latest attempt only", () => {
    const steps: StepState[] = [ok("queue"), { name: "stage_in", attempt: 1, status: "failed" }, ok("stage_in", 2)];
    expect(decide(run(steps))).toEqual({ kind: "start", step: "train", attempt: 1 });
  });

  it("cancels at once when nothing runs on an agent, else waits for the agent", () => {
    expect(decide(run([{ name: "queue", attempt: 1, status: "running" }], { cancelRequested: true }))).toMatchObject({
      kind: "finish",
      status: "canceled",
    });
    const training = [ok("queue"), ok("stage_in"), { name: "train" as const, attempt: 1, status: "running" as const }];
    expect(decide(run(training, { cancelRequested: true }))).toEqual({ kind: "wait", step: "train" });
  });

  it("does nothing to a finished run", () => {
    expect(decide(run([], { status: "succeeded" }))).toEqual({ kind: "none" });
  });
});

describe("retryFrom", () => {
  it("resumes at the failed step with a new attempt", () => {
    const steps: StepState[] = [ok("queue"), ok("stage_in"), { name: "train", attempt: 1, status: "failed" }];
    expect(retryFrom(run(steps, { status: "failed" }))).toEqual({ step: "train", attempt: 2 });
    expect(retryFrom(run(steps, { status: "running" }))).toBeNull();
  });
});
