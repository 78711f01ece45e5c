// The step registry: every step of a retrain run, keyed by the stored step name (Prisma enum StepName),
// in the order a run takes them. Planning, the agent API and handlers, the timeline, the Table-1
// breakdown, the Retrain dialog, the run page and the turnaround report all read it.
import type { z } from "zod";
import { queueStep } from "@/lib/flow/steps/queue";
import { stageInStep } from "@/lib/flow/steps/stage-in";
import { labelStep } from "@/lib/flow/steps/label";
import { trainStep } from "@/lib/flow/steps/train";
import { stageOutStep } from "@/lib/flow/steps/stage-out";
import { deployStep } from "@/lib/flow/steps/deploy";
import type { AgentStep, PlanFacts, StepDefinition, StepName } from "@/lib/flow/steps/types";

export type * from "@/lib/flow/steps/types";

/** Steps the agents run, by name: the protocol's task kinds. */
export const AGENT_STEPS = {
  stage_in: stageInStep,
  label: labelStep,
  train: trainStep,
  stage_out: stageOutStep,
  deploy: deployStep,
} as const;
export type AgentStepName = keyof typeof AGENT_STEPS;
export const AGENT_STEP_NAMES = Object.keys(AGENT_STEPS) as [AgentStepName, ...AgentStepName[]];

export const STEPS = { queue: queueStep, ...AGENT_STEPS } as const satisfies Record<StepName, StepDefinition>;

/** All steps in run order. */
export const STEP_ORDER = [
  queueStep,
  stageInStep,
  labelStep,
  trainStep,
  stageOutStep,
  deployStep,
] as const satisfies readonly StepDefinition[];

/** A step's key in predictions and per-step reports. */
export type StepKey = (typeof STEP_ORDER)[number]["key"];
export const STEP_KEYS: readonly StepKey[] = STEP_ORDER.map((s) => s.key);

export function stepByKey(key: StepKey): (typeof STEP_ORDER)[number] {
  return STEP_ORDER.find((s) => s.key === key)!;
}

export type StepPayload<K extends AgentStepName> = z.output<(typeof AGENT_STEPS)[K]["payload"]>;
export type StepResult<K extends AgentStepName> = z.output<(typeof AGENT_STEPS)[K]["result"]>;
/** A step's result as the agent sends it (before defaults are applied). */
export type StepResultInput<K extends AgentStepName> = z.input<(typeof AGENT_STEPS)[K]["result"]>;

/**
 * The agent steps seen through their payload and result types, so that code generic over a step's name
 * (the agent API, the agent's dispatcher) keeps a step's schema, payload and result tied together
 * without casts.
 */
export const AGENT_STEP_IO: {
  [K in AgentStepName]: AgentStep<K, string, z.ZodType<StepPayload<K>>, z.ZodType<StepResult<K>, StepResultInput<K>>>;
} = AGENT_STEPS;

export function isAgentStep(name: StepName): name is AgentStepName {
  return name in AGENT_STEPS;
}

export function stepDefinition(name: StepName, registry: readonly StepDefinition[] = STEP_ORDER): StepDefinition {
  const step = registry.find((s) => s.name === name);
  if (!step) throw new Error(`Step ${name} is not in the registry.`);
  return step;
}

export function stepLabel(name: StepName, registry: readonly StepDefinition[] = STEP_ORDER): string {
  return registry.find((s) => s.name === name)?.label ?? name;
}

/** The steps a run takes, in order. */
export function planSteps(facts: PlanFacts, registry: readonly StepDefinition[] = STEP_ORDER): StepName[] {
  return registry.filter((s) => s.includedWhen(facts)).map((s) => s.name);
}
