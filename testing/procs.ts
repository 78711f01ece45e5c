// Looks at real processes through /proc, for tests that check that a job really stopped.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

export interface ProcInfo {
  pid: number;
  state: string;
  argv: string[];
  /** The process's working directory (a warm zoo process moves into its job's, which names the run). */
  cwd: string;
}

/** Live (non-zombie) processes whose argv and working directory together contain every one of `needles`. */
export function findProcesses(...needles: string[]): ProcInfo[] {
  const found: ProcInfo[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0] ?? "?";
      if (state === "Z" || state === "X") continue;
      let cwd = "";
      try {
        cwd = readlinkSync(`/proc/${pid}/cwd`);
      } catch {
        /* another user's process */
      }
      const joined = `${argv.join(" ")} ${cwd}`;
      if (argv.length && needles.every((n) => joined.includes(n))) found.push({ pid, state, argv, cwd });
    } catch {
      /* gone meanwhile */
    }
  }
  return found;
}

/** The model-zoo (python -m beamline_zoo) processes working for one run. */
export function zooProcessesOfRun(runId: string): ProcInfo[] {
  return findProcesses("beamline_zoo", runId).filter((p) => p.pid !== process.pid);
}
