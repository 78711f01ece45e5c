import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, newNonce, servedOverHttps } from "./headers";

describe("contentSecurityPolicy", () => {
  it("allows scripts only with the nonce, never inline without it", () => {
    const csp = contentSecurityPolicy("abc123", false);
    expect(csp).toContain("script-src 'self' 'nonce-abc123' 'strict-dynamic';");
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it("allows eval in development only", () => {
    expect(contentSecurityPolicy("n", true)).toContain("'strict-dynamic' 'unsafe-eval'");
  });
});

describe("newNonce", () => {
  it("is fresh each time and fits a CSP source", () => {
    const a = newNonce();
    expect(a).toMatch(/^[A-Za-z0-9+/]{24}$/);
    expect(newNonce()).not.toBe(a);
  });
});

describe("servedOverHttps", () => {
  it.each([
    ["https", undefined, true],
    ["https, http", undefined, true],
    ["HTTPS", "http://127.0.0.1:3000", true],
    [null, "https://retrain.example.org", true],
    ["http", "http://127.0.0.1:3000", false],
    [null, undefined, false],
  ])("proto %s, site %s → %s", (proto, site, expected) => {
    expect(servedOverHttps(proto, site)).toBe(expected);
  });
});
