import { describe, expect, it } from "vitest";
import { clientAddress, secondsToWait, signInCounters, signInLimitsFromEnv } from "./sign-in-limits";

const limits = { windowMs: 300_000, perAccountAndAddress: 10, perAddress: 30, perAccount: 100 };

describe("signInCounters", () => {
  it("counts an attempt per account and address and per address first, then on the account's ceiling", () => {
    const [own, shared] = signInCounters("pi@demo.test", "10.0.0.7", limits);
    expect(own).toEqual([
      { key: "signin:account+address:pi@demo.test|10.0.0.7", limit: 10 },
      { key: "signin:address:10.0.0.7", limit: 30 },
    ]);
    expect(shared).toEqual([{ key: "signin:account:pi@demo.test", limit: 100 }]);
  });

  it("derives the looser limits from SIGNIN_RATE_LIMIT unless set", () => {
    expect(signInLimitsFromEnv({ NODE_ENV: "test", SIGNIN_RATE_LIMIT: "5" })).toMatchObject({
      perAccountAndAddress: 5,
      perAddress: 25,
      perAccount: 50,
    });
    expect(signInLimitsFromEnv({ NODE_ENV: "test", SIGNIN_RATE_LIMIT_PER_ACCOUNT: "7" })).toMatchObject({
      perAccountAndAddress: 10,
      perAccount: 7,
    });
  });
});

describe("secondsToWait", () => {
  const counters = [
    { key: "a", limit: 2 },
    { key: "b", limit: 5 },
  ];

  it("is 0 while every counter is within its limit", () => {
    expect(
      secondsToWait(
        [
          { key: "a", count: 2, msLeft: 1000 },
          { key: "b", count: 5, msLeft: 9000 },
        ],
        counters,
      ),
    ).toBe(0);
  });

  it("waits for the latest window among the counters over their limit", () => {
    const states = [
      { key: "a", count: 3, msLeft: 1500 },
      { key: "b", count: 6, msLeft: 90_100 },
    ];
    expect(secondsToWait(states, counters)).toBe(91);
    expect(
      secondsToWait(
        [
          { key: "a", count: 3, msLeft: 1500 },
          { key: "b", count: 1, msLeft: 90_100 },
        ],
        counters,
      ),
    ).toBe(2);
  });
});

describe("clientAddress", () => {
  it("takes the entry the nearest proxy appended", () => {
    expect(clientAddress({ "x-forwarded-for": "203.0.113.9, 10.0.0.7" })).toBe("10.0.0.7");
    expect(clientAddress({ "x-forwarded-for": "127.0.0.1" })).toBe("127.0.0.1");
    expect(clientAddress({ "x-forwarded-for": ["1.1.1.1", "2.2.2.2"] })).toBe("2.2.2.2");
  });

  it("says unknown when there is none", () => {
    expect(clientAddress({})).toBe("unknown");
    expect(clientAddress(undefined)).toBe("unknown");
    expect(clientAddress({ "x-forwarded-for": " , " })).toBe("unknown");
  });
});
