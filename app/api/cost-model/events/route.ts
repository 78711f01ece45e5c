import { prisma } from "@/lib/db";
import { getCurrentUser } from "@/lib/auth/session";
import { flowEvents, type FlowEvent } from "@/lib/flow/events";
import { visibleExperimentsWhere } from "@/lib/server/experiments/list-experiments";

export const dynamic = "force-dynamic";

const DEBOUNCE_MS = 1_000;
const FINISHED = ["succeeded", "failed", "canceled", "lost"] as const;

// Server-sent events for the cost-model and report pages: a small {"type":"changed"} when a run the viewer may
// see has finished (its numbers feed the fits), at most once per second, plus a comment every 15 s so proxies
// keep the stream open. The client refetches the page; no data travels here.
export async function GET(request: Request) {
  const user = await getCurrentUser();
  if (!user) return Response.json({ error: "Sign in first." }, { status: 401 });

  const encoder = new TextEncoder();
  const emitter = flowEvents();
  let cleanup = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false;
      let timer: NodeJS.Timeout | null = null;
      const pending = new Set<string>();
      const send = (text: string) => {
        if (closed) return;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          cleanup();
        }
      };
      const flush = async () => {
        timer = null;
        const runIds = [...pending];
        pending.clear();
        // Only finished runs change the fits; run events also fire for every step change.
        const finished = await prisma.run
          .count({ where: { id: { in: runIds }, status: { in: [...FINISHED] }, experiment: visibleExperimentsWhere(user) } })
          .catch(() => 0);
        if (finished > 0) send(`data: ${JSON.stringify({ type: "changed", runs: finished, at: Date.now() })}\n\n`);
      };
      const onRun = (event: FlowEvent) => {
        if (event.type !== "run") return;
        pending.add(event.runId);
        timer ??= setTimeout(() => void flush(), DEBOUNCE_MS);
      };
      const keepAlive = setInterval(() => send(": keep-alive\n\n"), 15_000);
      emitter.on("run", onRun);
      cleanup = () => {
        closed = true;
        emitter.off("run", onRun);
        clearInterval(keepAlive);
        if (timer) clearTimeout(timer);
      };
      request.signal.addEventListener("abort", () => {
        cleanup();
        try {
          controller.close();
        } catch {
          /* already closed */
        }
      });
      send(`data: ${JSON.stringify({ type: "hello" })}\n\n`);
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(stream, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    },
  });
}
