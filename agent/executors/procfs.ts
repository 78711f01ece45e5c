import { readdirSync, readFileSync } from "node:fs";

/** Parses /proc/<pid>/stat; null if the process is gone. */
export function procStat(pid: number): { state: string; ppid: number; pgrp: number } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  const close = text.lastIndexOf(")");
  const fields = text.slice(close + 2).split(" ");
  return { state: fields[0] ?? "?", ppid: Number(fields[1]), pgrp: Number(fields[2]) };
}

/** Alive = exists and is not a zombie (PID 1 here reaps orphans late, so kill(pid, 0) lies). */
export function isAlive(pid: number): boolean {
  const processStat = procStat(pid);
  return processStat !== null && processStat.state !== "Z" && processStat.state !== "X";
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
  for (const name of names) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
    const pid = Number(name);
    const processStat = procStat(pid);
    if (processStat && processStat.pgrp === pgid && processStat.state !== "Z" && processStat.state !== "X") out.push(pid);
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
