"use client";

import { useActionState } from "react";
import { issueAgentTokenAction } from "@/lib/actions/issue-agent-token";
import { initialActionState } from "@/lib/actions/action-state";
import { Field, FormMessage } from "@/components/forms/field";

export function IssueTokenForm({ kind, targetId }: { kind: "trainer" | "edge"; targetId: string }) {
  const [state, action, pending] = useActionState(issueAgentTokenAction, initialActionState);
  const token = state.ok ? state.values?.token : undefined;
  return (
    <form action={action} className="row" aria-label="Issue agent token">
      <input type="hidden" name="kind" value={kind} />
      <input type="hidden" name="targetId" value={targetId} />
      <Field name="name" label="New agent name" state={state} placeholder="login-node-1" />
      <button type="submit" disabled={pending}>
        Issue token
      </button>
      <FormMessage state={state} />
      {token && (
        <code className="panel" data-testid="issued-token" style={{ userSelect: "all", wordBreak: "break-all" }}>
          {token}
        </code>
      )}
    </form>
  );
}
