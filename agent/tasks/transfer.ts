import fs from "node:fs/promises";
import type { TransferTicket } from "@/lib/agent-protocol/primitives";
import { ChecksumMismatchError, downloadVerified } from "@/agent/dataplane/client";
import { TaskFailure, type TaskContext } from "@/agent/task-context";
import { transferStagingPath } from "@/agent/store";

// A corrupted copy is thrown away and fetched again from zero, a few times, before the step fails.
const CORRUPTION_RETRIES = 3;

/** Pulls one file from another agent's data plane into `destPath`, verified by sha256; `onBytes` hears its progress. */
export async function fetchTicket(
  context: TaskContext,
  ticket: TransferTicket,
  destPath: string,
  label: string,
  onBytes?: (doneBytes: number) => void,
) {
  const staging = transferStagingPath(destPath, ticket.transferId);
  let attempts = 0;
  for (let corruption = 0; ; corruption++) {
    try {
      const result = await downloadVerified({
        url: ticket.url,
        token: ticket.token,
        seal: ticket.seal,
        destPath: staging,
        expectedBytes: ticket.bytes,
        expectedSha256: ticket.sha256,
        signal: context.signal,
        streams: context.config.transferStreams,
        onProgress: (done: number, total: number) => {
          onBytes?.(done);
          context.emit({ type: "progress", done, total, note: label });
        },
      });
      attempts += result.attempts;
      // Verified: into the content-addressed name in one step (a concurrent copy of the same bytes may win; either is whole).
      await fs.rename(staging, destPath);
      context.log(`${label}: ${ticket.bytes} bytes verified (sha256 ${ticket.sha256.slice(0, 12)}…) in ${result.seconds.toFixed(3)} s`);
      return {
        transferId: ticket.transferId,
        bytes: ticket.bytes,
        seconds: result.seconds,
        startupSeconds: result.startupSeconds,
        attempts: Math.max(1, attempts),
      };
    } catch (error) {
      if (error instanceof ChecksumMismatchError && corruption < CORRUPTION_RETRIES) {
        context.log(`${label}: checksum mismatch (${error.message}); discarded, fetching again`);
        attempts += 1;
        continue;
      }
      if (context.signal.aborted) throw new TaskFailure("Canceled on request.");
      throw new TaskFailure(`${label} failed: ${(error as Error).message}`);
    }
  }
}
