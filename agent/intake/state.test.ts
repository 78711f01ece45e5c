import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  keepRoots,
  loadIntakeState,
  markReported,
  parseIntakeState,
  saveIntakeState,
  serialiseIntakeState,
  wasReported,
  type IntakeState,
} from "@/agent/intake/state";

const entry = { dataRootId: "root1", path: "/data/a.h5", size: 100, mtimeMs: 1700000000123.5, sha256: "ab".repeat(32) };

describe("intake state file", () => {
  it("round-trips, and a file counts as reported only at the same size and mtime in the same root", () => {
    const state: IntakeState = new Map();
    markReported(state, entry);
    const back = parseIntakeState(serialiseIntakeState(state));
    expect(wasReported(back, "root1", "/data/a.h5", { size: 100, mtimeMs: entry.mtimeMs })).toBe(true);
    expect(wasReported(back, "root1", "/data/a.h5", { size: 101, mtimeMs: entry.mtimeMs })).toBe(false);
    expect(wasReported(back, "root1", "/data/a.h5", { size: 100, mtimeMs: entry.mtimeMs + 1 })).toBe(false);
    expect(wasReported(back, "root2", "/data/a.h5", { size: 100, mtimeMs: entry.mtimeMs })).toBe(false);
  });

  it("forgets what it cannot read rather than fail: bad JSON, another version, bad entries", () => {
    expect(parseIntakeState("{not json").size).toBe(0);
    expect(parseIntakeState(JSON.stringify({ version: 2, files: [entry] })).size).toBe(0);
    const mixed = parseIntakeState(JSON.stringify({ version: 1, files: [entry, { ...entry, path: "relative.h5" }, { size: 1 }] }));
    expect([...mixed.values()]).toEqual([entry]);
  });

  it("drops the files of roots no longer watched", () => {
    const state: IntakeState = new Map();
    markReported(state, entry);
    markReported(state, { ...entry, dataRootId: "root2" });
    keepRoots(state, new Set(["root2"]));
    expect([...state.values()].map((e) => e.dataRootId)).toEqual(["root2"]);
  });

  it("saves by renaming a complete file, and a missing file loads as empty", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "intake-state-"));
    const file = path.join(dir, "intake-state.json");
    expect(loadIntakeState(file).size).toBe(0);
    const state: IntakeState = new Map();
    markReported(state, entry);
    saveIntakeState(file, state);
    expect(fs.readdirSync(dir)).toEqual(["intake-state.json"]);
    expect(wasReported(loadIntakeState(file), "root1", "/data/a.h5", entry)).toBe(true);
    fs.rmSync(dir, { recursive: true });
  });
});
