import { readdirSync, readFileSync } from "node:fs";

/** Parses /proc/<pid>/stat; null if the process is gone. */
export function procStat(pid: number): { state: string; ppid: number; pgrp: number } | null {
  let s: string;
  try {
    s = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  const close = s.lastIndexOf(")");
  const f = s.slice(close + 2).split(" ");
  return { state: f[0] ?? "?", ppid: Number(f[1]), pgrp: Number(f[2]) };
}

/** Alive = exists and is not a zombie (PID 1 here reaps orphans late, so kill(pid, 0) lies). */
export function isAlive(pid: number): boolean {
  const st = procStat(pid);
  return st !== null && st.state !== "Z" && st.state !== "X";
}

/** Live (non-zombie) members of a process group, from /proc. */
export function processGroupMembers(pgid: number): number[] {
  const out: number[] = [];
  let names: string[];
  try {
    names = readdirSync("/proc");
  } catch {
    return out;
  }
  for (const n of names) {
    if (n.charCodeAt(0) < 48 || n.charCodeAt(0) > 57) continue;
    const pid = Number(n);
    const st = procStat(pid);
    if (st && st.pgrp === pgid && st.state !== "Z" && st.state !== "X") out.push(pid);
  }
  return out;
}

export function signalGroup(pgid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pgid, sig);
  } catch {
    /* ESRCH: group already gone */
  }
}
