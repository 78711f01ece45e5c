import type { ActionState } from "@/lib/actions/action-state";

interface FieldProps {
  name: string;
  label: string;
  state: ActionState;
  type?: string;
  placeholder?: string;
  hint?: string;
  options?: { value: string; label: string }[];
  defaultValue?: string;
  required?: boolean;
}

/** A labelled input or select that shows its own validation errors and keeps what was typed. */
export function Field({ name, label, state, type = "text", placeholder, hint, options, defaultValue, required }: FieldProps) {
  const errors = state.fieldErrors?.[name];
  const value = state.values?.[name] ?? defaultValue;
  const describedBy = errors ? `${name}-error` : undefined;
  return (
    <label>
      {label}
      {options ? (
        <select name={name} defaultValue={value} aria-invalid={Boolean(errors)} aria-describedby={describedBy} required={required}>
          <option value="">—</option>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      ) : (
        <input
          name={name}
          type={type}
          placeholder={placeholder}
          defaultValue={value}
          aria-invalid={Boolean(errors)}
          aria-describedby={describedBy}
          required={required}
        />
      )}
      {hint && <span className="small muted">{hint}</span>}
      {errors && (
        <span id={describedBy} className="field-error">
          {errors.join(" ")}
        </span>
      )}
    </label>
  );
}

export function FormMessage({ state }: { state: ActionState }) {
  if (!state.message) return null;
  return (
    <p role={state.ok ? "status" : "alert"} className={`alert ${state.ok ? "ok" : "error"}`}>
      {state.message}
    </p>
  );
}
