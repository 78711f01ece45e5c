import { getSessionClaims, loadSessionUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { withRouteErrors } from "@/lib/route-errors";
import { prisma } from "@/lib/db";
import { flowEvents, type FlowEvent } from "@/lib/flow/events";
import { eventStream } from "@/lib/server/sse";
import { visibleExperimentsWhere } from "@/lib/auth/visibility";
import type { RunChangesMessage } from "@/lib/query/run-changes";

export const dynamic = "force-dynamic";

// Coalesces a run's bursts of reports (metrics, logs) into one look-up per batch.
const BATCH_MS = 250;

// "Runs changed" for one signed-in user: only runs in experiments they may see, with whether they launched
// each. Feeds the live lists, the overview, the trainers' queues and the end-of-run notice on every page.
// Each batch and a check every few seconds reload the viewer: the stream ends with the session.
export const GET = withRouteErrors(async (request: Request) => {
  const session = await getSessionClaims();
  const user = session && (await loadSessionUser(session));
  if (!session || !user) throw new AppError("UNAUTHENTICATED", "Sign in first.");
  const stillSignedIn = async () => (await loadSessionUser(session)) !== null;

  return eventStream(request, stillSignedIn, (send) => {
    const emit = (message: RunChangesMessage) => send(message);
    const emitter = flowEvents();
    const pending = new Set<string>();
    let timer: NodeJS.Timeout | null = null;
    const flush = async () => {
      timer = null;
      const ids = [...pending];
      pending.clear();
      const viewer = await loadSessionUser(session).catch(() => null);
      if (!viewer) return;
      const runs = await prisma.run
        .findMany({
          where: { id: { in: ids }, experiment: visibleExperimentsWhere(viewer) },
          select: { id: true, number: true, status: true, createdById: true, endedAt: true },
        })
        .catch(() => []);
      if (runs.length === 0) return;
      emit({
        type: "runs",
        runs: runs.map((r) => ({
          id: r.id,
          number: r.number,
          status: r.status,
          mine: r.createdById === viewer.id,
          endedAtMs: r.endedAt?.getTime() ?? null,
        })),
      });
    };
    const onEvent = (event: FlowEvent) => {
      if (event.type !== "run") return;
      pending.add(event.runId);
      timer ??= setTimeout(() => void flush(), BATCH_MS);
    };
    emitter.on("run", onEvent);
    emit({ type: "hello", atMs: Date.now() });
    return () => {
      emitter.off("run", onEvent);
      if (timer) clearTimeout(timer);
    };
  });
});
