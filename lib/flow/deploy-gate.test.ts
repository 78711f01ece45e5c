import { describe, expect, it } from "vitest";
import { decideDeploy, isWorse, RELATIVE_TOLERANCE, type GateInput } from "./deploy-gate";

const inService = { deploymentId: "d1", version: 1 };
const bragg = (newMean: number, oldMean: number): GateInput => ({
  family: "braggnn",
  newMetrics: { mean: newMean, p95: 9 },
  inService,
  evaluated: { deploymentId: "d1", metrics: { mean: oldMean, p95: 1 } },
});

describe("decideDeploy", () => {
  it("holds back the issue's case: a 4.8 px model against 0.147 px in service, saying both figures", () => {
    const decision = decideDeploy(bragg(4.8, 0.147));
    expect(decision).toEqual({
      deploy: false,
      metric: "mean",
      newValue: 4.8,
      inServiceValue: 0.147,
      reason: "held back: new 4.800 px vs in service v1 0.147 px",
    });
  });

  it("deploys a better model, and one that equals the model in service", () => {
    expect(decideDeploy(bragg(0.12, 0.147))).toMatchObject({ deploy: true, reason: "deployed: new 0.120 px vs in service v1 0.147 px" });
    expect(decideDeploy(bragg(0.147, 0.147)).deploy).toBe(true);
  });

  it("compares on the primary metric only (mean error), not on the others", () => {
    // p95 is far worse in bragg(): only the mean counts.
    expect(decideDeploy(bragg(0.1, 0.2)).deploy).toBe(true);
  });

  it("tolerates differences within 1 % of the in-service figure and no more", () => {
    expect(RELATIVE_TOLERANCE).toBe(0.01);
    expect(decideDeploy(bragg(0.2 * 1.009, 0.2)).deploy).toBe(true);
    expect(decideDeploy(bragg(0.2 * 1.011, 0.2)).deploy).toBe(false);
    expect(isWorse(1e-12, 0)).toBe(false);
    expect(isWorse(1e-6, 0)).toBe(true);
  });

  it("uses CookieNetAE's validation MSE", () => {
    const decision = decideDeploy({
      family: "cookienetae",
      newMetrics: { val_mse: 0.5, val_mae: 0.1 },
      inService,
      evaluated: { deploymentId: "d1", metrics: { val_mse: 0.25, val_mae: 0.3 } },
    });
    expect(decision).toMatchObject({ deploy: false, metric: "val_mse", newValue: 0.5, inServiceValue: 0.25 });
    expect(decision.reason).toBe("held back: new MSE 0.500 vs in service v1 MSE 0.250");
  });

  it("deploys when nothing is in service", () => {
    expect(decideDeploy({ family: "braggnn", newMetrics: { mean: 4.8 }, inService: null, evaluated: null })).toMatchObject({
      deploy: true,
      inServiceValue: null,
      reason: "deployed: no model was in service (new 4.800 px)",
    });
  });

  it("holds back when what is in service changed while the edge evaluated (not compared)", () => {
    const changed = { ...bragg(0.1, 0.2), inService: { deploymentId: "d2", version: 2 } };
    expect(decideDeploy(changed)).toMatchObject({ deploy: false, inServiceValue: null });
    expect(decideDeploy(changed).reason).toMatch(/^held back: v2 went into service while this version was evaluated/);
    const appeared = { ...bragg(0.1, 0.2), evaluated: null };
    expect(decideDeploy(appeared).deploy).toBe(false);
  });

  it("replaces a model in service whose file the edge could not verify, and says so", () => {
    const decision = decideDeploy({
      family: "braggnn",
      newMetrics: { mean: 0.3 },
      inService,
      evaluated: { deploymentId: "d1", failure: "sha256 abc… does not match" },
    });
    expect(decision).toMatchObject({ deploy: true, inServiceValue: null });
    expect(decision.reason).toBe("deployed: in service v1 could not be evaluated on the edge (sha256 abc… does not match)");
  });

  it("holds back when a figure is missing rather than guess", () => {
    const decision = decideDeploy({ ...bragg(0.1, 0.2), newMetrics: { p95: 0.1 } });
    expect(decision).toMatchObject({ deploy: false, newValue: null, inServiceValue: 0.2 });
    expect(decision.reason).toMatch(/no mean figure/);
    expect(decideDeploy(bragg(Number.NaN, 0.2)).deploy).toBe(false);
  });
});
