import { getSessionClaims, loadSessionUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { withRouteErrors } from "@/lib/route-errors";
import { getRunView, isRunVisible } from "@/lib/server/runs/get-run-view";
import { flowEvents, type FlowConnected, type FlowEvent } from "@/lib/flow/events";
import { eventStream } from "@/lib/server/sse";

export const dynamic = "force-dynamic";

// The run's whole view on connect and after every change, coalesced to one send per 100 ms, and again when the
// web app's LISTEN connection comes back (changes made meanwhile sent no event it heard). Every send and a check
// every few seconds use the viewer as the database knows them now: the stream ends when the session does or the
// viewer may no longer see the run, not when the database fails to answer for a moment.
export const GET = withRouteErrors(async (request: Request, { params }: { params: Promise<{ id: string }> }) => {
  const session = await getSessionClaims();
  const user = session && (await loadSessionUser(session));
  if (!session || !user) throw new AppError("UNAUTHENTICATED", "Sign in first.");
  const { id } = await params;
  const first = await getRunView({ actor: user, runId: id });
  if (!first) throw new AppError("NOT_FOUND", "No such run.");

  const stillVisible = async () => {
    const actor = await loadSessionUser(session);
    return actor !== null && (await isRunVisible(actor, id));
  };
  return eventStream(request, stillVisible, (send, end) => {
    const emitter = flowEvents();
    let timer: NodeJS.Timeout | null = null;
    let lastEventAt = 0;
    const push = async () => {
      timer = null;
      try {
        const actor = await loadSessionUser(session);
        const view = actor && (await getRunView({ actor, runId: id }));
        if (view) send({ ...view, eventAtMs: lastEventAt });
        else end();
      } catch {
        // The database did not answer: the next event or reconnection sends the view.
      }
    };
    const schedule = () => {
      timer ??= setTimeout(() => void push(), 100);
    };
    const onEvent = (event: FlowEvent) => {
      if (event.type !== "run" || event.runId !== id) return;
      lastEventAt = event.at;
      schedule();
    };
    const onReconnected = ({ missedSince }: FlowConnected) => missedSince !== null && schedule();
    emitter.on("run", onEvent);
    emitter.on("connected", onReconnected);
    send({ ...first, eventAtMs: 0 });
    return () => {
      emitter.off("run", onEvent);
      emitter.off("connected", onReconnected);
      if (timer) clearTimeout(timer);
    };
  });
});
