#!/usr/bin/env bash
# npm start: the dashboard with demo data, a worker, a local trainer agent and an edge agent.
# With no DATABASE_URL it runs its own PostgreSQL under .data/pg and seeds demo data. Prepares here, then
# hands over to scripts/supervise.ts, which keeps the programs running (scripts/services.ts lists them).
source "$(dirname "$0")/lib.sh"
PORT="${PORT:-3000}"
HOST="${HOST:-127.0.0.1}"

require_node
ensure_node_modules
mkdir -p .data
# One instance per data folder: this shell takes the lock and hands it on when it execs the supervisor
# (same pid); until then its trap undoes what it started.
node --import tsx scripts/supervise.ts lock .data $$
OWN_DATABASE=0
SLURM_STARTED=0
undo_start() {
  [ "$SLURM_STARTED" = 1 ] && bash scripts/slurm/stop.sh >/dev/null 2>&1
  [ "$OWN_DATABASE" = 1 ] && tsx scripts/postgres.ts stop --dir .data/pg
  rm -f .data/supervisor.lock
}
trap undo_start EXIT
trap 'exit 130' INT TERM

ensure_apt python3-torch python3-numpy python3-scipy python3-h5py python3-onnx || log "training will fail until those are installed"
ensure_database .data/pg "${PG_PORT:-54329}"
migrate
# A stable local secret: generated once, kept under .data (production sets NEXTAUTH_SECRET itself);
# the seed derives the local agents' seal keys from it.
if [ -z "${NEXTAUTH_SECRET:-}" ]; then
  NEXTAUTH_SECRET=$(node --import tsx scripts/local-secret.ts .data/nextauth-secret)
  export NEXTAUTH_SECRET
fi
if [ "$OWN_DATABASE" = 1 ] || [ "${SEED:-0}" = 1 ]; then
  log "seeding demo data"
  tsx prisma/seed.ts
fi

export NEXTAUTH_URL="${NEXTAUTH_URL:-http://$HOST:$PORT}"

build_dashboard_if_stale

# The slurm-cluster trainer: a one-node Slurm cluster on this machine (as root; else it stays offline).
if [ "$(id -u)" -eq 0 ] && eval "$(bash scripts/slurm/start.sh 2>.data/slurm-start.log)"; then
  SLURM_STARTED=1
else
  log "Slurm not started (see .data/slurm-start.log): the slurm-cluster trainer stays offline"
fi

# The supervisor takes over the lock, the programs, and stopping Slurm and PostgreSQL at the end.
HOST="$HOST" PORT="$PORT" OWN_DATABASE="$OWN_DATABASE" SLURM_STARTED="$SLURM_STARTED" \
  node --import tsx scripts/services.ts >.data/services.json
trap - EXIT INT TERM
exec node --import tsx scripts/supervise.ts run .data .data/services.json
