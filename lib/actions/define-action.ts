// The one wrapper every server action in lib/actions goes through: the signed-in user, the input parsed by
// zod, a permission check the action makes itself (role and experiment membership), and every error turned
// into ActionState through AppError, so a refusal or a bug never reaches the browser as a 500.
import { unstable_rethrow } from "next/navigation";
import { z } from "zod";
import { requirePermission, requireUser, type CurrentUser } from "@/lib/auth/session";
import type { Permission } from "@/lib/auth/permissions";
import { toAppError } from "@/lib/errors";
import type { ActionState } from "@/lib/actions/action-state";

export interface ActionContext<Input> {
  user: CurrentUser;
  input: Input;
  /** Throws unless the user holds `permission` (in `experimentId`, when given); see requirePermission. */
  authorize: (permission: Permission, experimentId?: string) => Promise<void>;
}

type Handler<Input> = (context: ActionContext<Input>) => Promise<ActionState>;

export const recordId = z.string().min(1, "Missing id.").max(100, "Not an id.");

/** A form's action, for useActionState: on failure the form gets its values back to re-fill. */
export function formAction<S extends z.ZodType>(schema: S, handler: Handler<z.output<S>>) {
  return async (_previous: ActionState, form: FormData): Promise<ActionState> => {
    const values: Record<string, string> = {};
    // Next adds its own `$ACTION_…` fields to a posted form; they are not the user's input.
    for (const [key, value] of form.entries()) if (typeof value === "string" && !key.startsWith("$")) values[key] = value;
    return run(schema, values, handler, values);
  };
}

/** A button's action on one record, called with the record's id. */
export function recordAction(handler: Handler<string>) {
  return async (id: string): Promise<ActionState> => run(recordId, id, handler);
}

/** An action called from code with one object (a component's effect, not a form). */
export function inputAction<S extends z.ZodType>(schema: S, handler: Handler<z.output<S>>) {
  return async (input: z.input<S>): Promise<ActionState> => run(schema, input, handler);
}

async function run<S extends z.ZodType>(
  schema: S,
  raw: unknown,
  handler: Handler<z.output<S>>,
  values?: Record<string, string>,
): Promise<ActionState> {
  try {
    const user = await requireUser();
    const input = schema.parse(raw);
    return await handler({ user, input, authorize: (permission, experimentId) => requirePermission(user, permission, experimentId) });
  } catch (error) {
    // redirect() and notFound() are Next's control flow, not failures.
    unstable_rethrow(error);
    const appError = toAppError(error, "action");
    const message = error instanceof z.ZodError ? "Some fields need attention." : appError.message;
    return { ok: false, message, fieldErrors: appError.fieldErrors, values };
  }
}
