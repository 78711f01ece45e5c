// Edge intake, agent side: watches the data roots the dashboard names in its heartbeat answer, and reports
// each file once it is closed (see stability.ts) — what the zoo makes of it, or why it cannot read it — and
// each scan's list of files. It runs beside the task loop, one inspection at a time, and never blocks it.
import path from "node:path";
import type { AgentConfig } from "@/agent/config";
import { DashboardError, type DashboardClient } from "@/agent/dashboard-client";
import { sha256File } from "@/agent/dataplane/hash";
import { NotADataset, zooInspect } from "@/agent/inspect";
import { scanRoot } from "@/agent/intake/scan";
import { advanceScan, type Observation, type Tracked } from "@/agent/intake/stability";
import { keepRoots, loadIntakeState, markReported, saveIntakeState, wasReported } from "@/agent/intake/state";
import { servablePath } from "@/agent/serve-roots";
import { intakeFileAnswer, type IntakeFileReport, type WatchedDataRoot } from "@/lib/agent-protocol/intake";

const HDF5_NAME = /\.(h5|hdf5)$/i;
/** Even when nothing changes, a scan report this often keeps "last scanned" on the browse page fresh. */
const SCAN_REPORT_EVERY_MS = 30_000;
const MAX_LISTED_PATHS = 2000;
/** A file that could not be reported (dashboard or zoo unavailable) is tried again after this long. */
const RETRY_AFTER_MS = 15_000;

/** What the agent reports for one closed file: the zoo's reading, or the reason it has none. */
export async function readFileForIntake(
  dataRootId: string,
  file: string,
  seen: Observation,
  zoo: { python: string; zooDir: string },
): Promise<IntakeFileReport> {
  if (!HDF5_NAME.test(file)) {
    return {
      status: "unrecognised",
      dataRootId,
      path: file,
      bytes: seen.size,
      sha256: null,
      reason: "Not an HDF5 file name (.h5 or .hdf5): intake reads HDF5 only.",
    };
  }
  const sha256 = await sha256File(file);
  if (seen.size === 0) return { status: "unrecognised", dataRootId, path: file, bytes: 0, sha256, reason: "The file is empty." };
  try {
    const info = await zooInspect(file, zoo);
    return {
      status: "recognised",
      dataRootId,
      path: file,
      bytes: seen.size,
      sha256,
      familyKey: info.family,
      kind: info.kind,
      sampleCount: info.samples,
      shape: info.shape,
      layout: info.layout ?? null,
    };
  } catch (error) {
    if (!(error instanceof NotADataset)) throw error;
    return { status: "unrecognised", dataRootId, path: file, bytes: seen.size, sha256, reason: error.message.slice(0, 2000) };
  }
}

export interface Intake {
  /** The roots to watch, from the latest heartbeat answer; scanning starts with the first one. */
  watch(roots: WatchedDataRoot[]): void;
  stop(): void;
}

export function createIntake(config: AgentConfig, client: DashboardClient, log = console): Intake {
  const stateFile = path.join(config.workdir, "intake-state.json");
  const state = loadIntakeState(stateFile);
  let roots: WatchedDataRoot[] = [];
  let tracking = new Map<string, Map<string, Tracked>>();
  let listed = new Map<string, string>();
  let lastScanReport = 0;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const warned = new Set<string>();
  const retries = new Map<string, { root: WatchedDataRoot; file: string; seen: Observation; due: number }>();

  const warnOnce = (message: string) => {
    if (warned.has(message)) return;
    warned.add(message);
    log.warn(`[intake] ${message}`);
  };

  async function reportFile(root: WatchedDataRoot, file: string, seen: Observation) {
    const report = await readFileForIntake(root.id, file, seen, { python: config.python, zooDir: config.zooDir });
    try {
      const answer = await client.request("POST", "/api/agent/v1/datasets", { body: report, schema: intakeFileAnswer, retries: 2 });
      if (report.status === "unrecognised") log.log(`[intake] ${file}: not a dataset (${report.reason})`);
      else if (answer?.created) log.log(`[intake] ${file}: registered as dataset “${answer.datasetName}”`);
    } catch (error) {
      // 5xx, 429 and network errors: tried again later. Any other 4xx is the dashboard's final word on this
      // file (e.g. the root was removed meanwhile): remembered, so it is not sent again and again.
      const final = error instanceof DashboardError && error.status >= 400 && error.status < 500 && error.status !== 429;
      if (!final) throw error;
      log.warn(`[intake] the dashboard refused ${file}: ${error.message}`);
    }
    markReported(state, { dataRootId: root.id, path: file, size: seen.size, mtimeMs: seen.mtimeMs, sha256: report.sha256 });
    saveIntakeState(stateFile, state);
  }

  async function tick() {
    const scans = await Promise.all(roots.map(async (root) => ({ root, scan: await scanRoot(root.path) })));
    const nextTracking = new Map<string, Map<string, Tracked>>();
    const closed: { root: WatchedDataRoot; file: string; seen: Observation }[] = [];
    const nextListed = new Map<string, string>();
    for (const { root, scan } of scans) {
      if (scan.problem) warnOnce(`data root ${root.path}: ${scan.problem}`);
      const step = advanceScan(tracking.get(root.id) ?? new Map(), scan.files);
      nextTracking.set(root.id, step.tracked);
      for (const file of step.closed) {
        const seen = scan.files.get(file)!;
        if (!wasReported(state, root.id, file, seen)) closed.push({ root, file, seen });
      }
      for (const [key, retry] of retries) {
        if (retry.root.id !== root.id || retry.due > Date.now()) continue;
        retries.delete(key);
        // Changed meanwhile: the stability check closes it again when it settles.
        const now = scan.files.get(retry.file);
        if (now && now.size === retry.seen.size && now.mtimeMs === retry.seen.mtimeMs) closed.push({ root, file: retry.file, seen: now });
      }
      nextListed.set(root.id, [...scan.files.keys()].sort().join("\n"));
    }
    tracking = nextTracking;

    const changed = [...nextListed].some(([id, list]) => listed.get(id) !== list) || nextListed.size !== listed.size;
    if (roots.length > 0 && (changed || Date.now() - lastScanReport > SCAN_REPORT_EVERY_MS)) {
      const body = {
        roots: scans.map(({ root, scan }) => {
          const paths = [...scan.files.keys()].sort();
          return {
            dataRootId: root.id,
            paths: paths.slice(0, MAX_LISTED_PATHS),
            truncated: paths.length > MAX_LISTED_PATHS || scan.problem !== null,
          };
        }),
      };
      try {
        await client.request("POST", "/api/agent/v1/data-roots/scans", { body, retries: 2 });
        listed = nextListed;
        lastScanReport = Date.now();
      } catch (error) {
        log.error(`[intake] could not report the scan: ${(error as Error).message}`);
      }
    }

    for (const { root, file, seen } of closed) {
      if (stopped || !roots.some((r) => r.id === root.id)) break;
      try {
        await reportFile(root, file, seen);
      } catch (error) {
        retries.set(`${root.id}\u0000${file}`, { root, file, seen, due: Date.now() + RETRY_AFTER_MS });
        log.error(`[intake] could not report ${file} (trying again in ${RETRY_AFTER_MS / 1000} s): ${(error as Error).message}`);
      }
    }
  }

  const loop = async () => {
    try {
      await tick();
    } catch (error) {
      log.error(`[intake] scan failed: ${(error as Error).message}`);
    }
    if (!stopped) timer = setTimeout(() => void loop(), config.intakeScanMs);
  };

  return {
    watch(next) {
      const before = roots.map((r) => r.id).join();
      roots = next;
      if (roots.map((r) => r.id).join() !== before) {
        keepRoots(state, new Set(roots.map((r) => r.id)));
        for (const root of roots) {
          // Files intake registers are fetched by trainers through this agent's data plane.
          void servablePath(root.path, config.serveRoots).then((ok) => {
            if (!ok) warnOnce(`data root ${root.path} is outside AGENT_SERVE_ROOTS: its datasets cannot be sent to trainers`);
          });
        }
      }
      if (roots.length > 0 && timer === null && !stopped) timer = setTimeout(() => void loop(), 0);
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
