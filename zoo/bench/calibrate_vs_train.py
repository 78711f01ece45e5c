#!/usr/bin/python3
"""Benchmark (not a test): does `calibrate` predict what `train` takes on this host?

Per round and family: one `calibrate` (as the agent runs it, 3 s budget), then `train` on simulated data of the
benchmark's sizes, each a fresh process (both start cold). The training time the calibration predicts is composed
as the dashboard's prior does it (lib/cost-model/launch-prediction.ts: trainFeatures, trainPrior): start-up (+ the
first step's one-time set-up) + epochs × (full batches × (step's fixed part + batch × per sample) + validation
samples ÷ validation throughput); the per-epoch prior (0.05 s) is added too. Compared with the train command's
wall time. Calibration and training run back to back, so on a shared host they meet similar (not equal) load:
run several rounds and read the median.

Prints one JSON line per run, then {"type": "summary", "median_abs_error_pct": {...}, ...}.
Usage: PYTHONPATH=zoo /usr/bin/python3 zoo/bench/calibrate_vs_train.py [--rounds 3] [--families braggnn,cookienetae]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

PER_EPOCH_SECONDS = 0.05  # launch-prediction.ts PER_EPOCH_PRIOR
# (data samples, epochs, max samples, batch) as scripts/bench/predictions.ts runs them
CASES = {
    "braggnn": (12_000, [(2, 3000, 256), (4, 1000, 512), (1, 12_000, 256)]),
    "cookienetae": (64, [(2, 64, 32), (4, 64, 32)]),
}


def zoo(args, env):
    t0 = time.time()
    out = subprocess.run([sys.executable, "-m", "beamline_zoo", *map(str, args)], env=env, capture_output=True,
                         text=True, check=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")], time.time() - t0


def predicted_seconds(c, epochs, samples, batch_size):
    train = int(round(0.8 * samples, 9))  # the zoo's sequential split
    validation = samples - train
    batch = max(1, min(batch_size, train))
    steps = max(1, train // batch)  # full batches only
    per_step = c["train_step_seconds"] or 0.0
    per_sample = (c["measured_batch_size"] / c["train_samples_per_s"] - per_step) / c["measured_batch_size"]
    startup = c["startup_seconds"] + c["first_step_extra_seconds"]
    return startup + epochs * (PER_EPOCH_SECONDS + steps * (per_step + batch * per_sample)
                               + validation / c["val_samples_per_s"])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--families", default="braggnn,cookienetae")
    a = p.parse_args()
    env = dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "2"))
    errors = {}
    with tempfile.TemporaryDirectory() as tmp:
        for rnd in range(a.rounds):
            for fam in a.families.split(","):
                n, cases = CASES[fam]
                data = os.path.join(tmp, f"{fam}-{n}.h5")
                if not os.path.exists(data):
                    zoo(["simulate", "--family", fam, "--samples", n, "--out", data, "--seed", 11], env)
                (c,), calibrate_s = zoo(["calibrate", "--family", fam, "--seconds", 3], env)
                for epochs, samples, batch in cases:
                    _, wall = zoo(["train", "--family", fam, "--data", data, "--out", os.path.join(tmp, "out"),
                                   "--epochs", epochs, "--batch-size", batch, "--max-samples", samples,
                                   "--device", "cpu"], env)
                    pred = predicted_seconds(c, epochs, min(samples, n), batch)
                    err = 100 * (pred - wall) / wall
                    errors.setdefault(fam, []).append(err)
                    print(json.dumps({"type": "run", "round": rnd + 1, "family": fam, "epochs": epochs,
                                      "samples": min(samples, n), "batch": batch, "calibrate_seconds": round(calibrate_s, 1),
                                      "calibrated_batch": c["measured_batch_size"],
                                      "step_fixed_seconds": c["train_step_seconds"], "train_seconds": round(wall, 2),
                                      "predicted_seconds": round(pred, 2), "error_pct": round(err, 1),
                                      "load": round(os.getloadavg()[0], 1)}), flush=True)
    print(json.dumps({"type": "summary",
                      "median_abs_error_pct": {f: round(statistics.median(abs(e) for e in es), 1) for f, es in errors.items()},
                      "median_error_pct": {f: round(statistics.median(es), 1) for f, es in errors.items()},
                      "runs": {f: len(es) for f, es in errors.items()}}))


if __name__ == "__main__":
    main()
