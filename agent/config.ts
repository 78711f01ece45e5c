import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { splitCredential } from "@/lib/agent-protocol/grant-seal";

const configSchema = z.object({
  dashboardUrl: z.url("DASHBOARD_URL must be the dashboard's URL, e.g. http://127.0.0.1:3000"),
  token: z.string().min(20, "AGENT_TOKEN (or AGENT_TOKEN_FILE) must hold the token staff issued for this agent"),
  /** Opens the grants the dashboard seals for this agent's data plane (the credential's part after the dot). */
  sealKey: z.instanceof(Buffer).nullable(),
  workdir: z.string().startsWith("/", "AGENT_WORKDIR must be an absolute path"),
  dataHost: z.string().min(1),
  dataPort: z.coerce.number().int().min(0).max(65535),
  publicDataUrl: z.url().nullable(),
  /** Only files under these folders are ever served to other agents, whatever the dashboard says. */
  serveRoots: z.array(z.string().startsWith("/")).min(1),
  python: z.string().startsWith("/"),
  zooDir: z.string().startsWith("/"),
  cpus: z.coerce.number().int().positive(),
  timeLimitMinutes: z.coerce.number().positive(),
  /** Keep one zoo process with torch imported ready for the next local job (dispatch latency). */
  warmStart: z.boolean(),
  /**
   * How long the standby the Retrain dialog asked for waits after the dialog's last request (it repeats them every
   * 10 s while open, components/runs/retrain-launcher.tsx): a dialog closed without a launch holds it this long.
   */
  preparedStandbySeconds: z.coerce.number().min(11, "AGENT_PREPARED_STANDBY_SECONDS must outlast the dialog's 10 s between requests"),
  /** Parallel range streams per download: 1 on a fast local network, more over a long, lossy link. */
  transferStreams: z.coerce.number().int().min(1).max(16),
  /** Calibrate this host when the dashboard says one is due (AGENT_CALIBRATE=0 turns it off, e.g. in tests). */
  calibrate: z.boolean(),
  /** Edge intake: milliseconds between scans of the data roots (a file is closed when unchanged over two). */
  intakeScanMs: z.coerce.number().int().min(100).max(600_000),
  /** Run the drift spot checks the dashboard says are owed (AGENT_SPOT_CHECKS=0 turns them off, e.g. in tests). */
  spotChecks: z.boolean(),
  /** Take part in the data-plane probes the dashboard asks for (AGENT_PROBE=0 turns them off, e.g. in tests). */
  probe: z.boolean(),
});
export type AgentConfig = z.infer<typeof configSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AgentConfig {
  const workdir = path.resolve(env.AGENT_WORKDIR ?? ".data/agent");
  const { token, sealKey } = splitCredential(
    env.AGENT_TOKEN ?? (env.AGENT_TOKEN_FILE ? fs.readFileSync(env.AGENT_TOKEN_FILE, "utf8") : ""),
  );
  const parsed = configSchema.safeParse({
    dashboardUrl: env.DASHBOARD_URL ?? "http://127.0.0.1:3000",
    token,
    sealKey,
    workdir,
    dataHost: env.AGENT_DATA_HOST ?? "127.0.0.1",
    dataPort: env.AGENT_DATA_PORT ?? 0,
    publicDataUrl: env.AGENT_PUBLIC_DATA_URL ?? null,
    serveRoots: (env.AGENT_SERVE_ROOTS ?? workdir)
      .split(":")
      .filter(Boolean)
      .map((folder) => path.resolve(folder)),
    python: env.ZOO_PYTHON ?? "/usr/bin/python3",
    zooDir: path.resolve(env.ZOO_DIR ?? "zoo"),
    cpus: env.AGENT_CPUS ?? 2,
    timeLimitMinutes: env.AGENT_JOB_TIME_LIMIT_MINUTES ?? 120,
    warmStart: env.AGENT_WARM_START !== "0",
    preparedStandbySeconds: env.AGENT_PREPARED_STANDBY_SECONDS ?? 30,
    transferStreams: env.AGENT_TRANSFER_STREAMS ?? 1,
    calibrate: env.AGENT_CALIBRATE !== "0",
    intakeScanMs: env.AGENT_INTAKE_SCAN_MS ?? 1000,
    spotChecks: env.AGENT_SPOT_CHECKS !== "0",
    probe: env.AGENT_PROBE !== "0",
  });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`).join("\n");
    throw new Error(`Agent configuration is invalid:\n${lines}`);
  }
  return parsed.data;
}
