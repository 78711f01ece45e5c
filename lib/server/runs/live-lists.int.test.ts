// The JSON behind TanStack Query's live lists and the "runs changed" stream, over HTTP against the real
// dashboard: each answers only what the signed-in user may see, the overview counts every active run, and a
// run change reaches exactly the users who may see that run, marked as theirs when they launched it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Stack } from "@/testing/stack";
import { HttpSession } from "@/testing/http";
import { openEventStream } from "@/testing/sse";
import { seedTourRuns, TOUR_TRAINER } from "@/testing/tour-runs";
import { publish } from "@/lib/flow/events";
import type { RunChange, RunChangesMessage } from "@/lib/query/run-changes";

let stack: Stack;
let runs: Awaited<ReturnType<typeof seedTourRuns>>;
const sessions: Record<string, HttpSession> = {};
// More queued runs than one page of the runs list holds (50), all in the CookieBox experiment.
const EXTRA_QUEUED = 55;

beforeAll(async () => {
  stack = await Stack.create({ name: "live-lists" });
  await stack.startWeb();
  runs = await seedTourRuns(stack.prisma);
  const queued = await stack.prisma.run.findUniqueOrThrow({ where: { id: runs.queued } });
  await stack.prisma.run.createMany({
    data: Array.from({ length: EXTRA_QUEUED }, (_, i) => ({
      experimentId: queued.experimentId,
      datasetId: queued.datasetId,
      familyId: queued.familyId,
      trainerId: queued.trainerId,
      edgeHostId: queued.edgeHostId,
      createdById: queued.createdById,
      params: queued.params ?? {},
      idempotencyKey: `live-lists-${i}`,
      status: "queued" as const,
    })),
  });
  for (const who of ["staff", "scientist", "pi", "viewer", "outsider"]) {
    sessions[who] = new HttpSession(stack.url);
    expect(await sessions[who].signIn(`${who}@demo.test`)).toBe(true);
  }
}, 240_000);
afterAll(async () => stack?.stop());

// Signed out, the proxy sends the caller to the sign-in page, or the route answers 401 itself.
const signedOutStatus = async (path: string) => {
  const response = await new HttpSession(stack.url).fetch(path);
  return (
    response.status === 401 || (response.status >= 302 && response.status <= 307 && /\/login/.test(response.headers.get("location") ?? ""))
  );
};

const json = async <T>(who: string, path: string): Promise<{ status: number; body: T }> => {
  const response = await sessions[who]!.fetch(path);
  return { status: response.status, body: (await response.json()) as T };
};

describe("list data for live refetches", () => {
  it("scopes the runs list to the experiments the user belongs to", async () => {
    type Page = { runs: { id: string; experiment: { name: string } }[]; hasNext: boolean };
    const viewer = await json<Page>("viewer", "/api/runs?status=running");
    expect(viewer.status).toBe(200);
    expect(viewer.body.runs.map((r) => r.id)).toEqual([runs.running]);
    const outsider = await json<Page>("outsider", "/api/runs");
    expect(outsider.body.runs).toEqual([]);
    const failed = await json<Page>("pi", "/api/runs?status=failed");
    expect(failed.body.runs.map((r) => r.id)).toEqual([runs.failed]);
    expect(await signedOutStatus("/api/runs")).toBe(true);
  });

  it("counts every active run on the overview, not the first page of runs", async () => {
    type Overview = { activeCount: number; active: unknown[]; recent: unknown[] };
    const scientist = await json<Overview>("scientist", "/api/overview");
    expect(scientist.body.activeCount).toBe(2 + EXTRA_QUEUED);
    expect(scientist.body.active).toHaveLength(5);
    expect(scientist.body.recent).toHaveLength(10);
    // The viewer is in the HEDM experiment only: its running run, none of the CookieBox queue.
    expect((await json<Overview>("viewer", "/api/overview")).body.activeCount).toBe(1);
    expect((await json<Overview>("outsider", "/api/overview")).body.activeCount).toBe(0);
  });

  it("answers one run's view only to those who may see it", async () => {
    expect((await json<{ id: string; status: string }>("viewer", `/api/runs/${runs.succeeded}`)).body).toMatchObject({
      id: runs.succeeded,
      status: "succeeded",
    });
    expect((await json("viewer", `/api/runs/${runs.failed}`)).status).toBe(404);
    expect((await json("outsider", `/api/runs/${runs.succeeded}`)).status).toBe(404);
  });

  it("gives trainers and edge hosts, with queues, to staff only", async () => {
    type Trainers = { trainers: { name: string; running: number; queued: number; agents: unknown[] }[]; checkedAtMs: number };
    const staff = await json<Trainers>("staff", "/api/trainers");
    expect(staff.status).toBe(200);
    expect(staff.body.trainers.find((t) => t.name === TOUR_TRAINER)).toMatchObject({ running: 1, queued: 1 + EXTRA_QUEUED });
    expect((await json("scientist", "/api/trainers")).status).toBe(403);
    expect((await json<{ edgeHosts: unknown[] }>("staff", "/api/edge-hosts")).body.edgeHosts).toHaveLength(1);
    expect((await json("viewer", "/api/edge-hosts")).status).toBe(403);
  });
});

describe("the runs-changed stream", () => {
  it("tells each user of the runs they may see, marking their own", async () => {
    const open = (who: string) => openEventStream<RunChangesMessage>(sessions[who]!, "/api/runs/events");
    const [scientist, viewer, outsider] = await Promise.all([open("scientist"), open("viewer"), open("outsider")]);
    try {
      for (const stream of [scientist, viewer, outsider]) {
        expect(stream.status).toBe(200);
        expect(await stream.next((m) => m.type === "hello", 5_000)).not.toBeNull();
      }
      // A change in each experiment: the succeeded HEDM run (the scientist's) and the failed CookieBox run (the PI's).
      // The web app's LISTEN connection opens with its first subscriber: publish until the scientist hears both (it
      // may start listening between the two, as it once did in CI: the second heard, the first not).
      const batchWith = (id: string) => (m: RunChangesMessage) => m.type === "runs" && m.runs.some((r) => r.id === id);
      const heard = (id: string) => scientist.messages.some((m) => batchWith(id)(m.data));
      for (let i = 0; i < 20 && !(heard(runs.succeeded) && heard(runs.failed)); i++) {
        await publish({ type: "run", runId: runs.succeeded }, stack.prisma);
        await publish({ type: "run", runId: runs.failed }, stack.prisma);
        await scientist.next(batchWith(runs.failed), 500);
      }
      const changeOf = async (stream: typeof scientist, id: string): Promise<RunChange | undefined> => {
        const message = (await stream.next(batchWith(id), 5_000))?.data;
        return message?.type === "runs" ? message.runs.find((r) => r.id === id) : undefined;
      };

      expect(await changeOf(scientist, runs.succeeded)).toMatchObject({ status: "succeeded", mine: true });
      expect(await changeOf(scientist, runs.failed)).toMatchObject({ status: "failed", mine: false });
      expect(await changeOf(viewer, runs.succeeded)).toMatchObject({ status: "succeeded", mine: false });
      // The viewer is not in the CookieBox experiment, the outsider in neither: nothing of those runs reaches them.
      await new Promise((r) => setTimeout(r, 1_000));
      expect(viewer.messages.some((m) => batchWith(runs.failed)(m.data))).toBe(false);
      expect(outsider.messages.filter((m) => m.data.type === "runs")).toEqual([]);
    } finally {
      for (const stream of [scientist, viewer, outsider]) stream.close();
    }
  });

  it("refuses a signed-out caller", async () => {
    expect(await signedOutStatus("/api/runs/events")).toBe(true);
  });
});
