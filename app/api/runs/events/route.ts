import { getCurrentUser } from "@/lib/auth/session";
import { prisma } from "@/lib/db";
import { flowEvents, type FlowEvent } from "@/lib/flow/events";
import { eventStream } from "@/lib/server/sse";
import { visibleExperimentsWhere } from "@/lib/server/experiments/list-experiments";
import type { RunChangesMessage } from "@/lib/query/run-changes";

export const dynamic = "force-dynamic";

// Coalesces a run's bursts of reports (metrics, logs) into one look-up per batch.
const BATCH_MS = 250;

// "Runs changed" for one signed-in user: only runs in experiments they may see, with whether they launched
// each. Feeds the live lists, the overview, the trainers' queues and the end-of-run notice on every page.
export async function GET(request: Request) {
  const user = await getCurrentUser();
  if (!user) return Response.json({ error: "Sign in first." }, { status: 401 });

  return eventStream(request, (send) => {
    const emit = (message: RunChangesMessage) => send(message);
    const emitter = flowEvents();
    const pending = new Set<string>();
    let timer: NodeJS.Timeout | null = null;
    const flush = async () => {
      timer = null;
      const ids = [...pending];
      pending.clear();
      const runs = await prisma.run
        .findMany({
          where: { id: { in: ids }, experiment: visibleExperimentsWhere(user) },
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
          mine: r.createdById === user.id,
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
}
