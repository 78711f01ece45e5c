// Accounts, sessions and security headers over HTTP against the built dashboard, and in a real browser
// where what matters is what the browser does (where it goes after sign-in, whether pages hydrate).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import bcrypt from "bcryptjs";
import { chromium, type Browser } from "@playwright/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import playwrightConfig from "@/playwright.config";
import { Stack } from "@/testing/stack";
import { HttpSession } from "@/testing/http";

const PASSWORD = process.env.DEMO_PASSWORD ?? "beamline-demo";
// A real cost, so a refusal's time is measurable (the seed's hashes use cost 4 to keep tests fast).
const TIMING_COST = 10;

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await Stack.create({ name: "accounts", env: { BCRYPT_COST: String(TIMING_COST) } });
  process.env.DATABASE_URL = stack.databaseUrl;
  await stack.startWeb();
  browser = await chromium.launch({ headless: true, ...playwrightConfig.use?.launchOptions });
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** One credentials sign-in attempt as the form posts it, from `address` (as the proxy in front says). */
async function attempt(email: string, password: string, address: string): Promise<{ ok: boolean; error: string; ms: number }> {
  const session = new HttpSession(stack.url);
  const csrf = (await (await session.fetch("/api/auth/csrf")).json()) as { csrfToken: string };
  const started = performance.now();
  const response = await session.fetch("/api/auth/callback/credentials", {
    method: "POST",
    body: new URLSearchParams({ csrfToken: csrf.csrfToken, email, password, json: "true" }),
    headers: { "content-type": "application/x-www-form-urlencoded", "x-forwarded-for": address },
  });
  const ms = performance.now() - started;
  const error = decodeURIComponent(new URL(((await response.json()) as { url: string }).url).searchParams.get("error") ?? "");
  return { ok: error === "", error, ms };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

describe("#6 sign-in sends the browser only to this site", () => {
  it("#6 /login?callbackUrl=/\\evil.example/x signs in and stays on the dashboard", async () => {
    const page = await browser.newPage();
    // No network here: answer for the other site, so a wrong redirect shows as that site's page.
    await page.route("http://evil.example/**", (route) => route.fulfill({ status: 200, body: "evil" }));
    try {
      await page.goto(`${stack.url}/login?callbackUrl=/\\evil.example/x`);
      await page.getByLabel("E-mail").fill("scientist@demo.test");
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await page.waitForURL((url) => !url.pathname.startsWith("/login"), { timeout: 30_000 });
      expect(new URL(page.url()).origin).toBe(stack.url);
      await expect.poll(() => page.getByRole("navigation", { name: "Main" }).isVisible(), { timeout: 15_000 }).toBe(true);
    } finally {
      await page.close();
    }
  });

  it("#6 the redirect callback answers an encoded or foreign target with the home page", async () => {
    for (const callbackUrl of ["/\\evil.example/x", "//evil.example/x", "/%5Cevil.example", "http://evil.example/"]) {
      const session = new HttpSession(stack.url);
      const csrf = (await (await session.fetch("/api/auth/csrf")).json()) as { csrfToken: string };
      await session.fetch("/api/auth/signin/credentials", {
        method: "POST",
        body: new URLSearchParams({ csrfToken: csrf.csrfToken, callbackUrl, json: "true" }),
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
      // next-auth keeps the redirect callback's answer in a cookie (set only when it changes).
      const kept = /next-auth\.callback-url=([^;]*)/.exec(session.cookieHeader)?.[1] ?? "";
      expect(decodeURIComponent(kept), callbackUrl).toMatch(new RegExp(`^${stack.url}/?$`));
    }
  });
});

describe("#8 sign-in limits", () => {
  it("#8 guessing from one address locks that address out, not the account's owner elsewhere", async () => {
    let last = { ok: false, error: "", ms: 0 };
    for (let i = 0; i < 11; i++) last = await attempt("pi@demo.test", `guess-${i}`, "198.51.100.66");
    expect(last.error).toContain("Too many sign-in attempts");
    expect((await attempt("pi@demo.test", PASSWORD, "198.51.100.66")).error).toContain("Too many sign-in attempts");
    expect(await attempt("pi@demo.test", PASSWORD, "198.51.100.7")).toMatchObject({ ok: true });
  });

  it("#8 counts live in PostgreSQL: another process's hits count, and a flood of junk keys resets nothing", async () => {
    const { hitSignInLimits } = await import("@/lib/security/sign-in-limits");
    // This test process counts like a second web process would.
    for (let i = 0; i < 10; i++) expect(await hitSignInLimits("admin@demo.test", "203.0.113.5")).toBe(0);
    await stack.prisma.$executeRaw`
      insert into "RateLimitCounter" ("key", "windowStart", "count")
      select 'signin:account:junk-' || g || '@flood.test', now() at time zone 'UTC', 1 from generate_series(1, 10001) g`;
    expect((await attempt("admin@demo.test", PASSWORD, "203.0.113.5")).error).toContain("Too many sign-in attempts");
    expect(await attempt("admin@demo.test", PASSWORD, "203.0.113.6")).toMatchObject({ ok: true });
  });

  it("#8 one address spraying many e-mails is held by its per-address limit", async () => {
    for (let i = 0; i < 50; i++) await attempt(`nobody-${i}@spray.test`, "x", "192.0.2.44");
    expect((await attempt("viewer@demo.test", PASSWORD, "192.0.2.44")).error).toContain("Too many sign-in attempts");
    expect(await attempt("viewer@demo.test", PASSWORD, "192.0.2.45")).toMatchObject({ ok: true });
  });

  it("#8 an unknown e-mail takes as long to refuse as a wrong password", async () => {
    await stack.prisma.user.create({
      data: { email: "timing@demo.test", name: "Tim Timing", role: "viewer", passwordHash: await bcrypt.hash(PASSWORD, TIMING_COST) },
    });
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 7; i++) {
      known.push((await attempt("timing@demo.test", `wrong-${i}`, `192.0.2.${100 + i}`)).ms);
      unknown.push((await attempt(`ghost-${i}@demo.test`, `wrong-${i}`, `192.0.2.${150 + i}`)).ms);
    }
    expect(median(known)).toBeGreaterThan(20); // the bcrypt check is really there to measure
    expect(median(unknown) / median(known)).toBeGreaterThan(0.6);
  });
});

/** Opens a run's event stream and reads its first message; `closed` settles when the server ends it. */
async function openRunStream(cookie: string, runId: string) {
  const response = await fetch(`${stack.url}/api/runs/${runId}/events`, { headers: { cookie } });
  expect(response.status).toBe(200);
  const reader = response.body!.getReader();
  const first = new TextDecoder().decode((await reader.read()).value);
  expect(first).toContain(`"id":"${runId}"`);
  const closed = (async () => {
    while (!(await reader.read()).done) {
      /* keep-alives and updates */
    }
    return performance.now();
  })();
  return { closed, cancel: () => reader.cancel().catch(() => {}) };
}

async function endsWithin(closed: Promise<number>, since: number, ms: number): Promise<number | null> {
  const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), ms));
  const at = await Promise.race([closed, timeout]);
  return at === null ? null : at - since;
}

describe("#9 live streams follow the viewer's access", () => {
  let runId: string;
  let experimentId: string;

  beforeAll(async () => {
    const experiment = await stack.prisma.experiment.findFirstOrThrow({ where: { technique: "HEDM" } });
    experimentId = experiment.id;
    const dataset = await stack.prisma.dataset.findFirstOrThrow({ where: { experimentId } });
    const family = await stack.prisma.modelFamily.findUniqueOrThrow({ where: { key: dataset.familyKey } });
    const trainer = await stack.prisma.trainer.findFirstOrThrow();
    const scientist = await stack.prisma.user.findUniqueOrThrow({ where: { email: "scientist@demo.test" } });
    const run = await stack.prisma.run.create({
      data: {
        experimentId,
        datasetId: dataset.id,
        familyId: family.id,
        trainerId: trainer.id,
        edgeHostId: dataset.edgeHostId,
        createdById: scientist.id,
        params: {},
        idempotencyKey: `accounts-test-${Date.now()}`,
        status: "succeeded",
        endedAt: new Date(),
      },
    });
    runId = run.id;
  });

  it("#9 a member's run stream ends within seconds of their removal from the experiment", async () => {
    const viewer = new HttpSession(stack.url);
    expect(await viewer.signIn("viewer@demo.test")).toBe(true);
    const stream = await openRunStream(viewer.cookieHeader, runId);
    const user = await stack.prisma.user.findUniqueOrThrow({ where: { email: "viewer@demo.test" } });
    const removedAt = performance.now();
    await stack.prisma.experimentMember.delete({ where: { experimentId_userId: { experimentId, userId: user.id } } });
    const after = await endsWithin(stream.closed, removedAt, 10_000);
    await stream.cancel();
    expect(after, "the stream outlived the membership by 10 s").not.toBeNull();
    expect(after!).toBeLessThan(8_000);
    expect((await viewer.fetch(`/api/runs/${runId}/events`)).status).toBe(404);
  });

  it("#9 signing out ends the session's streams, and a copy of the old session cookie is refused", async () => {
    const scientist = new HttpSession(stack.url);
    expect(await scientist.signIn("scientist@demo.test")).toBe(true);
    const oldCookie = scientist.cookieHeader;
    const stream = await openRunStream(oldCookie, runId);
    const csrf = (await (await scientist.fetch("/api/auth/csrf")).json()) as { csrfToken: string };
    const signedOutAt = performance.now();
    await scientist.fetch("/api/auth/signout", {
      method: "POST",
      body: new URLSearchParams({ csrfToken: csrf.csrfToken, json: "true" }),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    const after = await endsWithin(stream.closed, signedOutAt, 10_000);
    await stream.cancel();
    expect(after, "the stream outlived the session by 10 s").not.toBeNull();
    expect(after!).toBeLessThan(8_000);
    expect((await fetch(`${stack.url}/api/runs/${runId}/events`, { headers: { cookie: oldCookie } })).status).toBe(401);
    expect((await fetch(`${stack.url}/api/cost-model/events`, { headers: { cookie: oldCookie } })).status).toBe(401);
    // Signing in again works as before.
    expect(await new HttpSession(stack.url).signIn("scientist@demo.test")).toBe(true);
  });
});

describe("#10 headers and secrets", () => {
  it("#10 every script on a page carries this response's nonce, and the policy allows no other inline script", async () => {
    const nonces: string[] = [];
    for (let i = 0; i < 2; i++) {
      const response = await fetch(`${stack.url}/login`);
      const csp = response.headers.get("content-security-policy") ?? "";
      const scriptSrc = csp.split(";").find((d) => d.trim().startsWith("script-src")) ?? "";
      expect(scriptSrc).not.toContain("'unsafe-inline'");
      expect(scriptSrc).toContain("'strict-dynamic'");
      const nonce = /'nonce-([^']+)'/.exec(scriptSrc)?.[1];
      expect(nonce).toBeTruthy();
      nonces.push(nonce!);
      const scripts = (await response.text()).match(/<script\b[^>]*>/g) ?? [];
      expect(scripts.length).toBeGreaterThan(0);
      for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
    }
    expect(nonces[0]).not.toBe(nonces[1]);
  });

  it("#10 pages hydrate under the policy: the sign-in form works and the browser reports no violation", async () => {
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
    });
    try {
      await page.goto(`${stack.url}/login`);
      await page.getByLabel("E-mail").fill("staff@demo.test");
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      // Without hydration the form would submit itself as a GET to /login?email=… instead.
      await expect.poll(() => page.getByRole("navigation", { name: "Main" }).isVisible(), { timeout: 30_000 }).toBe(true);
      expect(page.url()).not.toContain("password=");
      await page.goto(`${stack.url}/trainers`);
      await expect.poll(() => page.getByText("local-cpu").first().isVisible(), { timeout: 15_000 }).toBe(true);
      expect(violations).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("#10 sends HSTS when the site is served over HTTPS, and not over plain HTTP", async () => {
    const https = await fetch(`${stack.url}/login`, { headers: { "x-forwarded-proto": "https" } });
    expect(https.headers.get("strict-transport-security")).toMatch(/^max-age=\d{7,}/);
    expect((await fetch(`${stack.url}/login`)).headers.get("strict-transport-security")).toBeNull();
  });

  it("#10 the generated session secret is readable by its owner only", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "secret-"));
    const file = path.join(dir, "nextauth-secret");
    try {
      // As `npm start` makes it, under the common umask 022.
      const result = spawnSync("bash", ["-c", `umask 022 && node --import tsx scripts/local-secret.ts "${file}"`], { encoding: "utf8" });
      expect(result.status, result.stderr).toBe(0);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(fs.readFileSync(file, "utf8")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
