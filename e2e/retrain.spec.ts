import { expect, test } from "@playwright/test";
import { keepScreenshot, signIn } from "./helpers";

test("a scientist retrains BraggNN and watches it go to a deployed model", async ({ page }) => {
  await signIn(page, "scientist");
  await page.getByRole("link", { name: "Experiments" }).click();
  await page.getByRole("link", { name: "Ti-7Al in-situ loading (HEDM)" }).click();
  await expect(page.getByRole("heading", { name: "Datasets" })).toBeVisible();

  await page.getByRole("button", { name: "Retrain…" }).click();
  const dialog = page.getByRole("dialog", { name: "Retrain a model" });
  const scan = dialog.locator("option", { hasText: "scan-0042 patches (simulated) (braggnn," });
  await dialog.getByLabel("Dataset").selectOption((await scan.getAttribute("value")) ?? "");
  // The predicted turnaround is shown for every trainer before launch, the fastest marked.
  const predictions = dialog.getByRole("table", { name: "Predicted turnaround per trainer" });
  await expect(predictions.getByText("local-cpu")).toBeVisible();
  await expect(predictions.getByText("fastest")).toBeVisible();
  await dialog.getByRole("radio", { name: "local-cpu" }).check();
  await dialog.getByLabel("Epochs").fill("3");
  await dialog.getByLabel("Max samples").fill("4000");
  // The dialog recomputes on the server for these inputs; what it shows is what the run stores.
  const shown = dialog.getByTestId("prediction-local-cpu");
  await expect(dialog.getByText(/80 % interval/)).toBeVisible({ timeout: 30_000 });
  await expect(shown).toContainText(/ ± /);
  const predictedTotal = (await shown.innerText()).split(" ± ")[0].trim();
  await dialog.getByRole("button", { name: "Launch retrain" }).click();

  await expect(page).toHaveURL(/\/runs\//);
  await expect(page.getByText("live", { exact: true })).toBeVisible();
  // Live progress without reloading: epochs arrive, then the run ends deployed.
  await expect(page.getByText(/epoch \d+\/3/)).toBeVisible({ timeout: 120_000 });
  // The browser tab carries the run's state while its page is open.
  const runNumber = (await page.locator("h1").textContent())?.match(/#(\d+)/)?.[1];
  await expect(page).toHaveTitle(new RegExp(`Run #${runNumber} (running|succeeded)`));
  // On another page the end of the run still reaches the scientist (a notice fed by the live stream), and the
  // overview's table changes without a reload.
  await page.getByRole("link", { name: "Overview" }).click();
  const notice = page.getByRole("status", { name: "Run notices" });
  await expect(notice).toContainText(`Run #${runNumber} succeeded`, { timeout: 150_000 });
  await expect(page.getByRole("table", { name: "Runs" }).getByRole("row", { name: new RegExp(`#${runNumber}\\b`) })).toContainText(
    "succeeded",
  );
  await notice.getByRole("link", { name: `Open run #${runNumber}` }).click();
  await expect(page.locator("h1 .badge")).toHaveText("succeeded", { timeout: 30_000 });
  await expect(page).toHaveTitle(new RegExp(`Run #${runNumber} succeeded`));
  await expect(page.getByText(/deployed on aps-1id-edge/)).toBeVisible();
  const breakdown = page.getByRole("table", { name: "Turnaround breakdown" });
  // The rows are the step registry's Table-1 columns (lib/flow/steps), then control overhead and end-to-end.
  for (const part of ["Queue", "Data transfer", "Model training", "Model transfer", "Deploy", "Control overhead", "End-to-end"]) {
    await expect(breakdown.getByText(part)).toBeVisible();
  }
  // The prediction the dialog showed stands beside the actual end-to-end time.
  await expect(breakdown.getByRole("row", { name: /End-to-end/ })).toContainText(predictedTotal);
  // The prediction-error page renders with a finished predicted run (it used to end in React error #441).
  await page.goto("/predictions");
  await expect(page.getByRole("table", { name: "Prediction error per trainer and model family" })).toContainText("local-cpu · BraggNN");
  await keepScreenshot(page, "scientist-retrain-deployed");
});
