import { describe, expect, it } from "vitest";
import { decideOidcSignIn } from "./oidc-link";

const staff = { id: "u-staff", oidcSubject: null };

describe("decideOidcSignIn", () => {
  it("signs a known subject in as its account, whatever e-mail it now claims", () => {
    const linked = { id: "u-1", oidcSubject: "sub-1" };
    expect(decideOidcSignIn({ sub: "sub-1", email: "other@x.test", email_verified: false }, linked, staff)).toEqual({
      action: "sign-in",
      userId: "u-1",
    });
  });

  it("links a verified e-mail to an account without a subject", () => {
    expect(decideOidcSignIn({ sub: "sub-2", email: "Staff@Demo.test", email_verified: true }, null, staff)).toEqual({
      action: "link",
      userId: "u-staff",
    });
  });

  it("creates an account for a verified e-mail nobody has", () => {
    expect(decideOidcSignIn({ sub: "sub-3", email: "New@Lab.test", email_verified: true }, null, null)).toEqual({
      action: "create",
      email: "new@lab.test",
    });
  });

  it.each([
    ["unverified", { sub: "s", email: "staff@demo.test", email_verified: false }],
    ["verification missing", { sub: "s", email: "staff@demo.test" }],
    ["verified as a string", { sub: "s", email: "staff@demo.test", email_verified: "true" }],
    ["no e-mail", { sub: "s", email_verified: true }],
  ])("refuses an e-mail that is %s", (_, claims) => {
    expect(decideOidcSignIn(claims, null, staff)).toMatchObject({ action: "deny" });
  });

  it("never replaces the subject an account already holds", () => {
    const taken = { id: "u-staff", oidcSubject: "sub-original" };
    expect(decideOidcSignIn({ sub: "sub-new", email: "staff@demo.test", email_verified: true }, null, taken)).toEqual({
      action: "deny",
      reason: "the account is linked to another identity",
    });
  });
});
