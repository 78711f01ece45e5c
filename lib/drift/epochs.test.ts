import { describe, expect, it } from "vitest";
import { epochsToThreshold, predictFineTuneEpochs } from "@/lib/drift/epochs";

describe("epochsToThreshold", () => {
  it("finds the first epoch under the threshold, in epoch order, skipping missing values", () => {
    const perEpoch = [
      { epoch: 3, error: 0.5 },
      { epoch: 1, error: 2.0 },
      { epoch: 2, error: null },
      { epoch: 4, error: 0.4 },
    ];
    expect(epochsToThreshold(perEpoch, 0.75)).toBe(3);
    expect(epochsToThreshold(perEpoch, 0.3)).toBeNull();
    expect(epochsToThreshold([], 1)).toBeNull();
  });

  it("needs the error strictly under the threshold", () => {
    expect(epochsToThreshold([{ epoch: 1, error: 0.75 }], 0.75)).toBeNull();
  });
});

describe("predictFineTuneEpochs", () => {
  it("learns from past fine-tunes that reached the threshold (median with a margin, rounded up)", () => {
    const p = predictFineTuneEpochs(
      [
        { fineTuned: true, reachedAt: 2 },
        { fineTuned: true, reachedAt: 5 },
        { fineTuned: true, reachedAt: null },
        { fineTuned: false, reachedAt: 30 },
      ],
      20,
    );
    expect(p).toMatchObject({ epochs: 6, source: "fine-tunes" }); // 1.5 × 3.5
    expect(p.basis).toContain("2 past fine-tunes");
  });

  it("falls back to half the from-scratch median, then to the family default", () => {
    expect(
      predictFineTuneEpochs(
        [
          { fineTuned: false, reachedAt: 9 },
          { fineTuned: false, reachedAt: 12 },
          { fineTuned: true, reachedAt: null },
        ],
        20,
      ),
    ).toMatchObject({ epochs: 6, source: "from-scratch" });
    expect(predictFineTuneEpochs([], 15)).toMatchObject({ epochs: 15, source: "prior" });
    expect(predictFineTuneEpochs([], 1).epochs).toBe(1);
  });
});
