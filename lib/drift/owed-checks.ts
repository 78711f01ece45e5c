// Which spot checks an edge host owes (issue 13.2 and 13.3), decided from what the dashboard knows of the host.
// Pure: lib/flow/agent-tasks/spot-checks.ts loads the facts and hands the answer to the heartbeat.
import type { DriftPolicyValues } from "@/lib/drift/policy";

/** A deployment on the host, past or active: a past one's checkpoint still lies at `path`. */
export interface HostDeployment {
  modelVersionId: string;
  familyKey: string;
  experimentId: string | null;
  path: string;
  artifactSha256: string;
  active: boolean;
  deployedAt: Date;
}

export interface HostDataset {
  id: string;
  experimentId: string;
  familyKey: string;
  kind: "raw" | "labelled" | "simulated";
  path: string;
  sampleCount: number;
  createdAt: Date;
}

export interface RecordedCheck {
  modelVersionId: string;
  datasetId: string;
  meanValue: number;
}

export interface OwedSpotCheck {
  modelVersionId: string;
  datasetId: string;
  family: string;
  checkpointPath: string;
  checkpointSha256: string;
  dataPath: string;
  fraction: number;
  /** monitoring: the active version on its experiment's data; ranking: an earlier version on drifted data */
  purpose: "monitor" | "rank";
}

/** A heartbeat hands out at most this many: the agent runs them one at a time, and the next heartbeat brings more. */
export const MAX_OWED_PER_HEARTBEAT = 4;

/**
 * A spot check labels the policy's fraction of a file but at least this many samples (or all of a smaller file).
 * Its mean is the alert's evidence: on a 600-peak scan 5 % is 30 peaks, whose mean wanders by ±0.06 px (the errors
 * have a long tail), as much as the gap between a fine-tuned model and the 0.35 px threshold; 200 peaks cut that
 * to about ±0.02 px, for 2–3 s of pseudo-Voigt fitting on the edge.
 */
export const MIN_SPOT_CHECK_SAMPLES = 200;

/** The fraction a spot check of `dataset` draws: the policy's, raised to MIN_SPOT_CHECK_SAMPLES, at most all. */
export function spotCheckFraction(policyFraction: number, sampleCount: number): number {
  if (sampleCount <= 0) return policyFraction;
  return Math.min(1, Math.max(policyFraction, MIN_SPOT_CHECK_SAMPLES / sampleCount));
}

/**
 * Dataset kinds no spot check can use. CookieNetAE has no conventional labeller: a check needs the file's own
 * targets, which a raw CookieBox file lacks (the zoo refuses it). BraggNN is labelled by the pseudo-Voigt fit in
 * any layout.
 */
export function uncheckableKinds(familyKey: string): HostDataset["kind"][] {
  return familyKey === "cookienetae" ? ["raw"] : [];
}

function checkable(dataset: HostDataset): boolean {
  return !uncheckableKinds(dataset.familyKey).includes(dataset.kind);
}

const newestFirst = (a: HostDataset, b: HostDataset) => b.createdAt.getTime() - a.createdAt.getTime() || a.id.localeCompare(b.id);

/**
 * The checks owed, most useful first:
 * 1. monitoring — per ACTIVE deployment, the datasets of its family in its experiment on this host that arrived
 *    after it was deployed, plus the newest one from before (a freshly deployed model is checked on the newest
 *    data at once), newest first;
 * 2. ranking — per active deployment whose check on some dataset crossed the threshold, every other version of
 *    the family whose checkpoint lies on this host (a past deployment's path), on the newest such dataset: their
 *    errors there rank them as starting points for the retrain (lib/drift/ranking.ts).
 * Pairs already recorded are not owed; at most `limit` are returned.
 */
export function owedSpotChecks({
  deployments,
  datasets,
  checks,
  policyOf,
  limit = MAX_OWED_PER_HEARTBEAT,
}: {
  deployments: HostDeployment[];
  datasets: HostDataset[];
  checks: RecordedCheck[];
  policyOf: (experimentId: string, familyKey: string) => DriftPolicyValues | null;
  limit?: number;
}): OwedSpotCheck[] {
  const recorded = new Map(checks.map((c) => [`${c.modelVersionId}/${c.datasetId}`, c.meanValue]));
  const owed = new Map<string, OwedSpotCheck>();
  const owe = (deployment: HostDeployment, dataset: HostDataset, fraction: number, purpose: OwedSpotCheck["purpose"]) => {
    const key = `${deployment.modelVersionId}/${dataset.id}`;
    if (recorded.has(key) || owed.has(key)) return;
    owed.set(key, {
      modelVersionId: deployment.modelVersionId,
      datasetId: dataset.id,
      family: deployment.familyKey,
      checkpointPath: deployment.path,
      checkpointSha256: deployment.artifactSha256,
      dataPath: dataset.path,
      fraction: spotCheckFraction(fraction, dataset.sampleCount),
      purpose,
    });
  };

  const active = deployments.filter((d) => d.active && d.experimentId !== null);
  const ranking: (() => void)[] = [];
  for (const deployment of active) {
    const policy = policyOf(deployment.experimentId!, deployment.familyKey);
    if (!policy) continue;
    const family = datasets
      .filter((d) => d.experimentId === deployment.experimentId && d.familyKey === deployment.familyKey && checkable(d))
      .sort(newestFirst);
    const after = family.filter((d) => d.createdAt > deployment.deployedAt);
    const newestBefore = family.find((d) => d.createdAt <= deployment.deployedAt);
    for (const dataset of newestBefore ? [...after, newestBefore] : after) owe(deployment, dataset, policy.fraction, "monitor");

    const drifted = family.find((d) => (recorded.get(`${deployment.modelVersionId}/${d.id}`) ?? -Infinity) > policy.threshold);
    if (!drifted) continue;
    ranking.push(() => {
      for (const earlier of latestPerVersion(deployments, deployment)) owe(earlier, drifted, policy.fraction, "rank");
    });
  }
  for (const rank of ranking) rank();
  return [...owed.values()].slice(0, limit);
}

/** Other versions of the deployment's family on the host, each at its latest deployment's path, newest first. */
function latestPerVersion(deployments: HostDeployment[], of: HostDeployment): HostDeployment[] {
  const latest = new Map<string, HostDeployment>();
  for (const d of deployments) {
    if (d.familyKey !== of.familyKey || d.modelVersionId === of.modelVersionId) continue;
    const seen = latest.get(d.modelVersionId);
    if (!seen || d.deployedAt > seen.deployedAt) latest.set(d.modelVersionId, d);
  }
  return [...latest.values()].sort((a, b) => b.deployedAt.getTime() - a.deployedAt.getTime());
}
