// Starts the whole product for the browser journeys (scripts/test.sh runs it in the background):
// dashboard on E2E_PORT, worker, local trainer, Slurm trainer and edge agents, on a test database.
import fs from "node:fs";
import { E2E_PREPARED_STANDBY_SECONDS } from "@/testing/e2e-settings";
import { Stack } from "@/testing/stack";

async function main() {
  const port = process.env.E2E_PORT ? Number(process.env.E2E_PORT) : undefined;
  const stack = await Stack.create({ name: "e2e", port, env: { AGENT_LEASE_SECONDS: "20", AGENT_OFFLINE_SECONDS: "60" } });
  await stack.startWeb();
  stack.startWorker();
  stack.startAgent("trainer");
  stack.startAgent("edge");
  const agents = ["local-trainer-agent", "edge-agent"];
  if (process.env.SLURM_CONF) {
    stack.startAgent("slurm", { AGENT_PREPARED_STANDBY_SECONDS: String(E2E_PREPARED_STANDBY_SECONDS) });
    agents.push("slurm-login-agent");
  }
  await stack.waitForAgents(agents);
  fs.writeFileSync(process.env.E2E_READY_FILE ?? ".data/e2e-ready", JSON.stringify({ url: stack.url, databaseUrl: stack.databaseUrl }));
  console.log(`[e2e-stack] ready at ${stack.url}`);
  const stop = async () => {
    await stack.stop();
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((error) => {
  console.error("[e2e-stack]", error);
  process.exit(1);
});
