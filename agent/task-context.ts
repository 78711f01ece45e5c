// What a task handler gets: its validated payload, a cancel signal, and batched event reporting.
import type { AgentConfig } from "@/agent/config";
import type { DashboardClient } from "@/agent/dashboard-client";
import { EventBuffer, type TaskEvent } from "@/agent/event-buffer";
import type { ClaimedTask } from "@/lib/agent-protocol/schemas";

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
  /** Sends everything still buffered (progress included) and resolves when it is sent or given up. */
  flush(): Promise<void>;
}

/** Chatty lines wait this long to go out together. */
const LOG_BATCH_MS = 150;

export function createTaskContext(task: ClaimedTask, config: AgentConfig, client: DashboardClient, signal: AbortSignal): TaskContext {
  const buffer = new EventBuffer();
  let timer: NodeJS.Timeout | null = null;
  // One request at a time: events wait in the bounded buffer, not in a chain of pending requests.
  let sending: Promise<void> | null = null;

  const sendAll = async (all: boolean) => {
    for (let events = buffer.take(Date.now(), all); events.length > 0; events = buffer.take(Date.now(), all)) {
      await client
        .request("POST", `/api/agent/v1/tasks/${task.id}/events`, { body: { events } })
        .catch((error: Error) => console.error(`[agent] could not report events for task ${task.id}: ${error.message}`));
    }
  };
  const schedule = () => {
    if (timer || sending) return;
    const due = buffer.dueIn(Date.now());
    if (due === null) return;
    timer = setTimeout(
      () => {
        timer = null;
        void send(false);
      },
      Math.max(due, LOG_BATCH_MS),
    );
  };
  const send = (all: boolean): Promise<void> => {
    if (sending) return sending;
    sending = sendAll(all).finally(() => {
      sending = null;
      schedule();
    });
    return sending;
  };

  const context: TaskContext = {
    task,
    config,
    signal,
    emit(event) {
      buffer.push(event);
      // Metrics go out at once (the live chart); lines and progress in batches.
      if (event.type === "metric" || event.type === "started" || event.type === "first_batch") void send(false);
      else schedule();
    },
    log(line) {
      context.emit({ type: "log", line: line.slice(0, 4000) });
    },
    async flush() {
      if (timer) clearTimeout(timer);
      timer = null;
      while (sending) await sending;
      await send(true);
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
  return context;
}
