"use client";

import { useEffect, useRef, useState } from "react";
import Link from "next/link";
import { useQueryClient } from "@tanstack/react-query";
import { queryKeys } from "@/lib/query/keys";
import {
  endedNotice,
  foldRunChanges,
  newRunChangesState,
  type RunChange,
  type RunChangesMessage,
  type RunChangesState,
} from "@/lib/query/run-changes";

/**
 * One "runs changed" stream per signed-in page: refetches the lists, the overview and the trainers' queues when
 * a run appears or changes state, and tells the user when a run they launched ends, whatever page they are on.
 */
export function LiveRunChanges() {
  const queryClient = useQueryClient();
  const state = useRef<RunChangesState | null>(null);
  const [notices, setNotices] = useState<RunChange[]>([]);

  useEffect(() => {
    const source = new EventSource("/api/runs/events");
    const refetchLists = () => {
      for (const queryKey of [queryKeys.runsAll, queryKeys.overview, queryKeys.trainers]) void queryClient.invalidateQueries({ queryKey });
    };
    source.onmessage = (event) => {
      const message = JSON.parse(event.data) as RunChangesMessage;
      if (message.type === "hello") {
        // A reconnection: what changed while the stream was down reached nobody, so the lists are refetched.
        if (state.current) refetchLists();
        // Keep the first connection's clock: a run that ended while the stream reconnected is still news.
        state.current ??= newRunChangesState(message.atMs);
        return;
      }
      if (!state.current) return;
      const { listsChanged, ended } = foldRunChanges(state.current, message.runs);
      if (listsChanged || message.resync) refetchLists();
      if (ended.length > 0) setNotices((shown) => [...shown, ...ended]);
    };
    return () => source.close();
  }, [queryClient]);

  if (notices.length === 0) return null;
  return (
    <div className="notices" role="status" aria-label="Run notices">
      {notices.map((run) => (
        <div key={`${run.id}@${run.endedAtMs}`} className={`alert ${run.status === "succeeded" ? "ok" : "error"} notice`}>
          <span>{endedNotice(run)}</span> <Link href={`/runs/${run.id}`}>Open run #{run.number}</Link>
          <button
            className="small"
            aria-label={`Dismiss the notice about run #${run.number}`}
            onClick={() => setNotices((shown) => shown.filter((n) => n !== run))}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
