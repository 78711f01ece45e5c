import { prisma } from "@/lib/db";
import { getSessionClaims, loadSessionUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { withRouteErrors } from "@/lib/route-errors";
import { flowEvents, type FlowConnected, type FlowEvent } from "@/lib/flow/events";
import { visibleExperimentsWhere } from "@/lib/auth/visibility";
import { eventStream } from "@/lib/server/sse";

export const dynamic = "force-dynamic";

const DEBOUNCE_MS = 1_000;
const FINISHED = ["succeeded", "failed", "canceled", "lost"] as const;

// For the cost-model and report pages: a small {"type":"changed"} when a run the viewer may see has finished
// (its numbers feed the fits), at most once per second. The client refetches the page; no data travels here.
// Each flush and a check every few seconds reload the viewer: the stream ends with the session. After the web
// app's LISTEN connection was lost, one "changed" on its return: runs may have finished unheard.
export const GET = withRouteErrors(async (request: Request) => {
  const session = await getSessionClaims();
  if (!session || !(await loadSessionUser(session))) throw new AppError("UNAUTHENTICATED", "Sign in first.");

  const stillSignedIn = async () => (await loadSessionUser(session)) !== null;
  return eventStream(request, stillSignedIn, (send, end) => {
    const emitter = flowEvents();
    let timer: NodeJS.Timeout | null = null;
    const pending = new Set<string>();
    const flush = async () => {
      timer = null;
      const runIds = [...pending];
      pending.clear();
      const user = await loadSessionUser(session).catch(() => null);
      if (!user) return end();
      // Only finished runs change the fits; run events also fire for every step change.
      const finished = await prisma.run
        .count({ where: { id: { in: runIds }, status: { in: [...FINISHED] }, experiment: visibleExperimentsWhere(user) } })
        .catch(() => 0);
      if (finished > 0) send({ type: "changed", runs: finished, at: Date.now() });
    };
    const onRun = (event: FlowEvent) => {
      if (event.type !== "run") return;
      pending.add(event.runId);
      timer ??= setTimeout(() => void flush(), DEBOUNCE_MS);
    };
    const onReconnected = ({ missedSince }: FlowConnected) => missedSince !== null && send({ type: "changed", runs: 0, at: Date.now() });
    emitter.on("run", onRun);
    emitter.on("connected", onReconnected);
    send({ type: "hello" });
    return () => {
      emitter.off("run", onRun);
      emitter.off("connected", onReconnected);
      if (timer) clearTimeout(timer);
    };
  });
});
