// What `npm start` runs under the supervisor (scripts/supervise.ts), printed as its JSON configuration.
// scripts/start.sh has prepared everything first (PostgreSQL, schema, demo data, build, Slurm) and says
// through the environment what it started: OWN_DATABASE=1, SLURM_STARTED=1.
import type { ServiceSpec, SupervisorConfig } from "./supervise";

const root = process.cwd();
const host = process.env.HOST ?? "127.0.0.1";
const port = process.env.PORT ?? "3000";
const dashboardUrl = `http://${host}:${port}`;
const slurm = process.env.SLURM_STARTED === "1";
const tsx = (script: string) => [process.execPath, "--import", "tsx", script];

function agent(role: "trainer" | "slurm" | "edge", workdir: string, extra: Record<string, string> = {}): ServiceSpec {
  return {
    name: `agent-${role}`,
    argv: tsx("agent/main.ts"),
    env: {
      DASHBOARD_URL: dashboardUrl,
      AGENT_TOKEN_FILE: `.data/agents/${role}.token`,
      AGENT_WORKDIR: `${root}/.data/${workdir}`,
      ...extra,
    },
  };
}

const services: ServiceSpec[] = [
  { name: "worker", argv: tsx("worker/main.ts") },
  {
    name: "web",
    argv: [process.execPath, "node_modules/next/dist/bin/next", "start", "-p", port, "-H", host],
    readyUrl: `${dashboardUrl}/api/health`,
    // A dashboard that keeps dying at once (its port taken, say) will not recover by itself.
    policy: { maxStreak: 5 },
    required: true,
  },
  agent("trainer", "trainer"),
  ...(slurm ? [agent("slurm", "slurm-trainer")] : []),
  agent("edge", "edge", { AGENT_SERVE_ROOTS: `${root}/.data/edge` }),
];

const config: SupervisorConfig = {
  services,
  afterStop: [
    ...(slurm ? [["bash", "scripts/slurm/stop.sh"]] : []),
    ...(process.env.OWN_DATABASE === "1" ? [[...tsx("scripts/postgres.ts"), "stop", "--dir", ".data/pg"]] : []),
  ],
  stopGraceMs: 10_000,
  readyMessage: `
  Beamline Retrain is running at  ${dashboardUrl}

  Demo sign-ins (password: ${process.env.DEMO_PASSWORD ?? "beamline-demo"})
    scientist@demo.test  scientist, member of both experiments: open an experiment and click Retrain
    staff@demo.test      facility staff: trainers, edge hosts, agent tokens, audit log
    pi@demo.test         PI: turnaround reports
    viewer@demo.test     read-only member
    admin@demo.test      administrator

  Trainers: local-cpu (a local process)${slurm ? " and slurm-cluster (jobs through a one-node Slurm cluster)" : "; slurm-cluster stays offline (Slurm did not start: .data/slurm-start.log)"}.
  A program that dies is started again; Ctrl-C stops everything.

`,
};

process.stdout.write(JSON.stringify(config, null, 2) + "\n");
