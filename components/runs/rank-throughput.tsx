// A data-parallel run's ranks and each one's throughput in the latest epoch (a slow rank holds all back).
export function RankThroughput({ workers, rankSamplesPerSec }: { workers: number; rankSamplesPerSec: number[] }) {
  if (workers <= 1) return null;
  return (
    <p className="small mono" aria-label="Ranks">
      {workers} ranks (data-parallel)
      {rankSamplesPerSec.length > 0 &&
        ": " + rankSamplesPerSec.map((s, rank) => `rank ${rank} ${Math.round(s).toLocaleString("en")} samples/s`).join(" · ")}
    </p>
  );
}
