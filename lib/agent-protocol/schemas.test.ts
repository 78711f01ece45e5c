import { describe, expect, it } from "vitest";
import { calibrationReport, heartbeatRequest, taskCompletion, taskEventsRequest } from "./schemas";
import { AGENT_STEPS } from "@/lib/flow/steps";

describe("agent protocol schemas", () => {
  it("accept a well-formed metric batch", () => {
    const events = {
      events: [
        { type: "metric", metric: { epoch: 1, loss: 0.1, valLoss: 0.2, metrics: { mean: 0.3 }, seconds: 1, samplesPerSecond: 5000 } },
      ],
    };
    expect(taskEventsRequest.parse(events).events).toHaveLength(1);
  });

  it("refuse non-finite numbers, unknown event types, empty and oversized batches", () => {
    const metric = { epoch: 1, loss: Number.NaN, valLoss: null, metrics: {}, seconds: 1, samplesPerSecond: 1 };
    expect(taskEventsRequest.safeParse({ events: [{ type: "metric", metric }] }).success).toBe(false);
    expect(taskEventsRequest.safeParse({ events: [{ type: "shell", command: "rm -rf /" }] }).success).toBe(false);
    expect(taskEventsRequest.safeParse({ events: [] }).success).toBe(false);
    expect(taskEventsRequest.safeParse({ events: Array.from({ length: 201 }, () => ({ type: "log", line: "x" })) }).success).toBe(false);
  });

  it("refuse task ids that could be paths or SQL", () => {
    expect(heartbeatRequest.safeParse({ version: "1", dataPlaneUrl: null, activeTaskIds: ["../../etc"] }).success).toBe(false);
    expect(heartbeatRequest.safeParse({ version: "1", dataPlaneUrl: null, activeTaskIds: ["x' or 1=1"] }).success).toBe(false);
  });

  it("require a failure to say why", () => {
    expect(taskCompletion.safeParse({ status: "failed", error: "" }).success).toBe(false);
    expect(taskCompletion.parse({ status: "failed", error: "disk full" })).toMatchObject({ retryable: false });
  });

  it("require a train result's artifact to carry a real sha256", () => {
    const result = { artifact: { path: "/x.pt", bytes: 10, sha256: "0".repeat(63) }, trainSeconds: 1, queueSeconds: 0, epochs: 1 };
    expect(AGENT_STEPS.train.result.safeParse(result).success).toBe(false);
  });

  it("accept a calibration report and refuse impossible throughputs and unknown families", () => {
    const result = {
      family: "braggnn",
      startupSeconds: 2.1,
      jobStartSeconds: null,
      trainSamplesPerSecond: 1800,
      valSamplesPerSecond: 25_000,
      batchSize: 512,
      threads: 2,
      torch: "2.4.0",
    };
    const report = { agentVersion: "0.1.0", zooVersion: "0.1.0", results: [result] };
    expect(calibrationReport.parse(report).results).toHaveLength(1);
    expect(calibrationReport.safeParse({ ...report, results: [{ ...result, trainSamplesPerSecond: 0 }] }).success).toBe(false);
    expect(calibrationReport.safeParse({ ...report, results: [{ ...result, startupSeconds: -1 }] }).success).toBe(false);
    expect(calibrationReport.safeParse({ ...report, results: [{ ...result, family: "resnet" }] }).success).toBe(false);
    expect(calibrationReport.safeParse({ ...report, results: [] }).success).toBe(false);
  });
});
