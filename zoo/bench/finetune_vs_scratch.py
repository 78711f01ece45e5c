#!/usr/bin/python3
"""Benchmark (not a test): fine-tune from the nearest earlier model against training from scratch, on drifted data.

The situation of issue 13: a BraggNN trained on undrifted data (the *base*, the only earlier model and so the
nearest) is in service; the peaks drift (``simulate --drift-series``); a new model is needed for the drifted scan.
Both candidates train through the zoo's own ``train`` command on the same drifted file, with the same seed, batch,
learning rate and epoch budget; the only difference is ``--parent BASE``.

Target: the from-scratch run's best validation mean error within its budget, plus ``--tolerance`` (5 %): the
error a user would get by training from scratch for the whole budget.  For each run: the first epoch whose
validation mean error is at or under the target, and the seconds until then — the sum of the epochs' own
``seconds`` (training + validation) and the wall time from the process start to that epoch's line (torch import
and data loading included, the same for both).  The two runs train side by side, one thread each, so that other
load on a shared machine slows both alike (the epochs do not depend on load at all).  Ratios are scratch ÷
fine-tune; with ``--seeds`` > 1, medians over the rounds.  When the fine-tune never reaches the target its ratio
is null.

The drifted data is the last scan of a drift series in the users' layout (frames + peak table); both runs train on
the table's centres (the simulator's truth) and validate on the file's last ``--val-fraction``, so the error is
against the truth, not against a labeller.

Prints one JSON object (also written to ``--out``).
Usage: PYTHONPATH=zoo /usr/bin/python3 zoo/bench/finetune_vs_scratch.py [--work DIR] [--out FILE]
       [--base-samples 1500] [--base-epochs 10] [--samples 2400] [--epochs 30] [--batch-size 32] [--lr 1e-3]
       [--seeds 2] [--tolerance 0.05]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

ZOO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTHON = os.environ.get("ZOO_PYTHON", "/usr/bin/python3")


def history_from_lines(lines: list[dict], started: float) -> list[dict]:
    """Epoch records from the zoo's JSON lines (each with the wall time it arrived at, ``at``): epoch, validation
    mean error (px), the epoch's own seconds and the wall seconds since the process started.  Epochs that did
    not validate (``--val-every``) are left out."""
    out = []
    for line in lines:
        if line.get("type") == "epoch" and line.get("validated", True) and "mean" in line.get("metrics", {}):
            out.append({"epoch": line["epoch"], "mean_px": line["metrics"]["mean"], "seconds": line["seconds"],
                        "wall": line["at"] - started})
    return out


def target_error(scratch: list[dict], tolerance: float) -> float:
    """The from-scratch run's best validation mean error within its budget, plus the tolerance."""
    if not scratch:
        raise ValueError("the from-scratch run reported no validated epoch")
    return min(h["mean_px"] for h in scratch) * (1.0 + tolerance)


def time_to_target(history: list[dict], target: float) -> dict | None:
    """The first epoch at or under the target: its number, the epochs' summed seconds and the wall time until
    its line; None when no epoch reaches it."""
    spent = 0.0
    for h in history:
        spent += h["seconds"]
        if h["mean_px"] <= target:
            return {"epochs": h["epoch"], "train_seconds": spent, "wall_seconds": h["wall"], "mean_px": h["mean_px"]}
    return None


def ratios(scratch: dict | None, finetune: dict | None) -> dict:
    """scratch ÷ fine-tune for epochs and both seconds; null where either run did not reach the target."""
    keys = ("epochs", "train_seconds", "wall_seconds")
    if scratch is None or finetune is None:
        return {k: None for k in keys}
    return {k: scratch[k] / finetune[k] if finetune[k] > 0 else None for k in keys}


def median_ratio(rounds: list[dict], key: str) -> float | None:
    """Median over the rounds of one ratio (rounds where the fine-tune missed the target count as missing)."""
    values = [r["ratios"][key] for r in rounds if r["ratios"][key] is not None]
    return statistics.median(values) if values else None


def _x(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}x"


def summary(result: dict) -> str:
    """The result for a person: one line per round and the median ratios."""
    out = [f"fine-tune from the nearest earlier model vs from scratch ({result['data']['drifted']}; base on it: "
           f"{result['base']['on_drifted_val_mean_px']:.3f} px; target = scratch's best x "
           f"{1 + result['settings']['tolerance']:.2f})"]
    for r in result["rounds"]:
        s, f = r["scratch"], r["finetune"]
        fine = f"{f['epochs']} epochs, {f['train_seconds']:.1f} s" if f else "never reached it"
        out.append(f"  seed {r['seed']}: target {r['target_px']:.3f} px | scratch {s['epochs']} epochs, "
                   f"{s['train_seconds']:.1f} s | fine-tune {fine} | scratch/fine-tune: {_x(r['ratios']['epochs'])} "
                   f"epochs, {_x(r['ratios']['train_seconds'])} seconds | best within the budget: scratch "
                   f"{r['best_px']['scratch']:.3f} px, fine-tune {r['best_px']['finetune']:.3f} px")
    m = result["median_ratios"]
    out.append(f"  median scratch/fine-tune: {_x(m['epochs'])} epochs, {_x(m['train_seconds'])} training seconds, "
               f"{_x(m['wall_seconds'])} wall seconds (process start-up included)")
    return "\n".join(out)


def zoo(args: list, env: dict) -> tuple[list[dict], float]:
    """Runs one zoo command; returns its JSON lines, each stamped with the wall time it arrived (``at``), and the
    time the process was started."""
    started = time.time()
    proc = subprocess.Popen([PYTHON, "-m", "beamline_zoo", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    lines = []
    for raw in proc.stdout:
        line = json.loads(raw)
        line["at"] = time.time()
        lines.append(line)
    err = proc.stderr.read()
    if proc.wait() != 0:
        raise SystemExit(f"zoo {args[0]} failed ({proc.returncode}): {err.strip()[-2000:]}")
    return lines, started


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--work", help="working folder (default: a temporary one, removed at the end)")
    p.add_argument("--out", help="also write the JSON result here")
    p.add_argument("--base-samples", type=int, default=1500, help="undrifted peaks the base is trained on")
    p.add_argument("--base-epochs", type=int, default=10)
    p.add_argument("--samples", type=int, default=2400, help="peaks of the drifted scan")
    p.add_argument("--epochs", type=int, default=30, help="budget of both runs")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--seeds", type=int, default=2, help="rounds, each with its own training seed")
    p.add_argument("--tolerance", type=float, default=0.05)
    a = p.parse_args(argv)
    env = dict(os.environ, PYTHONPATH=ZOO, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "2"))
    with tempfile.TemporaryDirectory(prefix="finetune-bench-") as tmp:
        work = os.path.abspath(a.work or tmp)
        os.makedirs(work, exist_ok=True)
        base_data = os.path.join(work, "undrifted.h5")
        zoo(["simulate", "--family", "braggnn", "--frames", "--samples", a.base_samples, "--seed", 100,
             "--out", base_data], env)
        zoo(["simulate", "--family", "braggnn", "--drift-series", 2, "--samples", a.samples, "--seed", 7,
             "--out-dir", os.path.join(work, "series")], env)
        drifted = os.path.join(work, "series", "scan-001.h5")  # t = 1: the drift series' last scan
        common = ["--family", "braggnn", "--batch-size", a.batch_size, "--lr", a.lr]
        lines, _ = zoo(["train", *common, "--data", base_data, "--epochs", a.base_epochs, "--seed", 0,
                        "--out", os.path.join(work, "base")], env)
        base = next(x for x in lines if x["type"] == "artifact")
        base_history = history_from_lines(lines, 0.0)
        lines, _ = zoo(["evaluate", "--checkpoint", base["path"], "--data", drifted, "--split", "val"], env)
        base_on_drifted = lines[-1]["metrics"]["mean"]
        rounds = []
        for seed in range(1, a.seeds + 1):
            # Side by side, one thread each: whatever else loads the machine slows both alike.
            pair = {name: ["train", *common, *extra, "--data", drifted, "--epochs", a.epochs, "--seed", seed,
                           "--out", os.path.join(work, f"{name}-{seed}")]
                    for name, extra in (("scratch", []), ("finetune", ["--parent", base["path"]]))}
            with ThreadPoolExecutor(len(pair)) as pool:
                done = {name: pool.submit(zoo, args, dict(env, OMP_NUM_THREADS="1")) for name, args in pair.items()}
                runs = {name: history_from_lines(*future.result()) for name, future in done.items()}
            for name, history in runs.items():
                print(f"seed {seed} {name}: " + " ".join(f"{h['mean_px']:.3f}" for h in history), file=sys.stderr,
                      flush=True)
            target = target_error(runs["scratch"], a.tolerance)
            reached = {k: time_to_target(v, target) for k, v in runs.items()}
            rounds.append({"seed": seed, "target_px": target, "scratch": reached["scratch"],
                           "finetune": reached["finetune"], "ratios": ratios(reached["scratch"], reached["finetune"]),
                           "best_px": {k: min(h["mean_px"] for h in v) for k, v in runs.items()},
                           "history": {k: [[h["epoch"], round(h["mean_px"], 4), round(h["seconds"], 3)] for h in v]
                                       for k, v in runs.items()}})
    result = {
        "benchmark": "finetune_vs_scratch",
        "definition": "target = best validation mean px of the from-scratch run within its budget x (1 + tolerance);"
                      " epochs/seconds until each run's validation mean first reaches it; ratio = scratch / fine-tune",
        "data": {"base": f"{a.base_samples} undrifted peaks (frames, seed 100)",
                 "drifted": f"last scan (t = 1) of a default drift series, {a.samples} peaks (seed 7)"},
        "settings": {"epochs": a.epochs, "batch_size": a.batch_size, "lr": a.lr, "tolerance": a.tolerance,
                     "seeds": a.seeds, "base_epochs": a.base_epochs},
        "base": {"val_mean_px": base_history[-1]["mean_px"] if base_history else None,
                 "on_drifted_val_mean_px": base_on_drifted},
        "rounds": rounds,
        "median_ratios": {k: median_ratio(rounds, k) for k in ("epochs", "train_seconds", "wall_seconds")},
    }
    text = json.dumps(result)
    if a.out:
        os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
        with open(a.out, "w") as f:
            f.write(text + "\n")
    print(text)
    print(summary(result), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
