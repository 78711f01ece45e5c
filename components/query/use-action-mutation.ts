"use client";

import { useMutation, useQueryClient, type QueryKey } from "@tanstack/react-query";
import type { ActionState } from "@/lib/actions/action-state";

/** A refused server action, so the mutation lands in its error state with the action's own message. */
export class ActionRefused extends Error {
  constructor(readonly state: ActionState) {
    super(state.message ?? "Refused.");
    this.name = "ActionRefused";
  }
}

/**
 * A server action (lib/actions) as a TanStack mutation: pending while it runs, `error` when it answers
 * ok: false, and the given queries invalidated when it succeeds.
 */
export function useActionMutation<Input>(action: (input: Input) => Promise<ActionState>, invalidates: readonly QueryKey[] = []) {
  const queryClient = useQueryClient();
  return useMutation<ActionState, Error, Input>({
    mutationFn: async (input) => {
      const state = await action(input);
      if (!state.ok) throw new ActionRefused(state);
      return state;
    },
    onSuccess: () => Promise.all(invalidates.map((queryKey) => queryClient.invalidateQueries({ queryKey }))),
  });
}

/** The action state to show for a mutation: its answer, or the refusal with field errors. */
export function actionStateOf(mutation: { data?: ActionState; error: Error | null }): ActionState {
  if (mutation.error instanceof ActionRefused) return mutation.error.state;
  if (mutation.error) return { ok: false, message: mutation.error.message };
  return mutation.data ?? { ok: false };
}
