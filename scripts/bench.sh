#!/usr/bin/env bash
# npm run bench: benchmarks, each against a baseline measured in the same run where one applies.
#   1. training loop: our BraggNN loop's samples/s against a bare PyTorch loop on the same data
#   2. data plane: agent-to-agent transfer throughput against plain copies and curl of the same bytes; start-up
#   3. flow: dispatch latency, control overhead, transfer start-up, live-update latency (real stack)
#   4. pages: server time of the runs list, turnaround and cost-model pages with 100 000 runs
#   5. prediction accuracy: calibrated trainers, a varied sequence of runs, predicted vs actual
#   6. model reuse: on drifted data, fine-tune from the nearest earlier model against training from scratch
source "$(dirname "$0")/lib.sh"
test_environment "${BENCH_PG_PORT:-54349}" bench
RESULTS="$ROOT/test-results/bench"
mkdir -p "$RESULTS"

require_node
ensure_apt postgresql postgresql-client python3-torch python3-numpy python3-scipy python3-h5py python3-onnx chromium curl openssl
ensure_node_modules
CLEANUP=()
trap 'for cmd in "${CLEANUP[@]}"; do eval "$cmd" >/dev/null 2>&1 || true; done' EXIT INT TERM
start_test_services "$ROOT/.data/bench-pg" "$RESULTS"
prepare_template "$RESULTS"
build_dashboard_if_stale

log "1/6 training loop against a bare PyTorch loop"
PYTHONPATH=zoo /usr/bin/python3 zoo/bench/train_loop_vs_bare.py --samples 8192 --rounds 3 | tee "$RESULTS/train-loop.json"
log "2/6 data plane against plain copies and curl from a static server (256 MiB, 2 GiB)"
node --import tsx agent/dataplane/bench.ts | tee "$RESULTS/dataplane.json"
log "3/6 retrain flow on the real stack"
node --import tsx scripts/bench/flow.ts | tee "$RESULTS/flow.txt"
log "4/6 page server times with 100 000 runs"
tsx scripts/postgres.ts createdb --url "$TEST_PG_URL" --db bench_pages
DATABASE_URL="${TEST_PG_URL%/*}/bench_pages" prisma migrate deploy >/dev/null
DATABASE_URL="${TEST_PG_URL%/*}/bench_pages" node --conditions=react-server --import tsx scripts/bench/pages.ts | tee "$RESULTS/pages.txt"
log "5/6 prediction accuracy (calibration, then 17 runs of both families on both trainers)"
node --conditions=react-server --import tsx scripts/bench/predictions.ts | tee "$RESULTS/predictions.txt"
log "6/6 fine-tune from the nearest earlier model against from scratch, on drifted data (epochs and seconds to the same error)"
PYTHONPATH=zoo /usr/bin/python3 zoo/bench/finetune_vs_scratch.py --out "$RESULTS/finetune-vs-scratch.json" >/dev/null
log "results in $RESULTS"
