// The agent's HTTP client for the dashboard. Network errors and 5xx (dashboard restarting, PostgreSQL
// restarting) are retried with back-off; 4xx are the agent's own mistake and are thrown at once.
import type { z } from "zod";

export class DashboardError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "DashboardError";
  }
}

export interface DashboardClient {
  request<T>(
    method: "GET" | "POST",
    path: string,
    options?: { body?: unknown; schema?: z.ZodType<T>; timeoutMs?: number; retries?: number },
  ): Promise<T | null>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createDashboardClient(baseUrl: string, token: string, version: string): DashboardClient {
  return {
    async request(method, path, { body, schema, timeoutMs = 30_000, retries = 8 } = {}) {
      let delay = 250;
      for (let attempt = 0; ; attempt++) {
        let response: Response;
        try {
          response = await fetch(new URL(path, baseUrl), {
            method,
            headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "user-agent": `beamline-agent/${version}` },
            body: body === undefined ? undefined : JSON.stringify(body),
            signal: AbortSignal.timeout(timeoutMs),
          });
        } catch (error) {
          if (attempt >= retries) throw new DashboardError(`Dashboard unreachable: ${(error as Error).message}`, 0);
          await sleep(delay);
          delay = Math.min(delay * 2, 5000);
          continue;
        }
        if (response.status >= 500 && attempt < retries) {
          await sleep(delay);
          delay = Math.min(delay * 2, 5000);
          continue;
        }
        if (response.status === 204) return null;
        const text = await response.text();
        let json: unknown = null;
        try {
          json = text ? JSON.parse(text) : null;
        } catch {
          throw new DashboardError(`Dashboard answered ${response.status} with non-JSON: ${text.slice(0, 200)}`, response.status);
        }
        if (!response.ok) {
          const message = (json as { error?: string } | null)?.error ?? response.statusText;
          throw new DashboardError(`${method} ${path}: ${response.status} ${message}`, response.status);
        }
        if (!schema) return json as never;
        const parsed = schema.safeParse(json);
        if (!parsed.success)
          throw new DashboardError(`Dashboard sent an unexpected ${path} response: ${parsed.error.issues[0]?.message}`, response.status);
        return parsed.data;
      }
    },
  };
}
