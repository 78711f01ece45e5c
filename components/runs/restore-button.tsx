"use client";

import { useState, useTransition } from "react";
import { restoreDeploymentAction } from "@/lib/actions/restore-deployment";

export function RestoreButton({ deploymentId, label }: { deploymentId: string; label: string }) {
  const [pending, start] = useTransition();
  const [message, setMessage] = useState<string | null>(null);
  return (
    <>
      <button
        className="small"
        disabled={pending}
        onClick={() => start(async () => setMessage((await restoreDeploymentAction(deploymentId)).message ?? null))}
      >
        {label}
      </button>
      {message && <span className="small muted"> {message}</span>}
    </>
  );
}
