import { describe, expect, it } from "vitest";
import { ChecksumMismatchError, TransferAuthError, TransferError, TransferHttpError } from "./errors";
import { ExpiringCache, parseRange } from "./server";

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
    const mismatch = new ChecksumMismatchError("a".repeat(64), "b".repeat(64), 10, 10);
    expect(mismatch).toBeInstanceOf(TransferError);
    expect(mismatch.retryable).toBe(false);
    expect(mismatch.message).toMatch(/checksum mismatch: expected sha256 a{64} \(10 bytes\), got b{64}/);
    expect(new TransferHttpError(503, "x").retryable).toBe(true);
    expect(new TransferHttpError(400, "x").retryable).toBe(false);
    expect(new TransferAuthError(401, "").message).toContain("401");
  });
});

describe("ExpiringCache", () => {
  it("answers until an entry expires, and stays within its size by dropping expired, then oldest entries", () => {
    const cache = new ExpiringCache<string | null>(2);
    cache.set("refused", null, 1000, 0);
    expect(cache.get("refused", 999)).toBeNull();
    expect(cache.get("refused", 1000)).toBeUndefined();
    cache.set("a", "A", 100, 0);
    cache.set("b", "B", 10_000, 0);
    cache.set("c", "C", 10_000, 200); // "a" has expired: it goes
    expect([cache.get("a", 200), cache.get("b", 200), cache.get("c", 200)]).toEqual([undefined, "B", "C"]);
    cache.set("d", "D", 10_000, 300); // none expired: the oldest ("b") goes
    expect([cache.get("b", 300), cache.get("c", 300), cache.get("d", 300)]).toEqual([undefined, "C", "D"]);
    expect(cache.size).toBe(2);
    cache.set("e", "E", 0, 300); // a zero lifetime is not stored
    expect(cache.get("e", 300)).toBeUndefined();
  });
});
