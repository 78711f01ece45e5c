import { describe, expect, it } from "vitest";
import { launchRunInput } from "./launch-input";

const form = {
  experimentId: "e",
  datasetId: "d",
  trainerId: "t",
  epochs: "10",
  batchSize: "512",
  learningRate: "0.0003",
  seed: "0",
  maxSamples: "",
  reason: "",
  idempotencyKey: "0123456789abcdef",
};

describe("launchRunInput", () => {
  it("coerces form strings and treats blanks as absent", () => {
    const parsed = launchRunInput.parse(form);
    expect(parsed).toMatchObject({ epochs: 10, batchSize: 512, learningRate: 0.0003, maxSamples: null, parentVersionId: null });
  });

  it("refuses impossible hyper-parameters with the field named", () => {
    const result = launchRunInput.safeParse({ ...form, epochs: "0", learningRate: "5", batchSize: "NaN" });
    expect(result.success).toBe(false);
    const fields = result.success ? [] : result.error.issues.map((i) => i.path[0]);
    expect(fields).toEqual(expect.arrayContaining(["epochs", "learningRate", "batchSize"]));
  });

  it("requires an idempotency key, so a launch cannot be made twice by accident", () => {
    expect(launchRunInput.safeParse({ ...form, idempotencyKey: "" }).success).toBe(false);
  });
});
