// Data-plane probes in the agent protocol (lib/calibration/probes.ts): what the heartbeat asks of an agent on a
// route being probed, the probe files it offers, and what it measured fetching the other side's.
import { z } from "zod";
import { id, producedFile, transferResult, transferTicket } from "@/lib/agent-protocol/primitives";

/** Largest probe file: a probe takes seconds, not minutes. */
export const MAX_PROBE_BYTES = 1024 * 1024 * 1024;
export const MAX_PROBE_FILES = 8;

/**
 * The agent's part in an open probe: write files of `sizes` (random bytes) into its workdir and post them when
 * `prepare`; fetch these tickets (the other side's files) when there are any; keep serving its own files while
 * the probe stays named here, and delete them once it is not.
 */
export const probeInstruction = z.object({
  probeId: id,
  sizes: z.array(z.number().int().positive().max(MAX_PROBE_BYTES)).min(2).max(MAX_PROBE_FILES),
  prepare: z.boolean(),
  fetch: z.array(transferTicket).max(MAX_PROBE_FILES),
});
export type ProbeInstruction = z.infer<typeof probeInstruction>;

/** The probe files the agent wrote, one per size. */
export const probeFilesReport = z.object({ files: z.array(producedFile).min(2).max(MAX_PROBE_FILES) });

/** What the agent measured fetching the other side's files, or why it stopped (e.g. a run's task arrived). */
export const probeResultsReport = z.object({
  transfers: z.array(transferResult).max(MAX_PROBE_FILES),
  error: z.string().min(1).max(400).optional(),
});
