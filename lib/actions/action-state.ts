import { z } from "zod";
import { isAppError } from "@/lib/errors";

/** What every form's server action returns: a message, per-field errors, and the values to re-fill. */
export interface ActionState {
  ok: boolean;
  message?: string;
  fieldErrors?: Record<string, string[]>;
  values?: Record<string, string>;
  redirectTo?: string;
}

export const initialActionState: ActionState = { ok: false };

export function formValues(form: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of form.entries()) if (typeof value === "string" && !key.startsWith("$")) values[key] = value;
  return values;
}

export function fieldErrorsOf(error: z.ZodError): Record<string, string[]> {
  const fieldErrors: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.join(".") || "form";
    (fieldErrors[key] ??= []).push(issue.message);
  }
  return fieldErrors;
}

/** Turns a thrown AppError or ZodError into form state; anything else is a bug and is re-thrown. */
export function failure(error: unknown, values?: Record<string, string>): ActionState {
  if (error instanceof z.ZodError) {
    return { ok: false, message: "Some fields need attention.", fieldErrors: fieldErrorsOf(error), values };
  }
  if (isAppError(error)) return { ok: false, message: error.message, fieldErrors: error.fieldErrors, values };
  throw error;
}
