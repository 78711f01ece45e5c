import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY, driftPolicyInput, mayEditDriftPolicy, resolvePolicy } from "@/lib/drift/policy";

describe("drift policy", () => {
  it("uses the experiment's own values, else the family's default, and none for an unknown family", () => {
    expect(resolvePolicy("braggnn", { threshold: 0.5, fraction: 0.1 })).toEqual({ threshold: 0.5, fraction: 0.1 });
    expect(resolvePolicy("braggnn", null)).toEqual(DEFAULT_POLICY.braggnn);
    expect(resolvePolicy("cookienetae", undefined)).toEqual(DEFAULT_POLICY.cookienetae);
    expect(resolvePolicy("resnet", null)).toBeNull();
  });

  it("lets staff and the experiment's PI edit it, not other scientists or viewers", () => {
    const experiment = { piId: "pi" };
    expect(mayEditDriftPolicy({ id: "x", role: "staff" }, experiment)).toBe(true);
    expect(mayEditDriftPolicy({ id: "x", role: "admin" }, experiment)).toBe(true);
    expect(mayEditDriftPolicy({ id: "pi", role: "scientist" }, experiment)).toBe(true);
    expect(mayEditDriftPolicy({ id: "sci", role: "scientist" }, experiment)).toBe(false);
    expect(mayEditDriftPolicy({ id: "v", role: "viewer" }, experiment)).toBe(false);
  });

  it("parses the form, with a specific message for each bad field", () => {
    expect(driftPolicyInput.parse({ experimentId: "e", familyKey: "braggnn", threshold: "0.6", fractionPercent: "5" })).toEqual({
      experimentId: "e",
      familyKey: "braggnn",
      threshold: 0.6,
      fractionPercent: 5,
    });
    const bad = driftPolicyInput.safeParse({ experimentId: "e", familyKey: "resnet", threshold: "0", fractionPercent: "150" });
    expect(bad.success).toBe(false);
    const messages = Object.fromEntries(bad.error!.issues.map((i) => [i.path[0], i.message]));
    expect(messages).toEqual({
      familyKey: "Choose a model family.",
      threshold: "The threshold must be above 0.",
      fractionPercent: "At most 100 % of a dataset can be checked.",
    });
  });
});
