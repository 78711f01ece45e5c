import { expect, test } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { E2E_PREPARED_STANDBY_SECONDS } from "../testing/e2e-settings";
import { openRetrainDialog } from "./helpers";

/** The Slurm jobs the dialog's standby requests submitted (agent/zoo.ts names them br-prepared-<ms>-standby): id → state. */
function preparedStandbys(): Map<string, string> {
  const listing = execFileSync("squeue", ["-h", "-o", "%i %j %T"], { encoding: "utf8", timeout: 15_000 });
  const jobs = new Map<string, string>();
  for (const line of listing.split("\n")) {
    const [id, name, state] = line.trim().split(/\s+/);
    if (/^br-prepared-\d+-standby$/.test(name ?? "")) jobs.set(id, state);
  }
  return jobs;
}

test("the Retrain dialog keeps a Slurm job standing by while it is open, and the job gives up once it closes", async ({ page }) => {
  // scripts/test.sh starts the one-node cluster and exports SLURM_CONF, as the Slurm integration tests need it too;
  // without it the e2e stack runs no Slurm agent, and this journey fails here rather than pass unseen.
  expect(process.env.SLURM_CONF, "SLURM_CONF (the one-node Slurm cluster scripts/test.sh starts)").toBeTruthy();
  const dialog = await openRetrainDialog(page, "scientist");
  await dialog.getByRole("radio", { name: "slurm-cluster" }).check();

  // The dialog says what it holds, and the agent has a job of the training's shape in Slurm's queue.
  await expect(dialog.getByTestId("standby-note")).toContainText("keeps a Slurm job standing by while this dialog is open");
  await expect.poll(() => preparedStandbys().size, { timeout: 30_000 }).toBeGreaterThan(0);
  const [standbyId] = [...preparedStandbys().keys()];

  // Left alone, the job gives up E2E_PREPARED_STANDBY_SECONDS after its last renewal: still there well past that,
  // it is the dialog's repeated requests that keep it.
  await page.waitForTimeout((2 * E2E_PREPARED_STANDBY_SECONDS + 2) * 1000);
  expect(preparedStandbys().get(standbyId)).toBe("RUNNING");

  // Closed without a launch, nothing renews it: it leaves the queue by itself, holding no allocation.
  await dialog.getByRole("button", { name: "Close" }).click();
  await expect(dialog).toBeHidden();
  await expect
    .poll(() => preparedStandbys().has(standbyId), { timeout: (E2E_PREPARED_STANDBY_SECONDS + 30) * 1000, intervals: [1000] })
    .toBe(false);
});
