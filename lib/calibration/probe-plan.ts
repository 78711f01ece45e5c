// The pure decisions of data-plane probes (lib/calibration/probes.ts does the I/O): which sizes to move, when a
// route is due for a probe, and when each side may fetch the other's files.
import { MAX_PROBE_BYTES, MAX_PROBE_FILES } from "@/lib/agent-protocol/probes";

const MIB = 1024 * 1024;
/**
 * 1, 8 and 64 MiB: sizes a decade apart, so the line through them separates the start-up S (the 1 MiB
 * transfer is mostly S) from the rate v (the 64 MiB one is mostly x/v), for well under a second of transfers
 * each way on a fast link (about 0.5 s on this project's machine) and a few seconds on a 100 MB/s one.
 */
export const DEFAULT_PROBE_MIB = [1, 8, 64];
/** After a failed or interrupted probe, a route is not probed again for this long. */
export const PROBE_RETRY_SECONDS = 120;
/** An open probe not finished after this long is failed (an agent went away mid-probe). */
export const PROBE_TIMEOUT_SECONDS = 90;

/**
 * Probe sizes in bytes from a comma-separated list of MiB (TRANSFER_PROBE_MIB), else the defaults: at least two
 * distinct sizes (one size cannot separate v from S), at most MAX_PROBE_FILES, each within 1 MiB – 1 GiB.
 */
export function probeSizes(text: string | undefined): number[] {
  if (!text?.trim()) return DEFAULT_PROBE_MIB.map((m) => m * MIB);
  const mib = text.split(",").map((part) => Number(part.trim()));
  const valid = mib.every((m) => Number.isInteger(m) && m >= 1 && m * MIB <= MAX_PROBE_BYTES);
  if (!valid || mib.length > MAX_PROBE_FILES || new Set(mib).size < 2) {
    throw new Error(
      `TRANSFER_PROBE_MIB must list 2 to ${MAX_PROBE_FILES} whole MiB sizes between 1 and ${MAX_PROBE_BYTES / MIB}, at least two different: got "${text}"`,
    );
  }
  return [...mib].sort((a, b) => a - b).map((m) => m * MIB);
}

export interface ProbeHistory {
  /** The newest succeeded probe of the route, with the agent versions that ran it. */
  lastSucceeded: { createdAt: Date; edgeVersion: string | null; trainerVersion: string | null } | null;
  /** When the newest failed (or interrupted) probe of the route began, if any. */
  lastFailedAt: Date | null;
}

/**
 * Why the route (edge agent, trainer agent) needs a probe now, or null: none has succeeded yet, an agent's version
 * changed since the last one, or staff pressed Recalibrate on the trainer after it. A route whose probe failed
 * within PROBE_RETRY_SECONDS waits (a run interrupted it, or an agent cannot take part).
 */
export function probeDue(
  history: ProbeHistory,
  now: { edgeVersion: string | null; trainerVersion: string | null; recalibrateRequestedAt: Date | null; at: Date },
): string | null {
  if (history.lastFailedAt && now.at.getTime() - history.lastFailedAt.getTime() < PROBE_RETRY_SECONDS * 1000) return null;
  const last = history.lastSucceeded;
  if (!last) return "no probe on this route yet";
  if (last.edgeVersion !== now.edgeVersion) return `edge agent version ${last.edgeVersion} → ${now.edgeVersion}`;
  if (last.trainerVersion !== now.trainerVersion) return `trainer agent version ${last.trainerVersion} → ${now.trainerVersion}`;
  if (now.recalibrateRequestedAt && now.recalibrateRequestedAt > last.createdAt) return "requested by staff";
  return null;
}

export type ProbeSide = "edge" | "trainer";

/**
 * Whether `side` may be handed the tickets for the other side's files now. One direction at a time, so the
 * two never share the link or the CPUs: edge → trainer (stage-in) first, trainer → edge (stage-out) after all
 * of the first direction's transfers ended.
 */
export function mayFetch(
  side: ProbeSide,
  probe: { edgeReadyAt: Date | null; trainerReadyAt: Date | null; edgeTicketsAt: Date | null; trainerTicketsAt: Date | null },
  stageInOpen: number,
): boolean {
  // A side fetches only after writing its own files, so the measured fetch never shares the disk with that.
  if (side === "trainer") return probe.edgeReadyAt !== null && probe.trainerReadyAt !== null && probe.trainerTicketsAt === null;
  return probe.trainerReadyAt !== null && probe.trainerTicketsAt !== null && probe.edgeTicketsAt === null && stageInOpen === 0;
}
