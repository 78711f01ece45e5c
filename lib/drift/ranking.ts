// Which earlier model to fine-tune from (issue 13.3).
//
// Measure: each version's error on a labelled sample of the new data — the edge's spot checks (lib/drift/
// owed-checks.ts owes them for every version whose checkpoint is on the host once drift is seen). It measures
// directly where fine-tuning would start, on exactly the data to be learnt; it costs only the 5 % conventional
// labelling the edge does anyway to detect the drift; and it needs no embedding model or feature extractor per
// family, nor access to the versions' old training data (which may be gone). Versions not yet measured on this
// dataset follow, newest first (recency is the best guess of closeness during one beamtime).

export interface ParentCandidate {
  id: string;
  label: string;
  createdAt: Date | string;
}

export interface RankedParent {
  id: string;
  label: string;
  /** the version's spot-check error on the dataset (the family's metric), or null when not measured */
  error: number | null;
}

export function rankParents(candidates: ParentCandidate[], errorOn: ReadonlyMap<string, number>): RankedParent[] {
  const time = (c: ParentCandidate) => new Date(c.createdAt).getTime();
  return candidates
    .map((c) => ({ candidate: c, error: errorOn.get(c.id) ?? null }))
    .sort((a, b) => {
      if (a.error !== null && b.error !== null) return a.error - b.error || time(b.candidate) - time(a.candidate);
      if (a.error !== null) return -1;
      if (b.error !== null) return 1;
      return time(b.candidate) - time(a.candidate);
    })
    .map(({ candidate, error }) => ({ id: candidate.id, label: candidate.label, error }));
}
