// The shape every step of a retrain run declares (DESIGN §4). A step file says everything about its step:
// name, labels, which side runs it, its colour, its Table-1 column, when a run includes it, and, for agent
// steps, the payload and result schemas (shared with the agent) and how the dashboard builds the payload
// and applies the result. Step files are pure (zod and types only): the browser reads their labels and
// colours, the agent their schemas; the dashboard hands them its I/O through the contexts below.
import type { z } from "zod";
import type { StepName } from "@/lib/generated/prisma/enums";
import type { TrainParams, TransferResult, TransferTicket } from "@/lib/agent-protocol/primitives";
import type { ParallelShape } from "@/lib/agent-protocol/parallel";

export type { StepName };

/** Where a step runs: in the dashboard itself, or as a task for the trainer's or the edge host's agent. */
export type StepSide = "dashboard" | "trainer" | "edge";

/** The paper's Table 1 columns (plus queue and labelling, which it lacks); control overhead is derived. */
export type TableOneColumn = "queue" | "dataTransfer" | "labelling" | "training" | "modelTransfer" | "deploy";

/** Facts about a run that decide which steps it includes. */
export interface PlanFacts {
  /** The dataset is raw: the trainer labels it conventionally (A) before training. */
  needsLabelling: boolean;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

interface StepBase<N extends StepName, K extends string> {
  name: N;
  /** Key in predictions and per-step reports (camelCase, as stored in a run's prediction). */
  key: K;
  /** Long label: run page, timeline. */
  label: string;
  /** Short label: legends, table headers. */
  shortLabel: string;
  column: TableOneColumn;
  /** The Table-1 column's heading (the paper's words where it has them). */
  columnLabel: string;
  /** One colour per step everywhere (Okabe–Ito palette: distinct under the common colour-vision deficiencies). */
  color: string;
  includedWhen(facts: PlanFacts): boolean;
}

export interface DashboardStep<N extends StepName = StepName, K extends string = string> extends StepBase<N, K> {
  side: "dashboard";
}

/** What a run looks like to a step building its payload. */
export interface RunFacts {
  id: string;
  params: TrainParams;
  family: { key: "braggnn" | "cookienetae" };
  dataset: { name: string; path: string; bytes: number; sha256: string; kind: "raw" | "labelled" | "simulated" };
  /** The trainer and its data-parallel shape (how many ranks a training job starts). */
  trainer: { name: string; executor: "local" | "slurm" } & ParallelShape;
  edgeHost: { name: string };
  /** The model to fine-tune from, with where it is deployed on this run's edge host (null: not there). */
  parent: { version: number; artifactBytes: number; artifactSha256: string; deployedPath: string | null } | null;
  /** The active deployment of this family for this experiment on the edge host, which deploy compares with. */
  inService: { deploymentId: string; version: number; path: string; sha256: string } | null;
}

export interface PayloadContext {
  run: RunFacts;
  /** A one-time, sha256-verified transfer from the other side's agent to the agent that runs this step. */
  transferFrom(side: "trainer" | "edge", purpose: string, file: { path: string; bytes: number; sha256: string }): Promise<TransferTicket>;
  /** The result of an earlier step of this run, checked against that step's schema. */
  resultOf<R extends z.ZodType>(step: StepName, schema: R): Promise<z.output<R>>;
  /** Refuses to start the step: it fails at once with this message, for the scientist to read. */
  refuse(message: string): never;
}

export interface ResultContext extends Pick<PayloadContext, "resultOf"> {
  run: { id: string };
  /** The step's detail so far (e.g. when training started), to merge into. */
  detail: JsonObject;
  completeTransfers(transfers: readonly TransferResult[]): Promise<void>;
  recordLabellingCost(measured: { secondsPerDatum: number; samples: number }): Promise<void>;
  /** Registers the version and puts it in service unless the deploy gate holds it back; says which. */
  registerDeployedModel(deployed: DeployedModel, trained: { bytes: number; sha256: string }): Promise<DeployGateOutcome>;
}

/** What the deploy gate decided, as the deploy step's detail records it (figures of the family's primary metric). */
export interface DeployGateOutcome {
  [key: string]: JsonValue;
  heldBack: boolean;
  metric: string;
  newValue: number | null;
  inServiceValue: number | null;
  inServiceVersion: number | null;
  reason: string;
}

export interface DeployedModel {
  path: string;
  sha256: string;
  metrics: Record<string, number>;
  secondsPerDatum: number;
  samples: number;
  exported: { format: string; path: string; bytes: number }[];
  inService: { deploymentId: string; metrics: Record<string, number> } | { deploymentId: string; failure: string } | null;
}

/** What a finished step records on its row. */
export interface StepOutcome {
  bytes?: number;
  files?: number;
  detail?: JsonObject;
}

export interface AgentStep<
  N extends StepName = StepName,
  K extends string = string,
  P extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
> extends StepBase<N, K> {
  side: "trainer" | "edge";
  payload: P;
  result: R;
  buildPayload(context: PayloadContext): Promise<z.input<P>>;
  applyResult(context: ResultContext, result: z.output<R>): Promise<StepOutcome>;
}

export type StepDefinition = DashboardStep | AgentStep;
