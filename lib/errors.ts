import { z } from "zod";

// The one application error class: every refusal the product makes carries a code that maps to an
// HTTP status and a message written for the person who will read it.
export type AppErrorCode =
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "INVALID_INPUT"
  | "CONFLICT"
  | "PAYLOAD_TOO_LARGE"
  | "RATE_LIMITED"
  | "UNAVAILABLE"
  | "INTERNAL";

const STATUS: Record<AppErrorCode, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  INVALID_INPUT: 400,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

export class AppError extends Error {
  readonly code: AppErrorCode;
  readonly fieldErrors?: Record<string, string[]>;
  /** For RATE_LIMITED: when the caller may try again (sent as Retry-After). */
  readonly retryAfterSeconds?: number;

  constructor(code: AppErrorCode, message: string, fieldErrors?: Record<string, string[]>, retryAfterSeconds?: number) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.fieldErrors = fieldErrors;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  get status(): number {
    return STATUS[this.code];
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

export function fieldErrorsOf(error: z.ZodError): Record<string, string[]> {
  const fieldErrors: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.join(".") || "form";
    (fieldErrors[key] ??= []).push(issue.message);
  }
  return fieldErrors;
}

/**
 * Any thrown value as an AppError, the one path every server action and route answers errors through: zod's
 * issues become INVALID_INPUT naming the first bad field (all of them in fieldErrors); anything else is a
 * bug, logged here with `where` and answered with a generic INTERNAL message that leaks nothing.
 */
export function toAppError(error: unknown, where: string): AppError {
  if (isAppError(error)) return error;
  if (error instanceof z.ZodError) {
    const issue = error.issues[0];
    return new AppError("INVALID_INPUT", `Invalid request: ${issue?.path.join(".") || "body"}: ${issue?.message}`, fieldErrorsOf(error));
  }
  console.error(`[${where}]`, error);
  return new AppError("INTERNAL", "Internal error; the dashboard logged it.");
}
