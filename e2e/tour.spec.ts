// The page tour: every route as every role, on a database holding runs in every state (testing/tour-runs.ts).
// A page fails on an error boundary, a console error, a React warning, an uncaught error, a failed request
// or an unexpected status, and on any serious or critical axe-core violation. Every page is kept as a
// screenshot under test-results/tour/.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { AxeBuilder } from "@axe-core/playwright";
import { expect, test, type ConsoleMessage, type Page, type Request, type Response } from "@playwright/test";
import { signIn } from "./helpers";

type Role = "admin" | "staff" | "scientist" | "pi" | "viewer" | "outsider";
const ROLES: readonly Role[] = ["admin", "staff", "scientist", "pi", "viewer", "outsider"];
type RunState = "queued" | "running" | "succeeded" | "failed" | "lost" | "canceled";

interface Seeded {
  /** The e2e stack the runs went into (its database name repeats from one test run to the next). */
  stack: string;
  runs: Record<RunState, string>;
  experiments: Record<string, string>;
}

const HEDM = "Ti-7Al in-situ loading (HEDM)";
const COOKIE = "Attosecond streaking (CookieBox)";
// Who belongs to which experiment (prisma/seed.ts); staff and admins see every experiment.
const MEMBERS: Record<string, readonly Role[]> = { [HEDM]: ["pi", "scientist", "viewer"], [COOKIE]: ["pi", "scientist"] };
// The experiment of each seeded run (testing/tour-runs.ts: BraggNN runs in HEDM, CookieNetAE runs in CookieBox).
const RUN_EXPERIMENT: Record<RunState, string> = {
  succeeded: HEDM,
  failed: COOKIE,
  lost: HEDM,
  canceled: COOKIE,
  running: HEDM,
  queued: COOKIE,
};

interface Route {
  name: string;
  path: (seeded: Seeded) => string;
  /** The experiment the page belongs to: anyone outside it gets the not-found page (404). */
  experiment?: string;
  /** Checks after load, for this role. */
  check?: (page: Page, role: Role) => Promise<void>;
}

const RUN_STATES: readonly RunState[] = ["queued", "running", "succeeded", "failed", "lost", "canceled"];

const ROUTES: readonly Route[] = [
  { name: "overview", path: () => "/" },
  { name: "experiments", path: () => "/experiments" },
  { name: "experiment HEDM", path: (s) => `/experiments/${s.experiments[HEDM]}`, experiment: HEDM },
  { name: "experiment CookieBox", path: (s) => `/experiments/${s.experiments[COOKIE]}`, experiment: COOKIE },
  { name: "data roots", path: (s) => `/experiments/${s.experiments[HEDM]}/data`, experiment: HEDM },
  { name: "runs", path: () => "/runs" },
  { name: "runs failed", path: () => "/runs?status=failed" },
  ...RUN_STATES.map((state): Route => ({
    name: `run ${state}`,
    path: (s) => `/runs/${s.runs[state]}`,
    experiment: RUN_EXPERIMENT[state],
    check: async (page) => {
      await expect(page.locator("h1 .badge")).toHaveText(state);
      // The tab names the run's state; the live stream connects (the running run's Gantt draws its open bar).
      await expect(page).toHaveTitle(new RegExp(`Run #\\d+ ${state}`));
      await expect(page.getByText("live", { exact: true })).toBeVisible();
    },
  })),
  { name: "models", path: () => "/models" },
  { name: "models BraggNN", path: () => "/models/braggnn" },
  { name: "models CookieNetAE", path: () => "/models/cookienetae" },
  { name: "cost model", path: () => "/cost-model" },
  { name: "predictions", path: () => "/predictions" },
  {
    name: "turnaround",
    path: () => "/turnaround?days=0",
    check: async (page) => {
      await expect(page.getByLabel("Experiment")).not.toContainText("{");
    },
  },
  { name: "trainers", path: () => "/trainers" },
  { name: "edge hosts", path: () => "/edge-hosts" },
  { name: "audit", path: () => "/audit" },
];

const visible = (route: Route, role: Role) =>
  !route.experiment || role === "admin" || role === "staff" || (MEMBERS[route.experiment] ?? []).includes(role);

const readyFile = process.env.E2E_READY_FILE ?? ".data/e2e-ready";
const seedFile = "test-results/tour/seed.json";

/** Seeds the tour's runs once per e2e database (a worker restarted after a failure reuses them). */
function seed(): Seeded {
  const { databaseUrl } = JSON.parse(fs.readFileSync(readyFile, "utf8")) as { databaseUrl: string };
  const stack = `${databaseUrl}@${fs.statSync(readyFile).mtimeMs}`;
  if (fs.existsSync(seedFile)) {
    const kept = JSON.parse(fs.readFileSync(seedFile, "utf8")) as Seeded;
    if (kept.stack === stack) return kept;
  }
  const out = execFileSync(process.execPath, ["--import", "tsx", "testing/seed-tour-runs.ts"], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: "utf8",
  });
  const seeded: Seeded = { stack, ...(JSON.parse(out.trim().split("\n").at(-1)!) as Omit<Seeded, "stack">) };
  fs.rmSync(path.dirname(seedFile), { recursive: true, force: true });
  fs.mkdirSync(path.dirname(seedFile), { recursive: true });
  fs.writeFileSync(seedFile, JSON.stringify(seeded));
  return seeded;
}

/** Everything the page reports while it loads and settles; listeners come off before the next navigation. */
function watch(page: Page, expectedStatuses: readonly number[]) {
  const problems: string[] = [];
  // Only this visit's requests: the previous page's are cut off by the navigation itself.
  const ours = new Set<Request>();
  const onRequest = (request: Request) => void ours.add(request);
  const onConsole = (message: ConsoleMessage) => {
    const text = message.text();
    // Chromium logs the page's own expected 404 as "Failed to load resource"; anything else counts.
    if (expectedStatuses.includes(404) && /status of 404/.test(text) && message.location().url === page.url()) return;
    // The browser's own favicon probe is not the page's request (public/ icons come with the ops branch).
    if (/status of 404/.test(text) && message.location().url.endsWith("/favicon.ico")) return;
    if (message.type() === "error") problems.push(`console error: ${text}`);
    else if (message.type() === "warning" && /react|hydrat|warning:/i.test(text)) problems.push(`React warning: ${text}`);
  };
  const onPageError = (error: Error) => problems.push(`uncaught: ${error.message}`);
  // An aborted request is the client's own choice (Next cancels route prefetches it no longer needs), not a failure.
  const onRequestFailed = (request: Request) =>
    ours.has(request) &&
    request.failure()?.errorText !== "net::ERR_ABORTED" &&
    problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`);
  const onResponse = (response: Response) => {
    if (!ours.has(response.request())) return;
    const document = response.request().isNavigationRequest() && response.request().frame() === page.mainFrame();
    if (document && !expectedStatuses.includes(response.status()))
      problems.push(`page answered ${response.status()}, expected ${expectedStatuses.join(" or ")}`);
    else if (!document && response.status() >= 400) problems.push(`${response.status()} from ${response.url()}`);
  };
  page.on("request", onRequest);
  page.on("console", onConsole);
  page.on("pageerror", onPageError);
  page.on("requestfailed", onRequestFailed);
  page.on("response", onResponse);
  return {
    problems,
    stop: () => {
      page.off("request", onRequest);
      page.off("console", onConsole);
      page.off("pageerror", onPageError);
      page.off("requestfailed", onRequestFailed);
      page.off("response", onResponse);
    },
  };
}

let seeded: Seeded;
test.beforeAll(() => {
  seeded = seed();
});

for (const role of ROLES) {
  test.describe(`page tour as ${role}`, () => {
    let page: Page;
    test.beforeAll(async ({ browser }) => {
      // One sign-in per role, kept for a worker restarted after a failure (sign-ins are rate-limited).
      const state = `test-results/tour/${role}-session.json`;
      const signedIn = fs.existsSync(state);
      page = await (
        await browser.newContext({ viewport: { width: 1360, height: 900 }, storageState: signedIn ? state : undefined })
      ).newPage();
      if (!signedIn) {
        await signIn(page, role);
        await page.context().storageState({ path: state });
      }
    });
    test.afterAll(async () => {
      await page.context().close();
    });

    for (const route of ROUTES) {
      test(`${route.name}`, async () => {
        const shown = visible(route, role);
        // A page hidden from the role renders its not-found page: 404, or 200 when its loading state had already streamed.
        const watcher = watch(page, shown ? [200] : [404, 200]);
        try {
          await page.goto(route.path(seeded), { waitUntil: "load" });
          await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
          await expect(page.getByRole("heading", { name: "Something went wrong" })).toHaveCount(0);
          await expect(page.getByRole("heading", { name: "Beamline Retrain hit an error" })).toHaveCount(0);
          if (!shown) await expect(page.getByRole("heading", { name: /not found/ })).toBeVisible();
          else if (route.check) await route.check(page, role);

          const axe = await new AxeBuilder({ page }).analyze();
          const serious = axe.violations
            .filter((v) => v.impact === "serious" || v.impact === "critical")
            .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
          await page.screenshot({ path: `test-results/tour/${role}/${route.name.replace(/\W+/g, "-")}.png`, fullPage: true });
          expect(serious, "axe-core: serious or critical violations").toEqual([]);
          expect(watcher.problems, "console errors, warnings, failed requests").toEqual([]);
        } finally {
          watcher.stop();
        }
      });
    }
  });
}
