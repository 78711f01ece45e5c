import { describe, expect, it } from "vitest";
import { parseCostModelParams, parsePredictionParams, parseTurnaroundParams, queryString, windowStart } from "./params";

describe("turnaround params", () => {
  it("defaults", () => {
    expect(parseTurnaroundParams({})).toEqual({ days: 90 });
  });
  it("keeps valid values", () => {
    expect(parseTurnaroundParams({ experiment: "exp_1", trainer: "t-2", baseline: "t3", days: "30" })).toEqual({
      experiment: "exp_1",
      trainer: "t-2",
      baseline: "t3",
      days: 30,
    });
  });
  it("falls back on bad values instead of throwing", () => {
    expect(parseTurnaroundParams({ experiment: "'; drop table", trainer: "x".repeat(100), days: "13", baseline: "a b" })).toEqual({
      days: 90,
    });
    expect(parseTurnaroundParams({ days: "abc" }).days).toBe(90);
    expect(parseTurnaroundParams({ days: "0" }).days).toBe(0);
  });
  it("takes the first of repeated keys and ignores empty strings", () => {
    expect(parseTurnaroundParams({ trainer: ["a", "b"], experiment: "" })).toEqual({ trainer: "a", days: 90 });
    expect(parseTurnaroundParams(new URLSearchParams("trainer=a&trainer=b&days=7"))).toEqual({ trainer: "a", days: 7 });
  });
});

describe("prediction params", () => {
  it("accepts only offered windows", () => {
    expect(parsePredictionParams({ last: "50" }).last).toBe(50);
    expect(parsePredictionParams({ last: "51" }).last).toBe(100);
    expect(parsePredictionParams({ last: "-1", trainer: "<x>" })).toEqual({ last: 100 });
  });
});

describe("cost model params", () => {
  it("validates family keys", () => {
    expect(parseCostModelParams({ family: "braggnn", trainer: "t1", edge: "e1" })).toEqual({
      family: "braggnn",
      trainer: "t1",
      edge: "e1",
    });
    expect(parseCostModelParams({ family: "Bragg NN" })).toEqual({});
  });
});

describe("helpers", () => {
  it("windowStart", () => {
    const now = new Date("2026-03-10T00:00:00Z");
    expect(windowStart(7, now)?.toISOString()).toBe("2026-03-03T00:00:00.000Z");
    expect(windowStart(0, now)).toBeNull();
  });
  it("queryString drops empties and defaults", () => {
    expect(queryString({ a: "1", b: undefined, c: "", days: 90 }, { days: 90 })).toBe("?a=1");
    expect(queryString({})).toBe("");
  });
});
