"use client";

import { issueAgentTokenAction } from "@/lib/actions/issue-agent-token";
import { initialActionState } from "@/lib/actions/action-state";
import { Field, FormMessage } from "@/components/forms/field";
import { actionStateOf, useActionMutation } from "@/components/query/use-action-mutation";
import { queryKeys } from "@/lib/query/keys";

export function IssueTokenForm({ kind, targetId }: { kind: "trainer" | "edge"; targetId: string }) {
  const issue = useActionMutation(
    (form: FormData) => issueAgentTokenAction(initialActionState, form),
    [kind === "trainer" ? queryKeys.trainers : queryKeys.edgeHosts],
  );
  const state = actionStateOf(issue);
  const token = state.ok ? state.values?.token : undefined;
  return (
    <form
      className="row"
      aria-label="Issue agent token"
      onSubmit={(event) => {
        event.preventDefault();
        issue.mutate(new FormData(event.currentTarget));
      }}
    >
      <input type="hidden" name="kind" value={kind} />
      <input type="hidden" name="targetId" value={targetId} />
      <Field name="name" label="New agent name" state={state} placeholder="login-node-1" />
      <button type="submit" disabled={issue.isPending}>
        {issue.isPending ? "Issuing…" : "Issue token"}
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
