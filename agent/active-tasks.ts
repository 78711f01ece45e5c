// The tasks this agent holds, on disk, so that after a crash the next start can stop their jobs.
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";

const activeTaskList = z.array(z.object({ id: z.string(), runId: z.string(), kind: z.string(), attempt: z.number().int() }));
export type ActiveTaskRecord = z.infer<typeof activeTaskList>[number];

export function activeTasksFile(workdir: string): string {
  return path.join(workdir, "active-tasks.json");
}

/**
 * Written to a temporary name and renamed over the old one: a crash mid-write leaves the old file
 * whole. A write that fails (a full disk) is logged and leaves the old file; the agent goes on.
 */
export function saveActiveTasks(workdir: string, tasks: ActiveTaskRecord[], log: (line: string) => void = console.error): void {
  const file = activeTasksFile(workdir);
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temporary, JSON.stringify(tasks));
    fs.renameSync(temporary, file);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    log(`[agent] could not record the active tasks in ${file}: ${(error as Error).message}`);
  }
}

/**
 * The tasks held when the agent last stopped ([] when none), and the file removed. A file that cannot
 * be read is logged and moved aside (`.corrupt-<time>`) rather than stopping the agent from starting.
 */
export function takeActiveTasks(workdir: string, log: (line: string) => void = console.error): ActiveTaskRecord[] {
  const file = activeTasksFile(workdir);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return [];
  }
  try {
    const tasks = activeTaskList.parse(JSON.parse(text));
    fs.rmSync(file);
    return tasks;
  } catch (error) {
    const aside = `${file}.corrupt-${Date.now()}`;
    fs.renameSync(file, aside);
    log(`[agent] ${file} is unreadable (${(error as Error).message.split("\n")[0]}); moved to ${aside}, its jobs are not stopped`);
    return [];
  }
}
