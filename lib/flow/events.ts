// Change notifications over PostgreSQL LISTEN/NOTIFY, so that every process (web app, worker) hears
// about run changes and new agent tasks at once: SSE pushes and long-polls wake without polling.
import { EventEmitter } from "node:events";
import pg from "pg";
import { prisma } from "@/lib/db";
import type { ParallelShape } from "@/lib/agent-protocol/parallel";

export const CHANNEL = "beamline_events";

export type FlowEventBody =
  | { type: "run"; runId: string }
  | { type: "task"; agentId: string }
  | { type: "heartbeat"; agentId: string }
  | { type: "standby"; agentId: string; parallel: ParallelShape };
/** `at` is the sender's clock (ms), for measuring live-update latency. */
export type FlowEvent = FlowEventBody & { at: number };

/** Sends an event to every listening process (delivered when the surrounding transaction commits). */
export async function publish(event: FlowEventBody, db: Pick<typeof prisma, "$executeRaw"> = prisma) {
  const payload = JSON.stringify({ ...event, at: Date.now() });
  await db.$executeRaw`select pg_notify(${CHANNEL}, ${payload})`;
}

const globalForEvents = globalThis as unknown as { flowEvents?: EventEmitter; flowListener?: Promise<void> };

/**
 * Emitted on every (re)connection of the LISTEN connection. `missedSince` is when the previous connection was
 * lost (ms), null on the first: notifications sent in between never arrive, so a subscriber re-reads what it
 * shows instead of waiting for an event that will not come.
 */
export interface FlowConnected {
  missedSince: number | null;
}

/** The process-wide emitter, fed by one LISTEN connection that reconnects when PostgreSQL restarts. */
export function flowEvents(): EventEmitter {
  if (!globalForEvents.flowEvents) {
    const emitter = new EventEmitter();
    emitter.setMaxListeners(0);
    globalForEvents.flowEvents = emitter;
    globalForEvents.flowListener = listen(emitter);
  }
  return globalForEvents.flowEvents;
}

async function listen(emitter: EventEmitter): Promise<void> {
  let lostAt: number | null = null;
  for (;;) {
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    try {
      await client.connect();
      client.on("notification", (message) => {
        if (!message.payload) return;
        try {
          const event = JSON.parse(message.payload) as FlowEvent;
          emitter.emit(event.type, event);
          emitter.emit("any", event);
        } catch {
          /* not ours */
        }
      });
      await client.query(`LISTEN ${CHANNEL}`);
      emitter.emit("connected", { missedSince: lostAt } satisfies FlowConnected);
      await new Promise<void>((resolve) => {
        client.on("error", () => resolve());
        client.on("end", () => resolve());
      });
      lostAt = Date.now();
    } catch {
      /* database down: retry below */
    }
    await client.end().catch(() => {});
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Resolves with the first event `predicate` matches, or null after `timeoutMs` or an abort. */
export function waitForEvent(predicate: (event: FlowEvent) => boolean, timeoutMs: number, signal?: AbortSignal) {
  const emitter = flowEvents();
  return new Promise<FlowEvent | null>((resolve) => {
    const done = (value: FlowEvent | null) => {
      clearTimeout(timer);
      emitter.off("any", onEvent);
      signal?.removeEventListener("abort", onAbort);
      resolve(value);
    };
    const onEvent = (event: FlowEvent) => predicate(event) && done(event);
    const onAbort = () => done(null);
    const timer = setTimeout(() => done(null), timeoutMs);
    emitter.on("any", onEvent);
    signal?.addEventListener("abort", onAbort);
  });
}
