import { describe, expect, it } from "vitest";
import { can, type Role } from "./permissions";

const actor = (role: Role) => ({ id: "u", role });

describe("can", () => {
  it("lets staff and admins do everything, member or not", () => {
    for (const role of ["admin", "staff"] as const) {
      for (const p of ["run:launch", "infrastructure:manage", "audit:view", "experiment:view", "runs:view-all"] as const) {
        expect(can(actor(role), p, false)).toBe(true);
      }
    }
  });

  it("lets a scientist act only inside experiments they belong to", () => {
    expect(can(actor("scientist"), "run:launch", true)).toBe(true);
    expect(can(actor("scientist"), "dataset:register", true)).toBe(true);
    expect(can(actor("scientist"), "run:launch", false)).toBe(false);
    expect(can(actor("scientist"), "experiment:view", false)).toBe(false);
    expect(can(actor("scientist"), "infrastructure:manage", true)).toBe(false);
  });

  it("lets a viewer read member experiments and change nothing", () => {
    expect(can(actor("viewer"), "experiment:view", true)).toBe(true);
    for (const p of ["run:launch", "run:cancel", "run:retry", "dataset:register", "model:restore", "infrastructure:manage"] as const) {
      expect(can(actor("viewer"), p, true)).toBe(false);
    }
  });
});
