"use client";

import { useRouter } from "next/navigation";
import type { ActionState } from "@/lib/actions/action-state";
import { actionStateOf, useActionMutation } from "@/components/query/use-action-mutation";

/**
 * A small button that runs a server action on one record (lib/actions recordAction) and, when it succeeds,
 * re-renders the server-rendered page around it; the action's message stands beside it.
 */
export function RecordActionButton({
  action,
  recordId,
  label,
  pendingLabel,
  ariaLabel,
  onceOnly = false,
}: {
  action: (recordId: string) => Promise<ActionState>;
  recordId: string;
  label: string;
  pendingLabel: string;
  ariaLabel?: string;
  /** stays disabled after it succeeded (the record is done, e.g. a registered file) */
  onceOnly?: boolean;
}) {
  const router = useRouter();
  const mutation = useActionMutation(action);
  const outcome = mutation.isIdle || mutation.isPending ? null : actionStateOf(mutation);
  return (
    <>
      <button
        className="small"
        aria-label={ariaLabel}
        disabled={mutation.isPending || (onceOnly && outcome?.ok)}
        onClick={() => mutation.mutate(recordId, { onSuccess: () => router.refresh() })}
      >
        {mutation.isPending ? pendingLabel : label}
      </button>
      {outcome?.message && (
        <span className={`small ${outcome.ok ? "muted" : "field-error"}`} role={outcome.ok ? "status" : "alert"}>
          {" "}
          {outcome.message}
        </span>
      )}
    </>
  );
}
