import { getCurrentUser } from "@/lib/auth/session";
import { getRunView } from "@/lib/server/runs/get-run-view";
import { flowEvents, type FlowEvent } from "@/lib/flow/events";
import { eventStream } from "@/lib/server/sse";

export const dynamic = "force-dynamic";

// The run's whole view on connect and after every change, coalesced to one send per 100 ms.
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const user = await getCurrentUser();
  if (!user) return Response.json({ error: "Sign in first." }, { status: 401 });
  const { id } = await params;
  const first = await getRunView({ actor: user, runId: id });
  if (!first) return Response.json({ error: "No such run." }, { status: 404 });

  return eventStream(request, (send) => {
    const emitter = flowEvents();
    let timer: NodeJS.Timeout | null = null;
    let lastEventAt = 0;
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
    emitter.on("run", onEvent);
    send({ ...first, eventAtMs: 0 });
    return () => {
      emitter.off("run", onEvent);
      if (timer) clearTimeout(timer);
    };
  });
}
