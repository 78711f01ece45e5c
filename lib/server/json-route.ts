import { getCurrentUser, type CurrentUser } from "@/lib/auth/session";
import { isAppError } from "@/lib/errors";

/**
 * A GET handler that answers the signed-in user with JSON (the data functions behind the pages, for
 * TanStack Query's refetches); an AppError becomes its status and message, anything else a 500.
 */
export function jsonForUser<Context = unknown>(load: (user: CurrentUser, request: Request, context: Context) => Promise<unknown>) {
  return async (request: Request, context: Context) => {
    const user = await getCurrentUser();
    if (!user) return Response.json({ error: "Sign in first." }, { status: 401 });
    try {
      return Response.json(await load(user, request, context), { headers: { "cache-control": "no-store" } });
    } catch (error) {
      if (isAppError(error)) return Response.json({ error: error.message }, { status: error.status });
      throw error;
    }
  };
}
