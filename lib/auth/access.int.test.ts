// Roles and membership enforced on the server, over HTTP against the real dashboard and in the data layer.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Stack } from "@/testing/stack";
import { HttpSession } from "@/testing/http";
import type { CurrentUser } from "@/lib/auth/session";

let stack: Stack;
let hedmId: string;
let cookieId: string;

beforeAll(async () => {
  stack = await Stack.create({ name: "access" });
  process.env.DATABASE_URL = stack.databaseUrl;
  await stack.startWeb();
  hedmId = (await stack.prisma.experiment.findFirstOrThrow({ where: { technique: "HEDM" } })).id;
  cookieId = (await stack.prisma.experiment.findFirstOrThrow({ where: { NOT: { technique: "HEDM" } } })).id;
});
afterAll(async () => stack?.stop());

async function user(email: string): Promise<CurrentUser> {
  return stack.prisma.user.findUniqueOrThrow({ where: { email }, select: { id: true, role: true, name: true, email: true } });
}

describe("signed-out requests", () => {
  it.each(["/", "/experiments", "/experiments/some-experiment", "/runs", "/trainers", "/api/runs/x/events", "/api/turnaround/csv"])(
    "are refused: %s",
    async (path) => {
      const response = await new HttpSession(stack.url).fetch(path);
      expect([302, 303, 307, 401]).toContain(response.status);
      if (response.status !== 401) expect(response.headers.get("location")).toContain("/login");
    },
  );

  it("cannot sign in with a wrong password", async () => {
    expect(await new HttpSession(stack.url).signIn("scientist@demo.test", "wrong-password")).toBe(false);
  });
});

describe("membership", () => {
  it("hides an experiment from a scientist who is not a member", async () => {
    const outsider = new HttpSession(stack.url);
    expect(await outsider.signIn("outsider@demo.test")).toBe(true);
    const list = await (await outsider.fetch("/experiments")).text();
    expect(list).not.toContain("Ti-7Al");
    const detail = await (await outsider.fetch(`/experiments/${hedmId}`)).text();
    expect(detail).toContain("not found");
  });

  it("shows a member their experiment, and a viewer no Retrain button", async () => {
    const viewer = new HttpSession(stack.url);
    expect(await viewer.signIn("viewer@demo.test")).toBe(true);
    const page = await (await viewer.fetch(`/experiments/${hedmId}`)).text();
    expect(page).toContain("Ti-7Al in-situ loading");
    expect(page).not.toContain("Retrain…");
    expect(page).toContain("your role cannot launch retrains");
    expect(await (await viewer.fetch(`/experiments/${cookieId}`)).text()).toContain("not found");
  });
});

describe("permissions in the data layer (every server action calls requirePermission)", () => {
  it("lets a viewer change nothing, even in their own experiment", async () => {
    const { requirePermission } = await import("@/lib/auth/session");
    const viewer = await user("viewer@demo.test");
    for (const p of ["run:launch", "run:cancel", "run:retry", "dataset:register", "model:restore"] as const) {
      await expect(requirePermission(viewer, p, hedmId)).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
    await expect(requirePermission(viewer, "infrastructure:manage")).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("answers 'not found' to a scientist acting on an experiment they are not in", async () => {
    const { requirePermission } = await import("@/lib/auth/session");
    await expect(requirePermission(await user("outsider@demo.test"), "run:launch", hedmId)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(requirePermission(await user("scientist@demo.test"), "run:launch", hedmId)).resolves.toBeUndefined();
  });

  it("lets staff manage trainers and agent tokens, and the token works until revoked", async () => {
    const { requirePermission } = await import("@/lib/auth/session");
    const { createTrainer, issueAgentToken, revokeAgentToken } = await import("@/lib/server/infrastructure/manage-infrastructure");
    const staff = await user("staff@demo.test");
    await expect(requirePermission(await user("scientist@demo.test"), "infrastructure:manage")).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await requirePermission(staff, "infrastructure:manage");
    const trainer = await createTrainer({
      actorId: staff.id,
      input: { name: "polaris", site: "ALCF", hardware: "4×A100", executor: "slurm", concurrency: 4 },
    });
    const { agent, token } = await issueAgentToken({
      actorId: staff.id,
      input: { kind: "trainer", targetId: trainer.id, name: "polaris-login" },
    });
    const beat = () =>
      fetch(`${stack.url}/api/agent/v1/heartbeat`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ version: "test", dataPlaneUrl: null, activeTaskIds: [] }),
      });
    expect((await beat()).status).toBe(200);
    await revokeAgentToken({ actorId: staff.id, agentId: agent.id });
    const refused = await beat();
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: string }).error).toContain("revoked");
    const audit = await stack.prisma.auditEvent.findMany({ where: { actorUserId: staff.id }, select: { action: true } });
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(["trainer.create", "agent-token.issue", "agent-token.revoke"]));
  });

  it("shows the staff pages to staff only", async () => {
    const scientist = new HttpSession(stack.url);
    await scientist.signIn("scientist@demo.test");
    expect(await (await scientist.fetch("/trainers")).text()).toContain("Only facility staff");
    const staff = new HttpSession(stack.url);
    await staff.signIn("staff@demo.test");
    const page = await (await staff.fetch("/trainers")).text();
    expect(page).toContain("local-cpu");
    expect(page).not.toContain("Only facility staff");
  });
});

describe("production start-up", () => {
  it("refuses to start without a session secret", async () => {
    const { spawnSync } = await import("node:child_process");
    const env: NodeJS.ProcessEnv = { ...stack.env(), NODE_ENV: "production" };
    delete env.NEXTAUTH_SECRET;
    const result = spawnSync(process.execPath, ["node_modules/next/dist/bin/next", "start", "-p", "0", "-H", "127.0.0.1"], {
      env,
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("NEXTAUTH_SECRET must be set");
  });
});

describe("security at the edge of the app", () => {
  it("sends security headers, a content security policy among them", async () => {
    const response = await fetch(`${stack.url}/login`);
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("x-powered-by")).toBeNull();
  });

  it("rate-limits password guessing on one account, and says so", async () => {
    const session = new HttpSession(stack.url);
    const csrf = (await (await session.fetch("/api/auth/csrf")).json()) as { csrfToken: string };
    let lastError = "";
    for (let attempt = 0; attempt < 12; attempt++) {
      const body = new URLSearchParams({ csrfToken: csrf.csrfToken, email: "pi@demo.test", password: `guess-${attempt}`, json: "true" });
      const response = await session.fetch("/api/auth/callback/credentials", {
        method: "POST",
        body,
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
      lastError = decodeURIComponent(new URL(((await response.json()) as { url: string }).url).searchParams.get("error") ?? "");
    }
    expect(lastError).toContain("Too many sign-in attempts");
    // The right password is refused too while the limit holds: guessing cannot get through.
    expect(await new HttpSession(stack.url).signIn("pi@demo.test")).toBe(false);
  });
});
