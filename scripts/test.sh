#!/usr/bin/env bash
# npm test: the whole suite on a fresh Debian machine. Installs what the tests need (as root), starts
# and stops its own PostgreSQL and Slurm, then runs: migration drift check, lint, format, type check,
# unit tests, the model zoo's tests, the build, integration tests on the real stack, browser journeys.
# Ends with one line a CI log reader can count: "N passed, N failed".
source "$(dirname "$0")/lib.sh"
export TEST_PG_PORT="${TEST_PG_PORT:-54339}"
export TEST_PG_URL="postgresql://postgres@127.0.0.1:$TEST_PG_PORT/postgres"
export TEST_SEED_DIR="$ROOT/.data/test-seed"
export TEST_TEMPLATE_DB=beamline_template
RESULTS="$ROOT/test-results"
PG_DIR="$ROOT/.data/test-pg"

require_node
ensure_apt python3-torch python3-numpy python3-scipy python3-h5py python3-onnx python3-pytest chromium
ensure_node_modules
rm -rf "$RESULTS" && mkdir -p "$RESULTS/screenshots"

CLEANUP=()
cleanup() {
  for cmd in "${CLEANUP[@]}"; do eval "$cmd" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT INT TERM

CHECKS_PASSED=0
CHECKS_FAILED=0
FAILED_STAGES=()
# stage NAME COMMAND...: runs a check; its pass/fail counts once in the summary (test runners count per test).
stage() {
  local name=$1
  shift
  log "── $name"
  local started=$SECONDS
  if "$@"; then
    CHECKS_PASSED=$((CHECKS_PASSED + 1))
    log "   $name ok ($((SECONDS - started)) s)"
  else
    CHECKS_FAILED=$((CHECKS_FAILED + 1))
    FAILED_STAGES+=("$name")
    log "   $name FAILED ($((SECONDS - started)) s)"
  fi
}

# ---- services: PostgreSQL (a fresh cluster) and Slurm
rm -rf "$PG_DIR"
tsx scripts/postgres.ts start --dir "$PG_DIR" --port "$TEST_PG_PORT" --db postgres >/dev/null
CLEANUP+=("tsx scripts/postgres.ts stop --dir '$PG_DIR'")
if eval "$(bash scripts/slurm/start.sh 2>"$RESULTS/slurm-start.log")"; then
  CLEANUP+=("bash scripts/slurm/stop.sh")
else
  log "Slurm did not start (see $RESULTS/slurm-start.log): Slurm tests will fail"
fi

# ---- schema: generate, migrate a template database, seed it, and refuse drift between schema and migrations
prepare_template() {
  export DATABASE_URL="${TEST_PG_URL%/*}/$TEST_TEMPLATE_DB"
  psql "$TEST_PG_URL" -qc "create database $TEST_TEMPLATE_DB" &&
    prisma generate >/dev/null &&
    prisma migrate deploy >/dev/null &&
    prisma migrate diff --from-migrations prisma/migrations --to-schema prisma/schema.prisma --exit-code >"$RESULTS/migration-drift.txt" 2>&1 ||
    { echo "schema.prisma and prisma/migrations disagree:" >&2; cat "$RESULTS/migration-drift.txt" >&2; return 1; }
  rm -rf "$TEST_SEED_DIR"
  BEAMLINE_DATA_DIR="$TEST_SEED_DIR" SEED_SAMPLE_SCALE=0.25 BCRYPT_COST=4 tsx prisma/seed.ts
  local rc=$?
  unset DATABASE_URL
  return $rc
}
stage "schema and migrations agree; template database seeded" prepare_template

stage "lint (eslint)" eslint --max-warnings 0 .
stage "format (prettier)" prettier --check . --log-level warn
stage "type check (tsc)" tsc --noEmit -p .

stage "unit tests (vitest)" vitest run --project unit --reporter=default --reporter=json --outputFile.json="$RESULTS/unit.json"
stage "model zoo tests (pytest)" env PYTHONPATH=zoo /usr/bin/python3 -m pytest zoo/tests -q -p no:cacheprovider --junitxml="$RESULTS/zoo.xml"
stage "build (next build)" next build

stage "integration tests (PostgreSQL, agents, Slurm, PyTorch)" vitest run --project integration --reporter=default --reporter=json --outputFile.json="$RESULTS/integration.json"

run_e2e() {
  local port=3100
  rm -f .data/e2e-ready
  E2E_PORT=$port E2E_READY_FILE=.data/e2e-ready node --import tsx testing/e2e-stack.ts >"$RESULTS/e2e-stack.log" 2>&1 &
  local stack_pid=$!
  CLEANUP+=("kill $stack_pid")
  local waited=0
  until [ -f .data/e2e-ready ]; do
    sleep 1
    waited=$((waited + 1))
    if ! kill -0 $stack_pid 2>/dev/null || [ $waited -gt 120 ]; then
      echo "the e2e stack did not start:" >&2
      tail -30 "$RESULTS/e2e-stack.log" >&2
      return 1
    fi
  done
  E2E_BASE_URL="http://127.0.0.1:$port" playwright test
  local rc=$?
  kill $stack_pid 2>/dev/null
  wait $stack_pid 2>/dev/null
  return $rc
}
stage "browser journeys (playwright, Debian chromium)" run_e2e

node --import tsx scripts/test-summary.ts "$RESULTS" "$CHECKS_PASSED" "$CHECKS_FAILED" "${FAILED_STAGES[@]}"
