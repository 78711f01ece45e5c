import { describe, expect, it } from "vitest";
import { z } from "zod";
import { decide } from "@/lib/flow/plan";
import { layoutTimeline } from "@/lib/flow/timeline";
import { AGENT_STEPS, planSteps, STEP_ORDER, STEPS, type AgentStep, type StepDefinition, type StepName } from "@/lib/flow/steps";

// A new step declared in this one place (as a later issue's calibration or drift spot-check would be):
// planning, the state machine and the timeline take it from the registry they are given.
const calibratePayload = z.object({ family: z.string() });
const calibrateResult = z.object({ samplesPerSecond: z.number() });
const calibrate: AgentStep<StepName, "calibrate", typeof calibratePayload, typeof calibrateResult> = {
  name: "calibrate" as StepName, // not in the Prisma enum: a real step also adds its enum value
  key: "calibrate",
  label: "Calibrate trainer",
  shortLabel: "Calibrate",
  column: "training",
  columnLabel: "Model training",
  color: "#D55E00",
  side: "trainer",
  includedWhen: (facts) => !facts.needsLabelling,
  payload: calibratePayload,
  result: calibrateResult,
  buildPayload: async () => ({ family: "braggnn" }),
  applyResult: async (_context, result) => ({ detail: result }),
};
const registry: StepDefinition[] = [...STEP_ORDER.slice(0, 3), calibrate, ...STEP_ORDER.slice(3)];

describe("the step registry", () => {
  it("is keyed by every stored step name, in run order, with distinct colours and keys", () => {
    expect(Object.keys(STEPS).sort()).toEqual(STEP_ORDER.map((s) => s.name).sort());
    expect(STEP_ORDER.map((s) => s.name)).toEqual(["queue", "stage_in", "label", "train", "stage_out", "deploy"]);
    expect(new Set(STEP_ORDER.map((s) => s.color)).size).toBe(STEP_ORDER.length);
    expect(new Set(STEP_ORDER.map((s) => s.key)).size).toBe(STEP_ORDER.length);
    for (const step of Object.values(AGENT_STEPS)) expect(["trainer", "edge"]).toContain(step.side);
  });

  it("plans and walks a step added in a fixture", () => {
    const plan = planSteps({ needsLabelling: false }, registry);
    expect(plan).toEqual(["queue", "stage_in", "calibrate", "train", "stage_out", "deploy"]);
    const done = (name: StepName) => ({ name, attempt: 1, status: "succeeded" as const });
    const run = { status: "running" as const, cancelRequested: false, plan };
    expect(decide({ ...run, steps: [done("queue"), done("stage_in")] })).toEqual({ kind: "start", step: "calibrate", attempt: 1 });
    expect(decide({ ...run, steps: [done("queue"), done("stage_in"), done(calibrate.name)] })).toEqual({
      kind: "start",
      step: "train",
      attempt: 1,
    });
    const layout = layoutTimeline(
      [{ name: calibrate.name, attempt: 1, status: "running", startedAtMs: 0, endedAtMs: null }],
      0,
      10,
      100,
      registry,
    );
    expect(layout.bars[0]).toMatchObject({ label: "Calibrate trainer", color: "#D55E00" });
  });

  it("refuses a malformed result with the step's own schema", () => {
    const bad = { artifact: { path: "/x.pt", bytes: 10, sha256: "0".repeat(63) }, trainSeconds: 1, queueSeconds: 0, epochs: 1 };
    expect(AGENT_STEPS.train.result.safeParse(bad).success).toBe(false);
    expect(AGENT_STEPS.stage_out.payload.parse({ artifact: { ...ticket } }).labelledDataset).toBeNull();
  });
});

const ticket = { transferId: "t1", url: "http://127.0.0.1:7070/v1/transfers/t1", token: "x".repeat(32), bytes: 1, sha256: "a".repeat(64) };
