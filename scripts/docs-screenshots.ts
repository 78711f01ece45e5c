// Refreshes the README's screenshots (docs/*.png) from a running dashboard with seeded demo data, in Debian's
// Chromium: the Retrain dialog before launch and a BraggNN run after it deployed (and the turnaround report, kept
// under test-results/).
// Usage (the e2e stack, as scripts/test.sh starts it, listening on E2E_BASE_URL):
//   E2E_BASE_URL=http://127.0.0.1:3100 node --import tsx scripts/docs-screenshots.ts
import { chromium, expect, type Page } from "@playwright/test";

const BASE = process.env.E2E_BASE_URL ?? "http://127.0.0.1:3100";
const PASSWORD = process.env.DEMO_PASSWORD ?? "beamline-demo";
const VIEWPORT = { width: 1360, height: 900 };

async function signIn(page: Page, who: string) {
  await page.goto(`${BASE}/login`);
  await page.getByLabel("E-mail").fill(`${who}@demo.test`);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
}

async function main() {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox"] });
  try {
    const page = await (await browser.newContext({ viewport: VIEWPORT, colorScheme: "dark" })).newPage();
    await signIn(page, "scientist");
    await page.getByRole("link", { name: "Experiments" }).click();
    await page.getByRole("link", { name: "Ti-7Al in-situ loading (HEDM)" }).click();
    await page.getByRole("button", { name: "Retrain…" }).click();
    const dialog = page.getByRole("dialog", { name: "Retrain a model" });
    const datasets = dialog.getByLabel("Dataset");
    const scan = await datasets.locator("option", { hasText: "scan-0042" }).first().getAttribute("value");
    await datasets.selectOption(scan ?? "");
    await expect(dialog.getByRole("table", { name: "Predicted turnaround per trainer" }).getByText("fastest")).toBeVisible();
    await dialog.getByRole("radio", { name: "local-cpu" }).check();
    await dialog.getByLabel("Epochs").fill("10");
    await dialog.getByLabel("Max samples").fill("4000");
    await page.screenshot({ path: "docs/retrain-dialog.png" });

    await dialog.getByRole("button", { name: "Launch retrain" }).click();
    await expect(page).toHaveURL(/\/runs\//);
    await expect(page.locator("h1 .badge")).toHaveText("succeeded", { timeout: 300_000 });
    const notice = page.getByRole("button", { name: /Dismiss the notice/ });
    if (await notice.isVisible()) await notice.click();
    await page.screenshot({ path: "docs/run-page.png", fullPage: true });

    await page.goto(`${BASE}/turnaround?days=0`);
    await expect(page.getByRole("heading", { name: /Where the time goes/ })).toBeVisible();
    await page.screenshot({ path: "test-results/turnaround.png", fullPage: true });
  } finally {
    await browser.close();
  }
}

await main();
