import { describe, expect, it } from "vitest";
import { endedNotice, foldRunChanges, newRunChangesState, type RunChange } from "@/lib/query/run-changes";

const change = (over: Partial<RunChange>): RunChange => ({ id: "r1", number: 7, status: "running", mine: true, endedAtMs: null, ...over });

describe("foldRunChanges", () => {
  it("asks for the lists to refetch when a run appears or changes status, not when only its metrics moved", () => {
    const state = newRunChangesState(1000);
    expect(foldRunChanges(state, [change({})]).listsChanged).toBe(true);
    expect(foldRunChanges(state, [change({})]).listsChanged).toBe(false);
    expect(foldRunChanges(state, [change({ status: "succeeded", endedAtMs: 2000 })]).listsChanged).toBe(true);
  });

  it("announces the user's own run once when it ends, and again when a retry ends it anew", () => {
    const state = newRunChangesState(1000);
    const ended = change({ status: "failed", endedAtMs: 2000 });
    expect(foldRunChanges(state, [ended]).ended).toEqual([ended]);
    expect(foldRunChanges(state, [ended]).ended).toEqual([]);
    foldRunChanges(state, [change({ status: "running", endedAtMs: null })]);
    const again = change({ status: "succeeded", endedAtMs: 5000 });
    expect(foldRunChanges(state, [again]).ended).toEqual([again]);
  });

  it("says nothing of others' runs, of runs still going, or of runs that ended before the page connected", () => {
    const state = newRunChangesState(1000);
    const { ended } = foldRunChanges(state, [
      change({ id: "a", mine: false, status: "succeeded", endedAtMs: 2000 }),
      change({ id: "b", status: "running" }),
      change({ id: "c", status: "canceled", endedAtMs: 999 }),
    ]);
    expect(ended).toEqual([]);
  });
});

describe("endedNotice", () => {
  it("names the run and how it ended", () => {
    expect(endedNotice({ number: 12, status: "succeeded" })).toBe("Run #12 succeeded: its model is validated on the edge host.");
    expect(endedNotice({ number: 3, status: "lost" })).toBe("Run #3 was lost (its agent went silent).");
  });
});
