// Two stage-ins of one file at once on one agent (issue 10 #18: two runs of the same dataset): real data
// plane, real HTTP on 127.0.0.1, real files. The task context is a plain object recording what the
// handler reports (the dashboard is not part of this test).
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDataPlaneServer, type DataPlaneServer, type TransferGrant } from "@/agent/dataplane/server";
import { sha256File } from "@/agent/dataplane/hash";
import { fetchTicket } from "@/agent/tasks/transfer";
import { storePath } from "@/agent/store";
import type { TaskContext } from "@/agent/task-context";

const dir = mkdtempSync(path.join(tmpdir(), "br-stage-"));
const SIZE = 24 * 1024 * 1024 + 17;
const data = randomBytes(SIZE);
const sha = createHash("sha256").update(data).digest("hex");
const grants = new Map<string, TransferGrant>();
let server: DataPlaneServer;

beforeAll(async () => {
  const src = path.join(dir, "edge", "scan.h5");
  mkdirSync(path.dirname(src), { recursive: true });
  writeFileSync(src, data);
  for (const id of ["transfer-a", "transfer-b"]) grants.set(`token-${id}`, { transferId: id, path: src, bytes: SIZE, sha256: sha });
  server = await createDataPlaneServer({
    host: "127.0.0.1",
    port: 0,
    grantCacheMs: 0,
    authorize: async (token) => grants.get(token) ?? null,
  });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function context(logs: string[]): TaskContext {
  return {
    task: { id: "task", runId: "run", kind: "stage_in", attempt: 1, payload: {}, leaseSeconds: 20 },
    config: {} as TaskContext["config"],
    signal: new AbortController().signal,
    emit: () => undefined,
    log: (line) => logs.push(line),
    takeFinal: async () => [],
  };
}

describe("#18 concurrent stage-ins of one sha256", () => {
  it("#18 each download has its own .part; both verify, and one whole file lands in the store", async () => {
    const workdir = path.join(dir, "trainer");
    const dest = storePath(workdir, sha, "dataset");
    const logs: string[] = [];
    const ticket = (id: string) => ({
      transferId: id,
      url: `${server.url}/v1/transfers/${id}`,
      token: `token-${id}`,
      bytes: SIZE,
      sha256: sha,
    });
    const results = await Promise.all(["transfer-a", "transfer-b"].map((id) => fetchTicket(context(logs), ticket(id), dest, id)));
    expect(results.map((r) => r.transferId)).toEqual(["transfer-a", "transfer-b"]);
    // No copy was corrupted by the other (a shared .part would interleave both streams).
    expect(logs.filter((l) => l.includes("checksum mismatch"))).toEqual([]);
    expect(await sha256File(dest)).toBe(sha);
    expect(readdirSync(path.dirname(dest))).toEqual([path.basename(dest)]);
  });
});
