// Never a worse model in service without consent (issue 13 #4). The deploy step evaluates the new version
// and the one in service on the run's edge host (same family, same experiment) with the zoo's `evaluate`
// on the same held-out samples; this decides, from both figures, whether the new one goes into service.
// Pure: the caller reads what is in service under the family lock and applies the decision.

export type GatedFamily = "braggnn" | "cookienetae";

/** Each family's primary metric as `evaluate` reports it (lower is better), and how to print it. */
export const PRIMARY_METRIC: Record<GatedFamily, { key: string; label: string; format: (value: number) => string }> = {
  braggnn: { key: "mean", label: "mean peak error", format: (v) => `${v.toFixed(3)} px` },
  cookienetae: { key: "val_mse", label: "validation MSE", format: (v) => `MSE ${v.toPrecision(3)}` },
};

/**
 * How much worse the new figure may be and still count as no worse: 1 % of the in-service figure. Both
 * models are scored on the same samples by a deterministic forward pass, so the evaluation itself adds only
 * float rounding (~1e-6); the tolerance is for the held-out set's sampling noise. Unpaired, a mean error over
 * the at most ~820 held-out samples the edge scores (20 % of 4 096) carries a standard error of a few per
 * cent; paired on the same samples, two similar models' errors move together and the noise of their
 * difference is far smaller. 1 % lets a retrain that only matches the model in service (a plateau) go into
 * service with its newer data, and asks for consent for anything clearly worse. The floor keeps a zero
 * figure from making every difference "worse".
 */
export const RELATIVE_TOLERANCE = 0.01;
const ABSOLUTE_FLOOR = 1e-9;

export type InServiceEvaluation = { deploymentId: string; metrics: Record<string, number> } | { deploymentId: string; failure: string };

export interface GateInput {
  family: GatedFamily;
  /** The new version's figures from the edge's evaluation. */
  newMetrics: Record<string, number>;
  /** The deployment in service now (read under the family lock), or null. */
  inService: { deploymentId: string; version: number } | null;
  /** What the edge evaluated as in service when the deploy step started (null: nothing was). */
  evaluated: InServiceEvaluation | null;
}

export interface GateDecision {
  deploy: boolean;
  metric: string;
  newValue: number | null;
  inServiceValue: number | null;
  /** One plain sentence for the run page and the audit log. */
  reason: string;
}

/** A held-back version nobody has deployed anyway (it may since have been superseded). */
export function isHeldBack(decision: { heldBack: boolean; deployedAnywayAt: Date | null } | null): boolean {
  return decision !== null && decision.heldBack && decision.deployedAnywayAt === null;
}

export function isWorse(newValue: number, inServiceValue: number): boolean {
  return newValue > inServiceValue + Math.max(RELATIVE_TOLERANCE * Math.abs(inServiceValue), ABSOLUTE_FLOOR);
}

const figure = (value: unknown): number | null => (typeof value === "number" && Number.isFinite(value) ? value : null);

export function decideDeploy({ family, newMetrics, inService, evaluated }: GateInput): GateDecision {
  const { key: metric, format } = PRIMARY_METRIC[family];
  const newValue = figure(newMetrics[metric]);
  const shown = (value: number | null) => (value === null ? "no figure" : format(value));
  const decision = (deploy: boolean, inServiceValue: number | null, reason: string) => ({
    deploy,
    metric,
    newValue,
    inServiceValue,
    reason,
  });
  if (!inService) return decision(true, null, `deployed: no model was in service (new ${shown(newValue)})`);
  const old = `in service v${inService.version}`;
  // What the edge compared with is no longer what is in service (another run or a restore replaced it
  // meanwhile): the figures say nothing about the model that would be replaced.
  if (!evaluated || evaluated.deploymentId !== inService.deploymentId) {
    return decision(
      false,
      null,
      `held back: v${inService.version} went into service while this version was evaluated, so the two were not compared`,
    );
  }
  // The file in service is missing, altered or unreadable: it cannot be what the edge should run, and the
  // new version's file was verified, so it takes its place (the run page says so).
  if ("failure" in evaluated) return decision(true, null, `deployed: ${old} could not be evaluated on the edge (${evaluated.failure})`);
  const inServiceValue = figure(evaluated.metrics[metric]);
  if (newValue === null || inServiceValue === null) {
    return decision(
      false,
      inServiceValue,
      `held back: the evaluation gave no ${metric} figure to compare (new ${shown(newValue)} vs ${old} ${shown(inServiceValue)})`,
    );
  }
  const figures = `new ${format(newValue)} vs ${old} ${format(inServiceValue)}`;
  return isWorse(newValue, inServiceValue)
    ? decision(false, inServiceValue, `held back: ${figures}`)
    : decision(true, inServiceValue, `deployed: ${figures}`);
}
