"use client";

import { useRouter } from "next/navigation";
import { registerDatasetAction } from "@/lib/actions/register-dataset";
import { actionStateOf, useActionMutation } from "@/components/query/use-action-mutation";

/** Registers one file of a data root (as the edge agent read it) as a dataset. */
export function RegisterFileButton({ fileId, fileName }: { fileId: string; fileName: string }) {
  const router = useRouter();
  const register = useActionMutation(registerDatasetAction);
  const outcome = register.isIdle || register.isPending ? null : actionStateOf(register);
  return (
    <>
      <button
        className="small"
        aria-label={`Register ${fileName} as a dataset`}
        disabled={register.isPending || outcome?.ok}
        // The page is server-rendered: re-render it to show the new dataset.
        onClick={() => register.mutate(fileId, { onSuccess: () => router.refresh() })}
      >
        {register.isPending ? "Registering…" : "Register"}
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
