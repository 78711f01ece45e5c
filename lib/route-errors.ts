// The one path by which route handlers (app/api/**) answer errors: an AppError becomes its status and
// {error, code} JSON; anything else goes through toAppError (logged, answered 500 without details).
import { toAppError } from "@/lib/errors";

export function jsonError(error: unknown): Response {
  const appError = toAppError(error, "api");
  return Response.json(
    { error: appError.message, code: appError.code, ...(appError.fieldErrors ? { fieldErrors: appError.fieldErrors } : {}) },
    {
      status: appError.status,
      headers: appError.retryAfterSeconds === undefined ? undefined : { "retry-after": String(appError.retryAfterSeconds) },
    },
  );
}

/** Wraps a route handler so whatever it throws is answered by jsonError. */
export function withRouteErrors<A extends unknown[]>(handler: (...args: A) => Promise<Response>) {
  return async (...args: A): Promise<Response> => {
    try {
      return await handler(...args);
    } catch (error) {
      return jsonError(error);
    }
  };
}
