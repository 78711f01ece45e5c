import { cache } from "react";
import { getServerSession } from "next-auth";
import { prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { authOptions } from "@/lib/auth/options";
import { can, type Actor, type Permission } from "@/lib/auth/permissions";

export interface CurrentUser extends Actor {
  name: string;
  email: string;
}

/** What a request's session says: whose it is, under which session version, and until when. */
export interface SessionClaims {
  userId: string;
  sessionVersion: number;
  expiresAtMs: number;
}

export const getSessionClaims = cache(async (): Promise<SessionClaims | null> => {
  const session = await getServerSession(authOptions);
  const userId = session?.user?.id;
  if (!userId || typeof session.sessionVersion !== "number") return null;
  return { userId, sessionVersion: session.sessionVersion, expiresAtMs: Date.parse(session.expires) };
});

/**
 * The session's user as the database knows them now, or null once the session is over: expired, the
 * account gone, or signed out (the account's session version moved on). Long-lived streams call this
 * again and again; a role change applies at the next call.
 */
export async function loadSessionUser(claims: SessionClaims): Promise<CurrentUser | null> {
  if (Date.now() >= claims.expiresAtMs) return null;
  const user = await prisma.user.findUnique({
    where: { id: claims.userId },
    select: { id: true, role: true, name: true, email: true, sessionVersion: true },
  });
  if (!user || user.sessionVersion !== claims.sessionVersion) return null;
  return { id: user.id, role: user.role, name: user.name, email: user.email };
}

/** The signed-in user as the database knows them now (a role change applies at the next request). */
export const getCurrentUser = cache(async (): Promise<CurrentUser | null> => {
  const claims = await getSessionClaims();
  return claims ? loadSessionUser(claims) : null;
});

export async function requireUser(): Promise<CurrentUser> {
  const user = await getCurrentUser();
  if (!user) throw new AppError("UNAUTHENTICATED", "Sign in first.");
  return user;
}

export async function isExperimentMember(userId: string, experimentId: string): Promise<boolean> {
  const found = await prisma.experiment.findFirst({
    where: { id: experimentId, OR: [{ piId: userId }, { members: { some: { userId } } }] },
    select: { id: true },
  });
  return found !== null;
}

/**
 * Throws unless the user holds `permission` (for `experimentId`, when given). A scientist who is not a
 * member gets NOT_FOUND rather than FORBIDDEN, so experiment names do not leak.
 */
export async function requirePermission(user: CurrentUser, permission: Permission, experimentId?: string) {
  const member = experimentId ? await isExperimentMember(user.id, experimentId) : false;
  if (can(user, permission, member)) return;
  if (experimentId && !member && !can(user, "experiment:view", member)) {
    throw new AppError("NOT_FOUND", "No such experiment.");
  }
  throw new AppError("FORBIDDEN", `Your role (${user.role}) does not allow this.`);
}
