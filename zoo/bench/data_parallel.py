#!/usr/bin/python3
"""Benchmark (not a test): data-parallel scaling of `beamline_zoo train`, 1 rank against N ranks, same data.

Every configuration is the CLI itself (N ranks through `python -m beamline_zoo.launch`, as the agent's
local executor starts them): the same simulated BraggNN set, seed, epochs and per-rank batch; N ranks
use the linearly scaled learning rate (the default).  The baseline is 1 rank measured in the same run.
On the CPU the ranks share the host's cores (threads per rank = cores / N); the 1-rank baseline runs
twice, with one rank's threads (the efficiency baseline) and with all cores; on CUDA each rank gets a GPU.  Reports training seconds (sum of the epochs' train_seconds),
samples/s, the final validation error (mean peak-position error, px), per-rank throughput, and the
ratios to the baseline.  Prints one JSON object.

Usage: PYTHONPATH=zoo /usr/bin/python3 zoo/bench/data_parallel.py [--ranks 2] [--device cpu|cuda]
       [--samples 1600] [--epochs 10] [--batch-size 32] [--lr 3e-3]
On a host with G GPUs: --device cuda --ranks G --samples 100000 --batch-size 512 --lr 3e-4.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

ZOO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(data, out, ranks, a, threads):
    env = dict(os.environ, PYTHONPATH=ZOO, OMP_NUM_THREADS=str(threads))
    launcher = ["-m", "beamline_zoo.launch", "--nproc-per-node", str(ranks)] if ranks > 1 else ["-m", "beamline_zoo"]
    cmd = [sys.executable, *launcher, "train", "--family", "braggnn", "--data", data, "--out", out,
           "--epochs", str(a.epochs), "--batch-size", str(a.batch_size), "--lr", str(a.lr), "--seed", "3",
           "--device", a.device, "--max-samples", str(a.samples)]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        raise SystemExit(f"{ranks} ranks failed:\n{p.stderr[-3000:]}")
    lines = [json.loads(line) for line in p.stdout.splitlines()]
    start = lines[0]
    epochs = [x for x in lines if x["type"] == "epoch"]
    train_s = sum(e["train_seconds"] for e in epochs)
    return {"ranks": ranks, "threads_per_rank": threads, "global_batch": start["global_batch_size"], "lr": start["lr"],
            "train_seconds": train_s, "samples_per_s": sum(e["samples_per_s"] for e in epochs) / len(epochs),
            "val_error_px": epochs[-1]["metrics"]["mean"], "val_loss": epochs[-1]["val_loss"],
            "rank_samples_per_s": epochs[-1].get("ranks")}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ranks", type=int, default=2)
    p.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    p.add_argument("--samples", type=int, default=1600)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=3e-3)
    a = p.parse_args()
    sys.path.insert(0, ZOO)
    from beamline_zoo.simulate import simulate_patches, write_h5

    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "bragg.h5")
        patches, centre, par = simulate_patches(int(a.samples * 1.25) + 1, seed=1)
        write_h5(data, {"patches": patches, "labels": centre, "radial_angle": par["psi"]})
        cores = os.cpu_count() or 1
        per_rank = max(1, cores // a.ranks)
        # two baselines: 1 rank with every core (intra-op threads), and 1 rank with one rank's share
        base_all = run(data, os.path.join(tmp, "one-all"), 1, a, cores)
        base = run(data, os.path.join(tmp, "one"), 1, a, per_rank)
        par_ = run(data, os.path.join(tmp, "many"), a.ranks, a, per_rank)
    print(json.dumps({"device": a.device, "samples": a.samples, "epochs": a.epochs, "batch_per_rank": a.batch_size,
                      "baseline_all_cores": base_all, "baseline": base, "parallel": par_,
                      "speedup": base["train_seconds"] / par_["train_seconds"],
                      "parallel_efficiency": base["train_seconds"] / par_["train_seconds"] / a.ranks,
                      "speedup_vs_all_cores": base_all["train_seconds"] / par_["train_seconds"],
                      "error_ratio": par_["val_error_px"] / base["val_error_px"]}, indent=1))


if __name__ == "__main__":
    main()
