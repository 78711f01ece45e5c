import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import type { OAuthConfig } from "next-auth/providers/oauth";
import { z } from "zod";
import { prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { verifyPassword } from "@/lib/auth/password";
import { createRateLimiter } from "@/lib/security/rate-limit";
import { recordAudit } from "@/lib/audit/record-audit";

const credentialsSchema = z.object({
  email: z.email().max(200),
  password: z.string().min(1).max(200),
});

// 10 tries per account per 5 minutes slows guessing without locking out a tired scientist for long.
const signInLimiter = createRateLimiter(Number(process.env.SIGNIN_RATE_LIMIT ?? 10), 5 * 60_000);

interface OidcProfile {
  sub: string;
  email?: string;
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
      async authorize(raw) {
        const parsed = credentialsSchema.safeParse(raw);
        if (!parsed.success) return null;
        const email = parsed.data.email.toLowerCase();
        const wait = signInLimiter.hit(email);
        if (wait > 0) throw new AppError("RATE_LIMITED", "Too many sign-in attempts: wait a few minutes.", undefined, wait);
        const user = await prisma.user.findUnique({ where: { email } });
        if (!user?.passwordHash || !(await verifyPassword(parsed.data.password, user.passwordHash))) return null;
        await recordAudit({ actorUserId: user.id, action: "user.sign-in", targetType: "user", targetId: user.id });
        return { id: user.id, email: user.email, name: user.name };
      },
    }),
    ...[oidcProvider()].filter((p) => p !== null),
  ],
  callbacks: {
    // OIDC users are matched to accounts by subject, then e-mail; unknown people get the viewer role
    // (OIDC_DEFAULT_ROLE) and staff grant more.
    async signIn({ user, account }) {
      if (account?.provider !== "oidc") return true;
      const email = user.email?.toLowerCase();
      if (!email) return false;
      const existing =
        (await prisma.user.findUnique({ where: { oidcSubject: account.providerAccountId } })) ??
        (await prisma.user.findUnique({ where: { email } }));
      const dbUser = existing
        ? await prisma.user.update({ where: { id: existing.id }, data: { oidcSubject: account.providerAccountId } })
        : await prisma.user.create({
            data: {
              email,
              name: user.name ?? email,
              oidcSubject: account.providerAccountId,
              role: process.env.OIDC_DEFAULT_ROLE === "scientist" ? "scientist" : "viewer",
            },
          });
      user.id = dbUser.id;
      return true;
    },
    async jwt({ token, user }) {
      if (user) token.uid = user.id;
      return token;
    },
    async session({ session, token }) {
      if (session.user && typeof token.uid === "string") session.user.id = token.uid;
      return session;
    },
  },
};
