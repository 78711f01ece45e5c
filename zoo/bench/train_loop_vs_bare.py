#!/usr/bin/python3
"""Benchmark (not a test): our BraggNN training loop vs a bare PyTorch loop, same data, same run.

Ours = beamline_zoo.train.Trainer on a BraggTask (device-resident data, per-epoch permutation and ±1 px
crop shifts, per-batch crop + min-max normalisation, loss accumulated on device, SIGTERM check per batch).
Bare = pre-normalised centre crops, randperm, x[idx], forward, MSE, backward, Adam step.
Both use the same model init, batch size, steps per epoch; rounds alternate to share machine noise.
Prints one JSON object.  Usage: PYTHONPATH=zoo /usr/bin/python3 zoo/bench/train_loop_vs_bare.py [--samples N]
"""
import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from beamline_zoo.data import BraggSet  # noqa: E402
from beamline_zoo.protocol import configure_threads  # noqa: E402
from beamline_zoo.simulate import simulate_patches  # noqa: E402
from beamline_zoo.train import BraggTask, Trainer, fresh_model, minmax_t  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=8192)
    ap.add_argument("--batch-size", type=int, default=512)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    a = ap.parse_args()
    threads = configure_threads()
    dev = torch.device(a.device)
    win, lab, _ = simulate_patches(a.samples, 11, seed=0, margin=1)
    ds = BraggSet(win, lab, 11, 1)
    task = BraggTask(ds, None, dev)
    task0 = BraggTask(ds, None, dev)
    task0.aug = 0  # ours without augmentation: shifts stay at the centre crop
    torch.manual_seed(0)
    init = fresh_model("braggnn", {"patch_size": 11, "dense": [16, 8, 4, 2]}).state_dict()

    # bare loop data: centre crops, normalised once
    X = minmax_t(torch.from_numpy(win[:, 1:12, 1:12])).unsqueeze(1).to(dev)
    lb = torch.from_numpy(lab) - 1
    Y = torch.stack([lb[:, 1], lb[:, 0]], 1).div(11).to(dev)

    def sync():
        if dev.type == "cuda":
            torch.cuda.synchronize()

    def bare_epoch(model, opt, B):
        n = len(X)
        perm = torch.randperm(n, device=dev)
        sync()
        t0 = time.perf_counter()
        for s in range(n // B):
            idx = perm[s * B:(s + 1) * B]
            loss = F.mse_loss(model(X[idx]), Y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        sync()
        return (n // B) * B / (time.perf_counter() - t0)

    def make(task_):
        m = fresh_model("braggnn", {"patch_size": 11, "dense": [16, 8, 4, 2]})
        m.load_state_dict(init)
        m.to(dev)
        return m

    m_b = make(None)
    opt_b = torch.optim.Adam(m_b.parameters(), lr=3e-4)
    tr = Trainer(make(task), task, 3e-4, a.batch_size)
    tr0 = Trainer(make(task0), task0, 3e-4, a.batch_size)
    # warm-up
    bare_epoch(m_b, opt_b, a.batch_size)
    tr.train_epoch()
    tr0.train_epoch()
    ours, ours0, bare = [], [], []
    for _ in range(a.rounds):
        _, n, s, _ = tr.train_epoch()
        ours.append(n / s)
        bare.append(bare_epoch(m_b, opt_b, a.batch_size))
        _, n, s, _ = tr0.train_epoch()
        ours0.append(n / s)
    res = {
        "type": "benchmark", "benchmark": "train_loop_vs_bare", "family": "braggnn", "device": dev.type,
        "threads": threads, "torch": str(torch.__version__), "samples": a.samples, "batch_size": a.batch_size,
        "rounds": a.rounds,
        "ours_samples_per_s": statistics.median(ours), "ours_no_aug_samples_per_s": statistics.median(ours0),
        "bare_samples_per_s": statistics.median(bare),
        "all": {"ours": ours, "ours_no_aug": ours0, "bare": bare},
    }
    res["ratio"] = res["ours_samples_per_s"] / res["bare_samples_per_s"]
    res["ratio_no_aug"] = res["ours_no_aug_samples_per_s"] / res["bare_samples_per_s"]
    res["target_ratio"] = 0.95
    print(json.dumps(res))


if __name__ == "__main__":
    main()
