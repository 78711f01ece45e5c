import { describe, expect, it } from "vitest";
import { ChecksumMismatchError, TransferAuthError, TransferError, TransferHttpError } from "./errors";
import { parseRange } from "./server";

describe("parseRange", () => {
  it("handles open, closed, suffix and bad ranges", () => {
    expect(parseRange(undefined, 100)).toBeNull();
    expect(parseRange("bytes=0-", 100)).toEqual({ start: 0, end: 99 });
    expect(parseRange("bytes=10-19", 100)).toEqual({ start: 10, end: 19 });
    expect(parseRange("bytes=90-500", 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange("bytes=-10", 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange("bytes=-500", 100)).toEqual({ start: 0, end: 99 });
    expect(parseRange("bytes=100-", 100)).toBe("unsatisfiable");
    expect(parseRange("bytes=-0", 100)).toBe("unsatisfiable");
    expect(parseRange("bytes=0-", 0)).toBe("unsatisfiable");
    expect(parseRange("bytes=20-10", 100)).toBeNull();
    expect(parseRange("items=0-1", 100)).toBeNull();
    expect(parseRange("bytes=0-1,4-5", 100)).toBeNull();
  });
});

describe("TransferError family", () => {
  it("is typed, with retryable flags and clear messages", () => {
    const m = new ChecksumMismatchError("a".repeat(64), "b".repeat(64), 10, 10);
    expect(m).toBeInstanceOf(TransferError);
    expect(m.retryable).toBe(false);
    expect(m.message).toMatch(/checksum mismatch: expected sha256 a{64} \(10 bytes\), got b{64}/);
    expect(new TransferHttpError(503, "x").retryable).toBe(true);
    expect(new TransferHttpError(400, "x").retryable).toBe(false);
    expect(new TransferAuthError(401, "").message).toContain("401");
  });
});
