#!/usr/bin/env bash
# npm start: the dashboard with demo data, a worker, a local trainer agent and an edge agent.
# With no DATABASE_URL it runs its own PostgreSQL under .data/pg and seeds demo data.
source "$(dirname "$0")/lib.sh"
PORT="${PORT:-3000}"
HOST="${HOST:-127.0.0.1}"

require_node
ensure_apt python3-torch python3-numpy python3-scipy python3-h5py python3-onnx || log "training will fail until those are installed"
ensure_node_modules
mkdir -p .data
ensure_database .data/pg "${PG_PORT:-54329}"
migrate
if [ "$OWN_DATABASE" = 1 ] || [ "${SEED:-0}" = 1 ]; then
  log "seeding demo data"
  tsx prisma/seed.ts
fi

# A stable local secret: generated once, kept under .data (production sets NEXTAUTH_SECRET itself).
if [ -z "${NEXTAUTH_SECRET:-}" ]; then
  ensure_secret_file .data/nextauth-secret
  NEXTAUTH_SECRET=$(cat .data/nextauth-secret)
  export NEXTAUTH_SECRET
fi
export NEXTAUTH_URL="${NEXTAUTH_URL:-http://$HOST:$PORT}"

if [ ! -f .next/BUILD_ID ] || [ -n "$(find app components lib proxy.ts next.config.js -newer .next/BUILD_ID -print -quit 2>/dev/null)" ]; then
  log "building the dashboard (next build)"
  next build >/dev/null
fi

PIDS=()
stop_all() {
  trap - EXIT INT TERM
  log "stopping"
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ "${SLURM_STARTED:-0}" = 1 ] && bash scripts/slurm/stop.sh >/dev/null 2>&1 || true
  [ "$OWN_DATABASE" = 1 ] && tsx scripts/postgres.ts stop --dir .data/pg || true
}
trap stop_all EXIT INT TERM

node node_modules/next/dist/bin/next start -p "$PORT" -H "$HOST" & PIDS+=($!)
node --import tsx worker/main.ts & PIDS+=($!)
until curl -sf "http://$HOST:$PORT/api/health" >/dev/null; do sleep 0.3; done
DASHBOARD_URL="http://$HOST:$PORT" AGENT_TOKEN_FILE=.data/agents/trainer.token AGENT_WORKDIR="$ROOT/.data/trainer" \
  node --import tsx agent/main.ts & PIDS+=($!)
# The slurm-cluster trainer: a one-node Slurm cluster on this machine (as root; else it stays offline).
if [ "$(id -u)" -eq 0 ] && eval "$(bash scripts/slurm/start.sh 2>.data/slurm-start.log)"; then
  DASHBOARD_URL="http://$HOST:$PORT" AGENT_TOKEN_FILE=.data/agents/slurm.token AGENT_WORKDIR="$ROOT/.data/slurm-trainer" \
    node --import tsx agent/main.ts & PIDS+=($!)
  SLURM_STARTED=1
else
  log "Slurm not started (see .data/slurm-start.log): the slurm-cluster trainer stays offline"
fi
DASHBOARD_URL="http://$HOST:$PORT" AGENT_TOKEN_FILE=.data/agents/edge.token AGENT_WORKDIR="$ROOT/.data/edge" \
  AGENT_SERVE_ROOTS="$ROOT/.data/edge" node --import tsx agent/main.ts & PIDS+=($!)

cat <<MSG

  Beamline Retrain is running at  http://$HOST:$PORT

  Demo sign-ins (password: ${DEMO_PASSWORD:-beamline-demo})
    scientist@demo.test  scientist, member of both experiments: open an experiment and click Retrain
    staff@demo.test      facility staff: trainers, edge hosts, agent tokens, audit log
    pi@demo.test         PI: turnaround reports
    viewer@demo.test     read-only member
    admin@demo.test      administrator

  Trainers: local-cpu (a local process) and slurm-cluster (jobs through a one-node Slurm cluster).
  Ctrl-C stops everything.

MSG
wait -n "${PIDS[@]}"
