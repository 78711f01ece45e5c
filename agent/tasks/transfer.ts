import fs from "node:fs/promises";
import path from "node:path";
import type { z } from "zod";
import type { transferTicket } from "@/lib/agent-protocol/schemas";
import { ChecksumMismatchError, downloadVerified } from "@/agent/dataplane/client";
import { TaskFailure, type TaskContext } from "@/agent/task-context";
import { transferStagingPath } from "@/agent/store";

type Ticket = z.infer<typeof transferTicket>;

// A corrupted copy is thrown away and fetched again from zero, a few times, before the step fails.
const CORRUPTION_RETRIES = 3;

/**
 * Fails at once, saying so, when the file cannot fit on this host's disk. Without it a full disk shows
 * up only as a short file and a "checksum mismatch" after the whole transfer (a short write is not an
 * error to the writer), fetched again and again.
 */
async function ensureSpace(destPath: string, bytes: number, label: string) {
  const dir = path.dirname(destPath);
  const partial = await fs
    .stat(`${destPath}.part`)
    .then((s) => s.size)
    .catch(() => 0);
  const need = Math.max(0, bytes - partial);
  const disk = await fs.statfs(dir);
  const free = disk.bavail * disk.bsize;
  if (need > free) {
    throw new TaskFailure(`${label} failed: no space left on device (ENOSPC): ${need} bytes to write, ${free} bytes free in ${dir}.`);
  }
}

/** Pulls one file from another agent's data plane into `destPath`, verified by sha256. */
export async function fetchTicket(context: TaskContext, ticket: Ticket, destPath: string, label: string) {
  await fs.mkdir(path.dirname(destPath), { recursive: true });
  const staging = transferStagingPath(destPath, ticket.transferId);
  let attempts = 0;
  for (let corruption = 0; ; corruption++) {
    await ensureSpace(staging, ticket.bytes, label);
    try {
      const result = await downloadVerified({
        url: ticket.url,
        token: ticket.token,
        destPath: staging,
        expectedBytes: ticket.bytes,
        expectedSha256: ticket.sha256,
        signal: context.signal,
        onProgress: (done: number, total: number) => context.emit({ type: "progress", done, total, note: label }),
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
