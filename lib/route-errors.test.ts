import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { jsonError, withRouteErrors } from "@/lib/route-errors";

describe("jsonError", () => {
  it("answers an AppError with its status, code and message", async () => {
    const response = jsonError(new AppError("NOT_FOUND", "No such run."));
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: "No such run.", code: "NOT_FOUND" });
  });

  it("sends Retry-After for a rate limit", () => {
    const response = jsonError(new AppError("RATE_LIMITED", "Slow down.", undefined, 7));
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("7");
  });

  it("answers zod's issues as 400 naming the first bad field, with every field's errors", async () => {
    const parsed = z.object({ epochs: z.number().min(1, "At least one epoch."), name: z.string() }).safeParse({ epochs: 0 });
    const response = jsonError(parsed.error);
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.code).toBe("INVALID_INPUT");
    expect(body.error).toBe("Invalid request: epochs: At least one epoch.");
    expect(Object.keys(body.fieldErrors)).toEqual(["epochs", "name"]);
  });

  it("answers any other error as a logged 500 that does not leak its message", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const response = jsonError(new Error("password=hunter2"));
    expect(response.status).toBe(500);
    const body = await response.json();
    expect(body).toEqual({ error: "Internal error; the dashboard logged it.", code: "INTERNAL" });
    expect(log).toHaveBeenCalledOnce();
    log.mockRestore();
  });
});

describe("withRouteErrors", () => {
  it("passes the handler's response through and turns what it throws into jsonError's answer", async () => {
    const route = withRouteErrors(async (request: Request) => {
      if (new URL(request.url).searchParams.has("deny")) throw new AppError("FORBIDDEN", "Not yours.");
      return Response.json({ ok: true });
    });
    expect((await route(new Request("http://x/a"))).status).toBe(200);
    const denied = await route(new Request("http://x/a?deny"));
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({ error: "Not yours.", code: "FORBIDDEN" });
  });
});
