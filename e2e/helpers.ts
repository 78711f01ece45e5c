import { expect, type Page } from "@playwright/test";

export const DEMO_PASSWORD = process.env.DEMO_PASSWORD ?? "beamline-demo";

export async function signIn(page: Page, who: "scientist" | "staff" | "viewer" | "pi" | "admin" | "outsider") {
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(`${who}@demo.test`);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
}

/** Keeps a screenshot of a journey's end as a test artifact. */
export async function keepScreenshot(page: Page, name: string) {
  await page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
}

/** Signs in as `who`, opens the seeded Ti-7Al experiment and its Retrain dialog; resolves with the dialog. */
export async function openRetrainDialog(page: Page, who: "scientist" | "staff") {
  await signIn(page, who);
  await page.goto("/experiments");
  await page.getByRole("link", { name: "Ti-7Al in-situ loading (HEDM)" }).click();
  await page.getByRole("button", { name: "Retrain…" }).click();
  return page.getByRole("dialog", { name: "Retrain a model" });
}
