// Which local account an OpenID Connect identity signs in as. The subject (`sub`) is the identity; an
// e-mail only links an identity to an account when the provider vouches for it (`email_verified`), and
// only to an account no other identity holds, so a provider account claiming someone's address cannot
// take over theirs.
export interface OidcClaims {
  sub: string;
  email?: string;
  email_verified?: unknown;
}

export interface LocalAccount {
  id: string;
  oidcSubject: string | null;
}

export type OidcDecision =
  | { action: "sign-in"; userId: string }
  | { action: "link"; userId: string }
  | { action: "create"; email: string }
  | { action: "deny"; reason: string };

export function decideOidcSignIn(claims: OidcClaims, bySubject: LocalAccount | null, byEmail: LocalAccount | null): OidcDecision {
  if (bySubject) return { action: "sign-in", userId: bySubject.id };
  const email = claims.email?.toLowerCase();
  if (!email) return { action: "deny", reason: "the provider sent no e-mail address" };
  if (claims.email_verified !== true) return { action: "deny", reason: "the provider has not verified the e-mail address" };
  if (!byEmail) return { action: "create", email };
  if (byEmail.oidcSubject !== null) return { action: "deny", reason: "the account is linked to another identity" };
  return { action: "link", userId: byEmail.id };
}
