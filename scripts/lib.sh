# Shared by start.sh, test.sh and bench.sh: dependencies, PostgreSQL, schema.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export NEXT_TELEMETRY_DISABLED=1
export PATH="$ROOT/node_modules/.bin:$PATH"

# A random secret kept in a file only its owner may read (made once; an older, looser file is tightened).
log() { printf '\033[1m[beamline]\033[0m %s\n' "$*"; }

require_node() {
  local major
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$major" -lt 20 ]; then
    echo "Node.js 20 or newer is required (found: $(node --version 2>/dev/null || echo none))." >&2
    exit 1
  fi
}

# System packages: PyTorch for the model zoo, Chromium for browser tests, Slurm for the Slurm trainer.
ensure_apt() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ]; then
    log "installing ${missing[*]} (apt)"
    apt-get -o DPkg::Lock::Timeout=900 update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Missing system packages: ${missing[*]}" >&2
    echo "Install them with: sudo apt-get install --no-install-recommends ${missing[*]}" >&2
    return 1
  fi
}

ensure_node_modules() {
  if [ ! -d node_modules/next ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "installing npm dependencies (npm ci)"
    local started=$SECONDS
    npm ci --no-audit --no-fund --loglevel=error
    log "npm ci took $((SECONDS - started)) s"
  fi
}

# Starts the project's own PostgreSQL under $1 on port $2 unless DATABASE_URL is set; exports DATABASE_URL.
# Builds the dashboard when there is no build or a source is newer than it: `npm start` and `npm run bench` must
# serve the tree as it is (a bench of a stale build measures code that is no longer there).
build_dashboard_if_stale() {
  if [ ! -f .next/BUILD_ID ] || [ -n "$(find app components lib proxy.ts next.config.js public -newer .next/BUILD_ID -print -quit 2>/dev/null)" ]; then
    log "building the dashboard (next build)"
    next build >/dev/null
  fi
}

ensure_database() {
  if [ -n "${DATABASE_URL:-}" ]; then
    OWN_DATABASE=0
  else
    log "starting PostgreSQL under $1"
    DATABASE_URL=$(tsx scripts/postgres.ts start --dir "$1" --port "$2" | tail -1)
    export DATABASE_URL
    OWN_DATABASE=1
  fi
}

migrate() {
  [ -f lib/generated/prisma/client.ts ] || prisma generate >/dev/null
  prisma migrate deploy >/dev/null
}

# For tests and benchmarks: a fresh PostgreSQL cluster under $1 (port $TEST_PG_PORT) and Slurm; stopped on exit
# through the CLEANUP array the caller's trap runs.
start_test_services() {
  rm -rf "$1"
  tsx scripts/postgres.ts start --dir "$1" --port "$TEST_PG_PORT" --db postgres --ephemeral >/dev/null
  CLEANUP+=("tsx scripts/postgres.ts stop --dir '$1'")
  if eval "$(bash scripts/slurm/start.sh 2>"$2/slurm-start.log")"; then
    CLEANUP+=("bash scripts/slurm/stop.sh")
  else
    log "Slurm did not start (see $2/slurm-start.log): Slurm tests and benchmarks will fail"
  fi
}

# Migrates a template database, refuses drift between schema.prisma and the migrations, and seeds it
# (small datasets) for Stack.create to clone (testing/stack.ts).
prepare_template() {
  export DATABASE_URL="${TEST_PG_URL%/*}/$TEST_TEMPLATE_DB"
  tsx scripts/postgres.ts createdb --url "$TEST_PG_URL" --db "$TEST_TEMPLATE_DB" &&
    prisma generate >/dev/null &&
    prisma migrate deploy >/dev/null &&
    prisma migrate diff --from-migrations prisma/migrations --to-schema prisma/schema.prisma --exit-code >"$1/migration-drift.txt" 2>&1 ||
    { echo "schema.prisma and prisma/migrations disagree:" >&2; cat "$1/migration-drift.txt" >&2; unset DATABASE_URL; return 1; }
  rm -rf "$TEST_SEED_DIR"
  BEAMLINE_DATA_DIR="$TEST_SEED_DIR" SEED_SAMPLE_SCALE=0.25 SEED_DRIFT_DEMO=0 BCRYPT_COST=4 tsx prisma/seed.ts
  local rc=$?
  unset DATABASE_URL
  return $rc
}

test_environment() {
  export TEST_PG_PORT="$1"
  export TEST_PG_URL="postgresql://postgres@127.0.0.1:$TEST_PG_PORT/postgres"
  export TEST_SEED_DIR="$ROOT/.data/$2-seed"
  export TEST_TEMPLATE_DB=beamline_template
  # The test dashboards' secret (testing/stack.ts reads it): the seed derives the agents' seal keys from it.
  export NEXTAUTH_SECRET="${NEXTAUTH_SECRET:-integration-test-secret-0123456789abcdef}"
}
