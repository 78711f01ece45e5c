// What a task has to tell the dashboard, waiting to be sent: bounded, with progress coalesced.
import type { z } from "zod";
import type { taskEvent } from "@/lib/agent-protocol/schemas";

/** An event as the agent sends it (defaults are filled in by the dashboard's parse). */
export type TaskEvent = z.input<typeof taskEvent>;

export interface EventBufferLimits {
  /** Log lines kept while the dashboard is slow or away; older ones are dropped, and counted. */
  maxLogLines: number;
  /** At most one progress event per this many ms (the newest wins). */
  progressEveryMs: number;
  /** Events per request (the API's limit). */
  batchSize: number;
}

export const DEFAULT_EVENT_LIMITS: EventBufferLimits = { maxLogLines: 5000, progressEveryMs: 1000, batchSize: 200 };

/**
 * Pure (no timers, no I/O): the task context decides when to send. Log lines are the only events ever
 * dropped — metrics and "started" are what the run page and the cost model are built from, and a
 * progress event is only replaced by a newer one.
 */
export class EventBuffer {
  private queue: TaskEvent[] = [];
  private logLines = 0;
  private droppedLogLines = 0;
  private progress: TaskEvent | null = null;
  private lastProgressSentAt = -Infinity;

  constructor(private readonly limits: EventBufferLimits = DEFAULT_EVENT_LIMITS) {}

  push(event: TaskEvent): void {
    if (event.type === "progress") {
      this.progress = event;
      return;
    }
    this.queue.push(event);
    if (event.type !== "log") return;
    this.logLines += 1;
    if (this.logLines > this.limits.maxLogLines) {
      this.queue.splice(
        this.queue.findIndex((item) => item.type === "log"),
        1,
      );
      this.logLines -= 1;
      this.droppedLogLines += 1;
    }
  }

  /**
   * The next batch to send, in order: a marker for dropped lines first, then queued events, then the
   * newest progress when it is due (or `all`, at the end of a task).
   */
  take(now: number, all = false): TaskEvent[] {
    const batch: TaskEvent[] = [];
    if (this.droppedLogLines > 0) {
      batch.push({ type: "log", line: `[agent] ${this.droppedLogLines} log lines dropped: the dashboard did not take them fast enough` });
      this.droppedLogLines = 0;
    }
    const events = this.queue.splice(0, this.limits.batchSize - batch.length);
    this.logLines -= events.filter((item) => item.type === "log").length;
    batch.push(...events);
    if (this.progress && batch.length < this.limits.batchSize && (all || now - this.lastProgressSentAt >= this.limits.progressEveryMs)) {
      batch.push(this.progress);
      this.progress = null;
      this.lastProgressSentAt = now;
    }
    return batch;
  }

  /** Milliseconds until something is worth sending: 0 for queued events, the wait for a pending progress, null for nothing. */
  dueIn(now: number): number | null {
    if (this.queue.length > 0 || this.droppedLogLines > 0) return 0;
    if (this.progress) return Math.max(0, this.lastProgressSentAt + this.limits.progressEveryMs - now);
    return null;
  }
}
