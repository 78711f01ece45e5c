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
  /**
   * At the task's end: sends what is buffered (progress included) except the last batch, which it returns
   * for the completion request to carry (one round trip less between a task and the next).
   */
  takeFinal(): Promise<TaskEvent[]>;
}

/** Chatty lines wait this long to go out together. */
const LOG_BATCH_MS = 150;

export function createTaskContext(task: ClaimedTask, config: AgentConfig, client: DashboardClient, signal: AbortSignal): TaskContext {
  const buffer = new EventBuffer();
  let timer: NodeJS.Timeout | null = null;
  // One request at a time: events wait in the bounded buffer, not in a chain of pending requests.
  let sending: Promise<void> | null = null;

  const post = (events: TaskEvent[]) =>
    client
      .request("POST", `/api/agent/v1/tasks/${task.id}/events`, { body: { events } })
      .catch((error: Error) => console.error(`[agent] could not report events for task ${task.id}: ${error.message}`));
  const sendAll = async () => {
    for (let events = buffer.take(Date.now()); events.length > 0; events = buffer.take(Date.now())) await post(events);
  };
  const schedule = () => {
    if (timer || sending) return;
    const due = buffer.dueIn(Date.now());
    if (due === null) return;
    timer = setTimeout(
      () => {
        timer = null;
        void send();
      },
      Math.max(due, LOG_BATCH_MS),
    );
  };
  const send = (): Promise<void> => {
    if (sending) return sending;
    sending = sendAll().finally(() => {
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
      if (event.type === "metric" || event.type === "started" || event.type === "first_batch") void send();
      else schedule();
    },
    log(line) {
      context.emit({ type: "log", line: line.slice(0, 4000) });
    },
    async takeFinal() {
      if (timer) clearTimeout(timer);
      timer = null;
      while (sending) await sending;
      if (timer) clearTimeout(timer);
      timer = null;
      for (;;) {
        const events = buffer.take(Date.now(), true);
        if (buffer.dueIn(Date.now()) === null) return events;
        await post(events);
      }
    },
  };
  return context;
}
