// The retrain run's state machine as pure functions (DESIGN §4); the steps themselves are declared in
// lib/flow/steps. I/O lives in advance-run.ts.
import { stepLabel, type StepName } from "@/lib/flow/steps";

export type { StepName };
export type StepStatus = "pending" | "running" | "succeeded" | "failed" | "canceled" | "lost" | "skipped";
export type RunStatus = "queued" | "running" | "succeeded" | "failed" | "canceled" | "lost";

export const TERMINAL_RUN: ReadonlySet<RunStatus> = new Set(["succeeded", "failed", "canceled", "lost"]);
const DONE_STEP: ReadonlySet<StepStatus> = new Set(["succeeded", "skipped"]);

export interface StepState {
  name: StepName;
  attempt: number;
  status: StepStatus;
}

export interface RunSnapshot {
  status: RunStatus;
  cancelRequested: boolean;
  plan: StepName[];
  steps: StepState[];
}

export type Decision =
  | { kind: "none" }
  | { kind: "wait"; step: StepName }
  | { kind: "start"; step: StepName; attempt: number }
  | { kind: "finish"; status: Exclude<RunStatus, "queued" | "running">; reason: string };

/** The latest attempt of each step. */
export function latestAttempts(steps: StepState[]): Map<StepName, StepState> {
  const latest = new Map<StepName, StepState>();
  for (const s of steps) {
    const seen = latest.get(s.name);
    if (!seen || s.attempt > seen.attempt) latest.set(s.name, s);
  }
  return latest;
}

export function decide(run: RunSnapshot): Decision {
  if (TERMINAL_RUN.has(run.status)) return { kind: "none" };
  const latest = latestAttempts(run.steps);
  const current = run.plan.find((name) => !DONE_STEP.has(latest.get(name)?.status ?? "pending"));
  if (run.cancelRequested) {
    const step = current ? latest.get(current) : undefined;
    // A running agent task is stopped through the agent (heartbeat → cancel); wait for its report.
    if (step?.status === "running" && step.name !== "queue") return { kind: "wait", step: step.name };
    return { kind: "finish", status: "canceled", reason: "Canceled on request." };
  }
  if (!current) return { kind: "finish", status: "succeeded", reason: "All steps succeeded." };
  const step = latest.get(current);
  if (!step) return { kind: "start", step: current, attempt: 1 };
  switch (step.status) {
    case "pending":
      return { kind: "start", step: current, attempt: step.attempt };
    case "running":
      return { kind: "wait", step: current };
    case "failed":
      return { kind: "finish", status: "failed", reason: `Step ${stepLabel(current)} failed.` };
    case "lost":
      return { kind: "finish", status: "lost", reason: `Step ${stepLabel(current)} lost its agent.` };
    case "canceled":
      return { kind: "finish", status: "canceled", reason: "Canceled on request." };
    default:
      return { kind: "wait", step: current };
  }
}

/** Where a retry resumes: the first step that did not succeed gets a new attempt. */
export function retryFrom(run: RunSnapshot): { step: StepName; attempt: number } | null {
  if (!["failed", "lost", "canceled"].includes(run.status)) return null;
  const latest = latestAttempts(run.steps);
  const step = run.plan.find((name) => !DONE_STEP.has(latest.get(name)?.status ?? "pending"));
  if (!step) return null;
  return { step, attempt: (latest.get(step)?.attempt ?? 0) + 1 };
}
