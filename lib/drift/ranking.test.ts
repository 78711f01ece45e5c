import { describe, expect, it } from "vitest";
import { rankParents } from "@/lib/drift/ranking";

const v = (id: string, day: number) => ({ id, label: `BraggNN ${id}`, createdAt: new Date(Date.UTC(2026, 10, day)) });

describe("rankParents", () => {
  it("puts measured versions first by their error on the new data, then the rest newest first", () => {
    const ranked = rankParents(
      [v("v1", 1), v("v2", 2), v("v3", 3), v("v4", 4)],
      new Map([
        ["v1", 0.4],
        ["v3", 1.2],
      ]),
    );
    expect(ranked.map((r) => [r.id, r.error])).toEqual([
      ["v1", 0.4],
      ["v3", 1.2],
      ["v4", null],
      ["v2", null],
    ]);
  });

  it("breaks ties in error by recency and accepts ISO dates from JSON", () => {
    const ranked = rankParents(
      [
        { id: "a", label: "a", createdAt: "2026-11-01T00:00:00.000Z" },
        { id: "b", label: "b", createdAt: "2026-11-02T00:00:00.000Z" },
      ],
      new Map([
        ["a", 0.5],
        ["b", 0.5],
      ]),
    );
    expect(ranked.map((r) => r.id)).toEqual(["b", "a"]);
  });

  it("ranks nothing when there are no candidates", () => {
    expect(rankParents([], new Map())).toEqual([]);
  });
});
