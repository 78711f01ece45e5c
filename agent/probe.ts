// Data-plane probes on the agent (issue 9; the dashboard's side is lib/calibration/probes.ts): when the heartbeat
// answer names a probe, write files of the given sizes (random bytes) into the workdir and offer them, fetch the
// other side's files through the data plane exactly as a run's transfer is fetched (ticket, one-time token,
// sha256-verified), and report the times, so T = x/v + S is fitted before the first run. It runs beside the
// task loop, never in it: the agent drops the probe the moment a task arrives (interrupt), and the dashboard
// authorises no probe transfer while either agent holds a task.
import { createHash, randomFillSync } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { AgentConfig } from "@/agent/config";
import type { DashboardClient } from "@/agent/dashboard-client";
import { downloadVerified } from "@/agent/dataplane/client";
import { probeInstruction, type ProbeInstruction } from "@/lib/agent-protocol/probes";
import type { TransferResult, TransferTicket } from "@/lib/agent-protocol/primitives";

const CHUNK = 1024 * 1024;

/**
 * Writes `bytes` random bytes to `file` and returns their sha256 (hashed as written, not read back). A chunk at a
 * time with an await between, so the agent's event loop (its task claims) never waits more than a chunk's worth.
 */
export async function writeRandomFile(file: string, bytes: number, signal?: AbortSignal): Promise<string> {
  const hash = createHash("sha256");
  const chunk = Buffer.allocUnsafe(Math.min(CHUNK, bytes));
  const handle = await fs.promises.open(file, "w");
  try {
    for (let written = 0; written < bytes;) {
      signal?.throwIfAborted();
      const part = chunk.subarray(0, Math.min(chunk.length, bytes - written));
      randomFillSync(part);
      hash.update(part);
      await handle.write(part);
      written += part.length;
    }
  } finally {
    await handle.close();
  }
  return hash.digest("hex");
}

export function createProber(config: AgentConfig, client: DashboardClient) {
  const root = path.join(config.workdir, "probes");
  // Files of an earlier process's probe are never needed again.
  fs.rmSync(root, { recursive: true, force: true });
  // The probe the latest heartbeat answer named, and the controller of its step running now, if any.
  let known: string | null = null;
  let abort: AbortController | null = null;
  // Tickets for the named probe not fetched yet. The dashboard hands each side its tickets once, so those that
  // arrive while a step runs (a heartbeat answer while this side writes its own files) wait for that step to
  // fetch them; dropped, the probe could never finish.
  let tickets: TransferTicket[] = [];
  // Probes with files of this process on disk (offered or fetched); all of one probe's lie in its folder.
  const dirs = new Set<string>();

  const dirOf = (probeId: string) => {
    const dir = path.join(root, probeId);
    fs.mkdirSync(dir, { recursive: true });
    dirs.add(probeId);
    return dir;
  };
  const forget = (probeId: string) => {
    fs.rmSync(path.join(root, probeId), { recursive: true, force: true });
    dirs.delete(probeId);
  };
  const cleanUp = (keep: string | null) => {
    for (const probeId of [...dirs]) if (probeId !== keep) forget(probeId);
  };

  async function prepare(instruction: ProbeInstruction, signal: AbortSignal): Promise<ProbeInstruction | null> {
    const dir = dirOf(instruction.probeId);
    const files = [];
    for (const [i, bytes] of instruction.sizes.entries()) {
      const file = path.join(dir, `out-${i}.bin`);
      files.push({ path: file, bytes, sha256: await writeRandomFile(file, bytes, signal) });
    }
    return client.request("POST", `/api/agent/v1/probes/${instruction.probeId}/files`, {
      body: { files },
      schema: probeInstruction,
      retries: 2,
    });
  }

  async function fetchAll(probeId: string, tickets: TransferTicket[], signal: AbortSignal): Promise<TransferResult[]> {
    const results: TransferResult[] = [];
    for (const ticket of tickets) {
      const destPath = path.join(dirOf(probeId), `in-${ticket.transferId}.bin`);
      const result = await downloadVerified({
        url: ticket.url,
        token: ticket.token,
        seal: ticket.seal,
        destPath,
        expectedBytes: ticket.bytes,
        expectedSha256: ticket.sha256,
        signal,
        streams: config.transferStreams,
        maxAttempts: 2,
      });
      fs.rmSync(destPath, { force: true });
      results.push({
        transferId: ticket.transferId,
        bytes: ticket.bytes,
        seconds: result.seconds,
        startupSeconds: result.startupSeconds,
        attempts: result.attempts,
      });
    }
    return results;
  }

  async function report(probeId: string, body: { transfers: TransferResult[]; error?: string }) {
    await client.request("POST", `/api/agent/v1/probes/${probeId}/results`, { body, retries: 2 });
  }

  return {
    get busy() {
      return abort !== null;
    },
    /**
     * The heartbeat answer's probe (null: none open for this agent, or a task is running). Files of probes no
     * longer named are deleted; the next step of the named one runs in the background when there is one to run.
     */
    offer(instruction: ProbeInstruction | null) {
      if (known !== (instruction?.probeId ?? null)) {
        abort?.abort();
        tickets = [];
      }
      known = instruction?.probeId ?? null;
      if (!abort) cleanUp(known);
      if (!instruction) return;
      tickets.push(...instruction.fetch);
      if (abort || (!instruction.prepare && tickets.length === 0)) return;
      const step = new AbortController();
      abort = step;
      void (async () => {
        const startedAt = performance.now();
        try {
          const { probeId } = instruction;
          // Tickets come once: with a heartbeat answer, or with the answer to the offered files.
          if (instruction.prepare && !dirs.has(probeId)) {
            const answer = await prepare(instruction, step.signal);
            if (known === probeId) tickets.push(...(answer?.fetch ?? []));
          }
          while (known === probeId && tickets.length > 0) {
            const transfers = await fetchAll(probeId, tickets.splice(0), step.signal);
            await report(probeId, { transfers });
            const moved = transfers.reduce((sum, t) => sum + t.bytes, 0);
            const seconds = ((performance.now() - startedAt) / 1000).toFixed(2);
            console.log(
              `[agent] probe ${probeId}: fetched ${transfers.length} files, ${(moved / 2 ** 20).toFixed(0)} MiB, in ${seconds} s`,
            );
          }
        } catch (error) {
          // An interruption was reported by interrupt(); anything else is reported here, once.
          if (!step.signal.aborted) {
            const message = (error as Error).message.slice(0, 400);
            console.error(`[agent] probe ${instruction.probeId}: ${message}`);
            await report(instruction.probeId, { transfers: [], error: message }).catch(() => undefined);
          }
        } finally {
          if (abort === step) abort = null;
          // Dropped: its files go, so that if the probe is named again this side starts it over (writing its files
          // again) instead of waiting for tickets that will not come.
          if (step.signal.aborted) forget(instruction.probeId);
        }
      })();
    },
    /** A task arrived: drop the probe at once and tell the dashboard, which fails it (the route is probed again later). */
    interrupt(reason: string, probeId = known) {
      if (!probeId) return;
      known = null;
      tickets = [];
      abort?.abort();
      console.log(`[agent] probe ${probeId} interrupted: ${reason}`);
      void report(probeId, { transfers: [], error: `interrupted: ${reason}` }).catch(() => undefined);
    },
  };
}
