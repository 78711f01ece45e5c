import { requireUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { withRouteErrors } from "@/lib/route-errors";
import { getRunView } from "@/lib/server/runs/get-run-view";
import { flowEvents, type FlowEvent } from "@/lib/flow/events";
import { eventStream } from "@/lib/server/sse";

export const dynamic = "force-dynamic";

// The run's whole view on connect and after every change, coalesced to one send per 100 ms.
export const GET = withRouteErrors(async (request: Request, { params }: { params: Promise<{ id: string }> }) => {
  const user = await requireUser();
  const { id } = await params;
  const first = await getRunView({ actor: user, runId: id });
  if (!first) throw new AppError("NOT_FOUND", "No such run.");

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
});
