"use client";

import { useRouter } from "next/navigation";
import { restoreDeploymentAction } from "@/lib/actions/restore-deployment";
import { actionStateOf, useActionMutation } from "@/components/query/use-action-mutation";

export function RestoreButton({ deploymentId, label }: { deploymentId: string; label: string }) {
  const router = useRouter();
  const restore = useActionMutation(restoreDeploymentAction);
  const outcome = restore.isIdle || restore.isPending ? null : actionStateOf(restore);
  return (
    <>
      <button
        className="small"
        disabled={restore.isPending}
        // The models page is server-rendered: re-render it to show the new active deployment.
        onClick={() => restore.mutate(deploymentId, { onSuccess: () => router.refresh() })}
      >
        {restore.isPending ? "Restoring…" : label}
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
