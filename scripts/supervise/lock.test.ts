import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { acquireLock, isAlive, processId, releaseLock, updateLock } from "@/scripts/supervise/lock";

let dir = "";
let file = "";
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "beamline-lock-"));
  file = path.join(dir, "supervisor.lock");
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("the data folder's lock", () => {
  it("is taken once: again by the same process (a shell that exec'd), refused to another live one", () => {
    expect(acquireLock(file, process.pid)).toEqual({ acquired: true, stale: null });
    expect(acquireLock(file, process.pid)).toEqual({ acquired: true, stale: null });
    const other = acquireLock(file, process.ppid);
    expect(other.acquired).toBe(false);
    expect(other.acquired === false && other.holder.pid).toBe(process.pid);
  });

  it("left by a dead process (or a reused pid), is taken over and its record handed back", () => {
    const dead = { pid: process.ppid, startTime: "1", children: [{ name: "web", pid: process.ppid, startTime: "1" }] };
    fs.writeFileSync(file, JSON.stringify(dead));
    expect(isAlive(dead)).toBe(false); // same pid as a live process, other start time: not the holder
    expect(acquireLock(file, process.pid)).toEqual({ acquired: true, stale: dead });
    expect(JSON.parse(fs.readFileSync(file, "utf8")).pid).toBe(process.pid);
  });

  it("half-written (a crash mid-write) counts as free", () => {
    fs.writeFileSync(file, '{"pid": 12');
    expect(acquireLock(file, process.pid)).toEqual({ acquired: true, stale: null });
  });

  it("is released only by its holder", () => {
    acquireLock(file, process.pid);
    updateLock(file, { ...processId(process.pid), children: [{ name: "worker", ...processId(process.ppid) }] });
    releaseLock(file, process.ppid);
    expect(fs.existsSync(file)).toBe(true);
    releaseLock(file, process.pid);
    expect(fs.existsSync(file)).toBe(false);
  });
});
