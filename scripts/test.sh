#!/usr/bin/env bash
# npm test: the whole suite on a fresh Debian machine. Installs what the tests need (as root), starts
# and stops its own PostgreSQL and Slurm, then runs: migration drift check, lint, format, type check,
# unit tests, the model zoo's tests, the build, integration tests on the real stack, browser journeys.
# Ends with one line a CI log reader can count: "N passed, N failed".
source "$(dirname "$0")/lib.sh"
test_environment "${TEST_PG_PORT:-54339}" test
RESULTS="$ROOT/test-results"
PG_DIR="$ROOT/.data/test-pg"

require_node
ensure_apt postgresql postgresql-client python3-torch python3-numpy python3-scipy python3-h5py python3-onnx python3-pytest chromium
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

start_test_services "$PG_DIR" "$RESULTS"
stage "schema and migrations agree; template database seeded" prepare_template "$RESULTS"

stage "lint (eslint)" eslint --max-warnings 0 .
stage "format (prettier)" prettier --check . --log-level warn
stage "type check (tsc)" tsc --noEmit -p .

# vitest_stage PROJECT: its JSON report, and the skipped tests with their reasons, for the summary.
vitest_stage() {
  VITEST_SKIPS_FILE="$RESULTS/$1-skips.json" vitest run --project "$1" --reporter=default --reporter=json \
    --outputFile.json="$RESULTS/$1.json" --reporter=./testing/vitest-skips-reporter.ts
}
stage "unit tests (vitest)" vitest_stage unit
stage "model zoo tests (pytest)" env PYTHONPATH=zoo /usr/bin/python3 -m pytest zoo/tests -q -p no:cacheprovider --junitxml="$RESULTS/zoo.xml"
stage "build (next build)" next build

stage "integration tests (PostgreSQL, agents, Slurm, PyTorch)" vitest_stage integration

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
