import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import type { OAuthConfig } from "next-auth/providers/oauth";
import type { TokenSet } from "openid-client";
import { z } from "zod";
import { prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { verifyPasswordOrDummy } from "@/lib/auth/password";
import { decideOidcSignIn, type OidcClaims } from "@/lib/auth/oidc-link";
import { safeRedirectUrl } from "@/lib/security/safe-callback";
import { recordSuccessfulSignIn, clientAddress, hitSignInLimits } from "@/lib/security/sign-in-limits";
import { recordAudit } from "@/lib/audit/record-audit";

const credentialsSchema = z.object({
  email: z.email().max(200),
  password: z.string().min(1).max(200),
});

interface OidcProfile extends OidcClaims {
  name?: string;
  preferred_username?: string;
}

/** Generic OpenID Connect provider (Globus Auth speaks OIDC), enabled when OIDC_ISSUER is set. */
function oidcProvider(): OAuthConfig<OidcProfile> | null {
  const issuer = process.env.OIDC_ISSUER;
  if (!issuer) return null;
  return {
    id: "oidc",
    name: process.env.OIDC_NAME ?? "Globus",
    type: "oauth",
    wellKnown: `${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`,
    clientId: process.env.OIDC_CLIENT_ID,
    clientSecret: process.env.OIDC_CLIENT_SECRET,
    authorization: { params: { scope: process.env.OIDC_SCOPE ?? "openid email profile" } },
    idToken: true,
    checks: ["pkce", "state"],
    // The ID token is checked either way; a provider may keep e-mail and name out of it and serve them
    // from the userinfo endpoint instead (OIDC Core §5.4), whose `sub` openid-client matches to the token's.
    userinfo: {
      async request({ tokens, client }) {
        // With `idToken: true`, next-auth hands over the TokenSet openid-client checked (its type says less).
        const checked = tokens as TokenSet;
        const claims = checked.claims();
        if (claims.email) return claims as OidcProfile;
        return { ...claims, ...(await client.userinfo(checked)) } as OidcProfile;
      },
    },
    profile(profile) {
      return { id: profile.sub, email: profile.email, name: profile.name ?? profile.preferred_username ?? profile.email };
    },
  };
}

export const oidcEnabled = () => Boolean(process.env.OIDC_ISSUER);

export const authOptions: NextAuthOptions = {
  session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
  pages: { signIn: "/login" },
  providers: [
    CredentialsProvider({
      name: "Local account",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(raw, request) {
        const parsed = credentialsSchema.safeParse(raw);
        if (!parsed.success) return null;
        const email = parsed.data.email.toLowerCase();
        const address = clientAddress(request?.headers);
        const wait = await hitSignInLimits(email, address);
        if (wait > 0) throw new AppError("RATE_LIMITED", "Too many sign-in attempts: wait a few minutes.", undefined, wait);
        const user = await prisma.user.findUnique({ where: { email } });
        if (!(await verifyPasswordOrDummy(parsed.data.password, user?.passwordHash)) || !user) return null;
        await recordSuccessfulSignIn(email, address);
        await recordAudit({ actorUserId: user.id, action: "user.sign-in", targetType: "user", targetId: user.id });
        return { id: user.id, email: user.email, name: user.name };
      },
    }),
    ...[oidcProvider()].filter((p) => p !== null),
  ],
  callbacks: {
    // OIDC identities sign in by subject; a verified e-mail links one to an account without a subject;
    // unknown people get the viewer role (OIDC_DEFAULT_ROLE) and staff grant more (see oidc-link.ts).
    async signIn({ user, account, profile }) {
      if (account?.provider !== "oidc") return true;
      const claims = { ...(profile as OidcProfile), sub: account.providerAccountId };
      const email = claims.email?.toLowerCase();
      const [bySubject, byEmail] = await Promise.all([
        prisma.user.findUnique({ where: { oidcSubject: claims.sub }, select: { id: true, oidcSubject: true } }),
        email ? prisma.user.findUnique({ where: { email }, select: { id: true, oidcSubject: true } }) : null,
      ]);
      const decision = decideOidcSignIn(claims, bySubject, byEmail);
      switch (decision.action) {
        case "deny":
          console.warn(`OIDC sign-in of subject ${claims.sub} refused: ${decision.reason}`);
          return false;
        case "sign-in":
          user.id = decision.userId;
          return true;
        case "link": {
          // Only while the account still has no subject: a concurrent link cannot be overwritten.
          const linked = await prisma.user.updateMany({
            where: { id: decision.userId, oidcSubject: null },
            data: { oidcSubject: claims.sub },
          });
          if (linked.count !== 1) return false;
          await recordAudit({ actorUserId: decision.userId, action: "user.oidc-link", targetType: "user", targetId: decision.userId });
          user.id = decision.userId;
          return true;
        }
        case "create": {
          const created = await prisma.user.create({
            data: {
              email: decision.email,
              name: user.name ?? decision.email,
              oidcSubject: claims.sub,
              role: process.env.OIDC_DEFAULT_ROLE === "scientist" ? "scientist" : "viewer",
            },
          });
          await recordAudit({ actorUserId: created.id, action: "user.oidc-create", targetType: "user", targetId: created.id });
          user.id = created.id;
          return true;
        }
      }
    },
    redirect({ url, baseUrl }) {
      return safeRedirectUrl(url, baseUrl);
    },
    // The session carries the account's session version: signing out bumps it, which ends every session
    // issued before (a JWT cannot be revoked by itself; see loadSessionUser).
    async jwt({ token, user }) {
      if (user) {
        const account = await prisma.user.findUniqueOrThrow({ where: { id: user.id }, select: { sessionVersion: true } });
        token.uid = user.id;
        token.sv = account.sessionVersion;
      }
      return token;
    },
    async session({ session, token }) {
      if (session.user && typeof token.uid === "string") session.user.id = token.uid;
      if (typeof token.sv === "number") session.sessionVersion = token.sv;
      return session;
    },
  },
  events: {
    async signOut({ token }) {
      if (typeof token?.uid !== "string" || typeof token.sv !== "number") return;
      await prisma.user.updateMany({ where: { id: token.uid, sessionVersion: token.sv }, data: { sessionVersion: { increment: 1 } } });
    },
  },
};
