// Real files in a temporary folder.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { activeTasksFile, saveActiveTasks, takeActiveTasks } from "./active-tasks";

const workdirs: string[] = [];
function workdir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "br-active-"));
  workdirs.push(dir);
  return dir;
}
afterAll(() => workdirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe("active-tasks.json", () => {
  it("round-trips through a temporary file and a rename, and is removed once taken", () => {
    const dir = workdir();
    const tasks = [{ id: "t1", runId: "r1", kind: "train", attempt: 2 }];
    saveActiveTasks(dir, tasks);
    expect(readdirSync(dir)).toEqual(["active-tasks.json"]);
    expect(JSON.parse(readFileSync(activeTasksFile(dir), "utf8"))).toEqual(tasks);
    expect(takeActiveTasks(dir)).toEqual(tasks);
    expect(existsSync(activeTasksFile(dir))).toBe(false);
    expect(takeActiveTasks(dir)).toEqual([]);
  });

  it("a failed write (a full disk) is logged, not thrown, and leaves no temporary file behind", () => {
    const dir = workdir();
    // a non-empty folder in the file's place makes the rename fail
    mkdirSync(path.join(activeTasksFile(dir), "squatter"), { recursive: true });
    const logged: string[] = [];
    saveActiveTasks(dir, [{ id: "t1", runId: "r1", kind: "train", attempt: 1 }], (line) => logged.push(line));
    expect(logged[0]).toMatch(/could not record the active tasks/);
    expect(readdirSync(dir)).toEqual(["active-tasks.json"]);
  });

  it("#19 a corrupt state file is logged and moved aside, not fatal", () => {
    const dir = workdir();
    writeFileSync(activeTasksFile(dir), '[{"id":"t1","runId":"r1","ki'); // cut off mid-write
    const logged: string[] = [];
    expect(takeActiveTasks(dir, (line) => logged.push(line))).toEqual([]);
    expect(logged[0]).toMatch(/active-tasks\.json is unreadable .*moved to .*active-tasks\.json\.corrupt-\d+/);
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^active-tasks\.json\.corrupt-\d+$/);
    // a well-formed file of the wrong shape is no better
    writeFileSync(activeTasksFile(dir), '{"not":"a list"}');
    expect(takeActiveTasks(dir, (line) => logged.push(line))).toEqual([]);
    expect(logged).toHaveLength(2);
  });
});
