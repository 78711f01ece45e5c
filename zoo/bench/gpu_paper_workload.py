#!/usr/bin/env python3
"""Benchmark (not a test): the BraggNN paper's training workload on one GPU through our training code.

Workload: 55,548 training patches (11x11, ±1 px crop augmentation) x 500 epochs, batch 512, Adam 3e-4,
MSE, drop_last -> 108 steps/epoch, 54,000 steps; 13,799 validation patches.  The paper quotes 19 s on a
Cerebras wafer and 1,102 s on a V100.  Self-contained: the patches are simulated here (13x13 windows so
the crop shifts use real pixels); h5py is not needed.

Modes (all use beamline_zoo.train.Trainer + BraggTask, data resident on the GPU, no per-step host sync):
  graph : each epoch (108 steps: batch gather, min-max, forward, backward, Adam) captured once in a CUDA
          graph and replayed per epoch (capturable Adam); capture time reported separately.
  plain : eager PyTorch, same code path as `python -m beamline_zoo train --device cuda`.
Flags: --amp (bf16 autocast), --compile (torch.compile, plain mode only), --tf32.

Default run: graph mode for --epochs (500) and plain mode for --plain-epochs (20, extrapolated to
--epochs in the output, marked as such).  Prints one JSON object on stdout; progress on stderr.

  python3 zoo/bench/gpu_paper_workload.py                       # both modes
  python3 zoo/bench/gpu_paper_workload.py --modes graph --epochs 50
  python3 zoo/bench/gpu_paper_workload.py --modes plain --plain-epochs 500   # the full eager run
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch  # noqa: E402

from beamline_zoo.data import BraggSet  # noqa: E402
from beamline_zoo.models import count_parameters  # noqa: E402
from beamline_zoo.simulate import simulate_patches  # noqa: E402
from beamline_zoo.train import BraggTask, Trainer, fresh_model  # noqa: E402

N_TRAIN, N_VAL = 55548, 13799


def log(msg):
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


def run_mode(mode, epochs, task, init_state, a, dev):
    torch.manual_seed(a.seed)
    model = fresh_model("braggnn", {"patch_size": 11, "dense": [16, 8, 4, 2]})
    model.load_state_dict(init_state)
    model.to(dev)
    tr = Trainer(model, task, lr=3e-4, batch_size=a.batch_size, amp=a.amp, cuda_graph=(mode == "graph"),
                 compile_model=(a.compile and mode == "plain"))
    res = {"mode": mode, "amp": a.amp, "compile": bool(a.compile and mode == "plain"), "epochs_run": 0}
    t_start = time.perf_counter()
    train_s = 0.0
    losses = []
    val_hist = []
    try:
        for ep in range(1, epochs + 1):
            loss, n, s, _ = tr.train_epoch()
            train_s += s
            losses.append(loss)
            res["epochs_run"] = ep
            if a.val_every and ep % a.val_every == 0:
                _, m = tr.validate()
                val_hist.append({"epoch": ep, **m})
                log(f"[{mode}] epoch {ep}: loss {loss:.3e} val mean {m['mean']:.3f} px")
            elif ep == 1 or ep % 50 == 0:
                log(f"[{mode}] epoch {ep}: loss {loss:.3e} ({s * 1e3:.1f} ms)")
    except Exception as e:  # report what happened instead of losing the whole run
        res["error"] = f"{type(e).__name__}: {e}"
        log(f"[{mode}] failed: {res['error']}")
    wall = time.perf_counter() - t_start
    steps = tr.steps * res["epochs_run"]
    res.update({
        "train_seconds": train_s,  # sum of epoch times (excludes capture and validation)
        "capture_seconds": tr.capture_seconds,
        "wall_seconds": wall,  # includes capture, compilation, any validation
        "steps": steps,
        "samples_per_s": steps * tr.batch_size / train_s if train_s > 0 else None,
        "ms_per_step": 1e3 * train_s / steps if steps else None,
        "first_epoch_loss": losses[0] if losses else None,
        "final_loss": losses[-1] if losses else None,
    })
    if res["epochs_run"] and res["epochs_run"] < a.epochs:
        res["extrapolated_train_seconds_for_%d_epochs" % a.epochs] = train_s / res["epochs_run"] * a.epochs
    if res["epochs_run"]:
        _, m = tr.validate()
        res["final_validation_px"] = m
    if val_hist:
        res["validation_history"] = val_hist
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=int, default=500)
    ap.add_argument("--plain-epochs", type=int, default=20, help="epochs for the plain (eager) mode")
    ap.add_argument("--modes", default="graph,plain")
    ap.add_argument("--batch-size", type=int, default=512)
    ap.add_argument("--amp", action="store_true", help="bf16 autocast")
    ap.add_argument("--compile", action="store_true", help="torch.compile the model (plain mode)")
    ap.add_argument("--tf32", action="store_true", help="allow TF32 matmul/conv")
    ap.add_argument("--val-every", type=int, default=0, help="validate every k epochs (0: only at the end)")
    ap.add_argument("--train-samples", type=int, default=N_TRAIN)
    ap.add_argument("--val-samples", type=int, default=N_VAL)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--device", default="cuda")
    a = ap.parse_args()

    if a.device == "cuda" and not torch.cuda.is_available():
        log("CUDA not available: running on CPU (smoke test only)")
        a.device = "cpu"
    dev = torch.device(a.device)
    if dev.type == "cpu":
        torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", os.cpu_count() or 1)))
    torch.backends.cudnn.benchmark = True
    torch.backends.cuda.matmul.allow_tf32 = a.tf32
    torch.backends.cudnn.allow_tf32 = a.tf32

    t0 = time.perf_counter()
    win, lab, _ = simulate_patches(a.train_samples + a.val_samples, 11, seed=a.seed, margin=1)
    train = BraggSet(win[:a.train_samples], lab[:a.train_samples], 11, 1)
    val = BraggSet(win[a.train_samples:], lab[a.train_samples:], 11, 1)
    task = BraggTask(train, val, dev)
    data_s = time.perf_counter() - t0
    torch.manual_seed(a.seed)
    init = fresh_model("braggnn", {"patch_size": 11, "dense": [16, 8, 4, 2]}).state_dict()

    out = {
        "type": "benchmark", "benchmark": "braggnn_paper_workload", "device": dev.type,
        "device_name": torch.cuda.get_device_name(0) if dev.type == "cuda" else "cpu",
        "torch": str(torch.__version__), "parameters": count_parameters(fresh_model("braggnn", {})),
        "train_samples": a.train_samples, "val_samples": a.val_samples, "epochs": a.epochs,
        "batch_size": a.batch_size, "steps_per_epoch": a.train_samples // a.batch_size,
        "tf32": a.tf32, "data_seconds": data_s,
        "paper_seconds": {"cerebras_wafer": 19, "v100": 1102}, "results": [],
    }
    for mode in [m.strip() for m in a.modes.split(",") if m.strip()]:
        if mode == "graph" and dev.type != "cuda":
            out["results"].append({"mode": "graph", "skipped": "needs CUDA"})
            continue
        ep = a.epochs if mode == "graph" else a.plain_epochs
        log(f"running {mode} for {ep} epochs")
        out["results"].append(run_mode(mode, ep, task, init, a, dev))
        if dev.type == "cuda":
            torch.cuda.empty_cache()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
