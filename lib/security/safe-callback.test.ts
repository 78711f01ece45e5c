import { describe, expect, it } from "vitest";
import { safeCallbackPath, safeRedirectUrl } from "./safe-callback";

describe("safeCallbackPath", () => {
  it.each([
    ["/", "/"],
    ["/experiments", "/experiments"],
    ["/runs/abc?tab=logs#step-2", "/runs/abc?tab=logs#step-2"],
    ["/experiments/../runs", "/runs"],
    ["/runs/a%20b", "/runs/a%20b"],
    ["/search?q=%2Fdata", "/search?q=%2Fdata"],
  ])("keeps the local path %s", (raw, expected) => {
    expect(safeCallbackPath(raw)).toBe(expected);
  });

  it.each([
    ["protocol-relative", "//evil.example/x"],
    ["backslash after slash", "/\\evil.example/x"],
    ["backslash anywhere", "/runs\\..\\..\\evil"],
    ["absolute http URL", "http://evil.example/x"],
    ["javascript scheme", "javascript:alert(1)"],
    ["data scheme", "data:text/html,hi"],
    ["relative path", "evil.example/x"],
    ["tab inside", "/\t/evil.example"],
    ["newline inside", "/\n/evil.example"],
    ["NUL", "/runs\u0000"],
    ["DEL", "/runs\u007f"],
    ["encoded backslash", "/%5Cevil.example/x"],
    ["encoded second slash", "/%2Fevil.example/x"],
    ["double-encoded backslash", "/%255Cevil.example"],
    ["encoded tab", "/%09/evil.example"],
    ["malformed escape", "/runs%E0%A4%A"],
    ["empty", ""],
  ])("refuses %s", (_, raw) => {
    expect(safeCallbackPath(raw)).toBe("/");
  });

  it("refuses what is not a string", () => {
    expect(safeCallbackPath(undefined)).toBe("/");
    expect(safeCallbackPath(["/runs"])).toBe("/");
  });
});

describe("safeRedirectUrl", () => {
  const base = "http://127.0.0.1:3000";

  it("keeps same-origin paths and URLs", () => {
    expect(safeRedirectUrl("/runs/1", base)).toBe(`${base}/runs/1`);
    expect(safeRedirectUrl(`${base}/runs/1?x=2`, base)).toBe(`${base}/runs/1?x=2`);
  });

  it.each([
    "/\\evil.example/x",
    "//evil.example/x",
    "http://evil.example/",
    `${base}//evil.example/`,
    `${base}/\\evil.example`,
    "not a url",
  ])("sends %s home", (url) => {
    expect(safeRedirectUrl(url, base)).toMatch(new RegExp(`^${base}/?$`));
  });
});
