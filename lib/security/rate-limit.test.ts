import { describe, expect, it } from "vitest";
import { createRateLimiter } from "./rate-limit";

describe("createRateLimiter", () => {
  it("allows up to the limit in a window, then says how long to wait", () => {
    const limiter = createRateLimiter(3, 60_000);
    expect([1, 2, 3].map(() => limiter.hit("a", 1_000))).toEqual([0, 0, 0]);
    expect(limiter.hit("a", 31_000)).toBe(30);
    expect(limiter.hit("b", 31_000)).toBe(0);
  });

  it("starts a new window after the old one ends", () => {
    const limiter = createRateLimiter(1, 1_000);
    limiter.hit("a", 0);
    expect(limiter.hit("a", 500)).toBe(1);
    expect(limiter.hit("a", 1_000)).toBe(0);
  });
});
