// What a task handler gets: its validated payload, a cancel signal, and batched event reporting.
import type { z } from "zod";
import type { AgentConfig } from "@/agent/config";
import type { DashboardClient } from "@/agent/dashboard-client";
import type { ClaimedTask, taskEvent } from "@/lib/agent-protocol/schemas";

type TaskEvent = z.infer<typeof taskEvent>;

/** A failure the handler understood; its message is what the scientist reads on the run page. */
export class TaskFailure extends Error {
  constructor(
    message: string,
    readonly retryable = false,
  ) {
    super(message);
    this.name = "TaskFailure";
  }
}

export interface TaskContext {
  task: ClaimedTask;
  config: AgentConfig;
  signal: AbortSignal;
  emit(event: TaskEvent): void;
  log(line: string): void;
  flush(): Promise<void>;
}

const FLUSH_MS = 150;

export function createTaskContext(task: ClaimedTask, config: AgentConfig, client: DashboardClient, signal: AbortSignal): TaskContext {
  let buffer: TaskEvent[] = [];
  let timer: NodeJS.Timeout | null = null;
  let sending: Promise<void> = Promise.resolve();

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    const events = buffer.splice(0, 200);
    buffer = buffer.length ? buffer : [];
    if (events.length === 0) return sending;
    sending = sending
      .then(() => client.request("POST", `/api/agent/v1/tasks/${task.id}/events`, { body: { events } }))
      .then(() => undefined)
      .catch((error: Error) => console.error(`[agent] could not report events for task ${task.id}: ${error.message}`));
    if (buffer.length) return flush();
    return sending;
  };

  const context: TaskContext = {
    task,
    config,
    signal,
    emit(event) {
      buffer.push(event);
      // Metrics go out at once (the live chart), chatty lines in small batches.
      if (event.type === "metric" || event.type === "started" || event.type === "first_batch") void flush();
      else timer ??= setTimeout(() => void flush(), FLUSH_MS);
    },
    log(line) {
      context.emit({ type: "log", line: line.slice(0, 4000) });
    },
    flush,
  };
  return context;
}
