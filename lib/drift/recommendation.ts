// "Retrain recommended" (issue 13.2): the active deployment's check on the newest data it was checked on is above
// the experiment's threshold. Pure: the experiment page and the overview show what it returns.

export interface VersionCheck {
  datasetId: string;
  datasetName: string;
  /** when the dataset arrived: "newest" is about the data, not about when the edge got round to checking it */
  datasetCreatedAt: Date;
  meanValue: number;
  checkedAt: Date;
}

export interface RetrainRecommendation {
  familyKey: string;
  versionId: string;
  versionLabel: string;
  datasetId: string;
  datasetName: string;
  value: number;
  threshold: number;
  checkedAt: Date;
}

export function retrainRecommendation({
  familyKey,
  active,
  checks,
  threshold,
}: {
  familyKey: string;
  active: { versionId: string; versionLabel: string };
  /** the active version's checks */
  checks: VersionCheck[];
  threshold: number;
}): RetrainRecommendation | null {
  const newest = checks.reduce<VersionCheck | null>((best, c) => (!best || c.datasetCreatedAt > best.datasetCreatedAt ? c : best), null);
  if (!newest || !(newest.meanValue > threshold)) return null;
  return {
    familyKey,
    versionId: active.versionId,
    versionLabel: active.versionLabel,
    datasetId: newest.datasetId,
    datasetName: newest.datasetName,
    value: newest.meanValue,
    threshold,
    checkedAt: newest.checkedAt,
  };
}
