import { expect, test } from "@playwright/test";
import fs from "node:fs";
import { keepScreenshot, openRetrainDialog, signIn } from "./helpers";

test("a viewer reads an experiment but cannot launch or register anything", async ({ page }) => {
  await signIn(page, "viewer");
  await page.getByRole("link", { name: "Experiments" }).click();
  await page.getByRole("link", { name: "Ti-7Al in-situ loading (HEDM)" }).click();
  await expect(page.getByRole("heading", { name: "Datasets" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Retrain…" })).toHaveCount(0);
  await expect(page.getByText("Read-only: your role cannot launch retrains")).toBeVisible();
  // The data roots page shows the experiment's files, but offers a viewer nothing to register.
  await page.getByRole("link", { name: "Data roots" }).click();
  await expect(page.getByRole("heading", { name: "Data roots" })).toBeVisible();
  await expect(page.getByText("Your role (viewer) cannot register datasets.")).toBeVisible();
  await expect(page.getByRole("button", { name: /^Register / })).toHaveCount(0);
  await keepScreenshot(page, "viewer-refused");
});

test("staff cancel a running retrain and revoke an agent token", async ({ page, request }) => {
  const dialog = await openRetrainDialog(page, "staff");
  await dialog.getByRole("radio", { name: "local-cpu" }).check();
  await dialog.getByLabel("Epochs").fill("500");
  await dialog.getByLabel("Max samples").fill("2000");
  await dialog.getByRole("button", { name: "Launch retrain" }).click();
  await expect(page).toHaveURL(/\/runs\//);
  await expect(page.getByText(/epoch \d+\/500/)).toBeVisible({ timeout: 120_000 });
  await page.getByRole("button", { name: "Cancel run" }).click();
  await expect(page.locator("h1 .badge")).toHaveText("canceled", { timeout: 60_000 });
  await keepScreenshot(page, "staff-canceled-run");

  await page.goto("/trainers");
  const trainer = page.getByRole("region", { name: "Trainer local-cpu" });
  await trainer.getByLabel("New agent name").fill("e2e-spare-agent");
  await trainer.getByRole("button", { name: "Issue token" }).click();
  const token = (await trainer.getByTestId("issued-token").textContent())?.trim() ?? "";
  expect(token).toMatch(/^brt_/);
  const heartbeat = () =>
    request.post("/api/agent/v1/heartbeat", {
      headers: { authorization: `Bearer ${token}` },
      data: { version: "e2e", dataPlaneUrl: null, activeTaskIds: [] },
    });
  expect((await heartbeat()).status()).toBe(200);
  page.once("dialog", (d) => d.accept());
  await trainer
    .getByRole("row", { name: /e2e-spare-agent/ })
    .getByRole("button", { name: "Revoke" })
    .click();
  await expect(trainer.getByRole("row", { name: /e2e-spare-agent/ }).getByText("revoked")).toBeVisible();
  const refused = await heartbeat();
  expect(refused.status()).toBe(401);
  expect((await refused.json()).error).toContain("revoked");
  await page.goto("/audit");
  await expect(page.getByText("agent-token.revoke").first()).toBeVisible();
  await keepScreenshot(page, "staff-audit-after-revoke");
});

test("a PI reads the turnaround report and exports it as CSV", async ({ page }) => {
  await signIn(page, "pi");
  await page.getByRole("link", { name: "Turnaround" }).click();
  await expect(page.getByRole("heading", { name: /Turnaround/ })).toBeVisible();
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download CSV" }).click()]);
  const csv = fs.readFileSync((await download.path())!, "utf8");
  const [header, ...rows] = csv.trim().split(/\r?\n/);
  expect(header).toMatch(/run/i);
  expect(rows.length).toBeGreaterThan(0);
  await keepScreenshot(page, "pi-turnaround");
});
