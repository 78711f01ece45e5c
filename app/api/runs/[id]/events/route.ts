import { getCurrentUser } from "@/lib/auth/session";
import { getRunView } from "@/lib/server/runs/get-run-view";
import { flowEvents, type FlowEvent } from "@/lib/flow/events";

export const dynamic = "force-dynamic";

// Server-sent events: the run's whole view on connect and after every change (coalesced to one send
// per 100 ms), plus a comment every 15 s so proxies keep the stream open.
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const user = await getCurrentUser();
  if (!user) return Response.json({ error: "Sign in first." }, { status: 401 });
  const { id } = await params;
  const first = await getRunView({ actor: user, runId: id });
  if (!first) return Response.json({ error: "No such run." }, { status: 404 });

  const encoder = new TextEncoder();
  const emitter = flowEvents();
  let cleanup = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let timer: NodeJS.Timeout | null = null;
      let closed = false;
      let lastEventAt = 0;
      const send = (data: unknown) => !closed && controller.enqueue(encoder.encode(`data: ${JSON.stringify(data)}\n\n`));
      const push = async () => {
        timer = null;
        const view = await getRunView({ actor: user, runId: id }).catch(() => null);
        if (view) send({ ...view, eventAtMs: lastEventAt });
      };
      const onEvent = (event: FlowEvent) => {
        if (event.type !== "run" || event.runId !== id) return;
        lastEventAt = event.at;
        timer ??= setTimeout(() => void push(), 100);
      };
      const keepAlive = setInterval(() => !closed && controller.enqueue(encoder.encode(": keep-alive\n\n")), 15_000);
      emitter.on("run", onEvent);
      cleanup = () => {
        closed = true;
        emitter.off("run", onEvent);
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
      send({ ...first, eventAtMs: 0 });
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
