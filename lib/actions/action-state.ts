/** What every form's server action returns: a message, per-field errors, and the values to re-fill. */
export interface ActionState {
  ok: boolean;
  message?: string;
  fieldErrors?: Record<string, string[]>;
  values?: Record<string, string>;
  redirectTo?: string;
}

export const initialActionState: ActionState = { ok: false };
