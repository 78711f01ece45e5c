// One supervisor per data folder: a lock file naming the holder's pid and its start time (so that a
// reused pid is not mistaken for the holder), and the programs it started (so that whoever finds the
// lock stale can stop what a killed supervisor left behind).
import fs from "node:fs";

export interface ProcessId {
  pid: number;
  /** Start time in clock ticks since boot (/proc/<pid>/stat field 22): unchanged by exec, new for a reused pid. */
  startTime: string;
}

export interface LockRecord extends ProcessId {
  children: (ProcessId & { name: string })[];
}

export type LockResult = { acquired: true; stale: LockRecord | null } | { acquired: false; holder: LockRecord };

/** The start time of a live (non-zombie) process, or null. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // fields[0] is field 3 (state), so field 22 (starttime) is fields[19].
    return fields[0] === "Z" || fields[0] === "X" ? null : (fields[19] ?? null);
  } catch {
    return null;
  }
}

export function isAlive(id: ProcessId): boolean {
  return processStartTime(id.pid) === id.startTime;
}

export function processId(pid: number): ProcessId {
  const startTime = processStartTime(pid);
  if (startTime === null) throw new Error(`process ${pid} is not running`);
  return { pid, startTime };
}

function readLock(file: string): LockRecord | null {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as LockRecord;
  } catch {
    return null; // missing, or cut short by a crash mid-write: nobody holds it
  }
}

/**
 * Takes the lock for process `pid`. Held by `pid` itself already (a shell that took it, then exec'd the
 * supervisor): kept. Held by another live process: refused. Left by a dead one: taken, and its record
 * returned so that the caller may stop the programs it lists.
 */
export function acquireLock(file: string, pid: number): LockResult {
  const self: LockRecord = { ...processId(pid), children: [] };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(self), { flag: "wx" });
      return { acquired: true, stale: null };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = readLock(file);
    if (holder && isAlive(holder)) {
      if (holder.pid === self.pid) return { acquired: true, stale: null };
      return { acquired: false, holder };
    }
    fs.rmSync(file, { force: true });
    try {
      fs.writeFileSync(file, JSON.stringify(self), { flag: "wx" });
      return { acquired: true, stale: holder };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      // Another starter took it between our rm and our create: look again.
    }
  }
  const holder = readLock(file);
  if (holder) return { acquired: false, holder };
  throw new Error(`could not take the lock ${file}`);
}

/** Rewrites the holder's record (its children changed); atomic, so a reader never sees half a file. */
export function updateLock(file: string, record: LockRecord) {
  const tmp = `${file}.${record.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(record));
  fs.renameSync(tmp, file);
}

/** Removes the lock if `pid` holds it. */
export function releaseLock(file: string, pid: number) {
  if (readLock(file)?.pid === pid) fs.rmSync(file, { force: true });
}
