import { getSessionClaims, loadSessionUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { withRouteErrors } from "@/lib/route-errors";
import { prisma } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { flowEvents, type FlowConnected, type FlowEvent } from "@/lib/flow/events";
import { eventStream } from "@/lib/server/sse";
import { visibleExperimentsWhere } from "@/lib/auth/visibility";
import type { RunChangesMessage } from "@/lib/query/run-changes";

export const dynamic = "force-dynamic";

// Coalesces a run's bursts of reports (metrics, logs) into one look-up per batch.
const BATCH_MS = 250;

// "Runs changed" for one signed-in user: only runs in experiments they may see, with whether they launched
// each. Feeds the live lists, the overview, the trainers' queues and the end-of-run notice on every page.
// Each batch and a check every few seconds reload the viewer: the stream ends with the session. When the web
// app's LISTEN connection comes back after PostgreSQL was unreachable, the runs that ended or started meanwhile
// (their events were never heard) come as one batch marked `resync`, and the page refetches its lists.
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
    const changedRuns = async (which: Prisma.RunWhereInput, resync: boolean) => {
      const viewer = await loadSessionUser(session).catch(() => null);
      if (!viewer) return;
      const runs = await prisma.run
        .findMany({
          where: { AND: [which, { experiment: visibleExperimentsWhere(viewer) }] },
          select: { id: true, number: true, status: true, createdById: true, endedAt: true },
          take: 500,
        })
        .catch(() => []);
      if (runs.length === 0 && !resync) return;
      emit({
        type: "runs",
        ...(resync ? { resync: true as const } : {}),
        runs: runs.map((r) => ({
          id: r.id,
          number: r.number,
          status: r.status,
          mine: r.createdById === viewer.id,
          endedAtMs: r.endedAt?.getTime() ?? null,
        })),
      });
    };
    const flush = () => {
      timer = null;
      const ids = [...pending];
      pending.clear();
      return changedRuns({ id: { in: ids } }, false);
    };
    const onReconnected = ({ missedSince }: FlowConnected) => {
      if (missedSince === null) return;
      const since = new Date(missedSince);
      void changedRuns({ OR: [{ endedAt: { gte: since } }, { createdAt: { gte: since } }] }, true);
    };
    const onEvent = (event: FlowEvent) => {
      if (event.type !== "run") return;
      pending.add(event.runId);
      timer ??= setTimeout(() => void flush(), BATCH_MS);
    };
    emitter.on("run", onEvent);
    emitter.on("connected", onReconnected);
    emit({ type: "hello", atMs: Date.now() });
    return () => {
      emitter.off("run", onEvent);
      emitter.off("connected", onReconnected);
      if (timer) clearTimeout(timer);
    };
  });
});
