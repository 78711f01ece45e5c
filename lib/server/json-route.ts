import "server-only";
import { getCurrentUser, type CurrentUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { withRouteErrors } from "@/lib/route-errors";

/**
 * A GET handler that answers the signed-in user with JSON (the data functions behind the pages, for
 * TanStack Query's refetches); errors go the one way every route answers them (lib/route-errors).
 */
export function jsonForUser<Context = unknown>(load: (user: CurrentUser, request: Request, context: Context) => Promise<unknown>) {
  return withRouteErrors(async (request: Request, context: Context) => {
    const user = await getCurrentUser();
    if (!user) throw new AppError("UNAUTHENTICATED", "Sign in first.");
    return Response.json(await load(user, request, context), { headers: { "cache-control": "no-store" } });
  });
}
