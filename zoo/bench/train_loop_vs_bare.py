#!/usr/bin/python3
"""Benchmark (not a test): our training loop vs a bare PyTorch loop, same data, same run, per family.

Ours = beamline_zoo.train.Trainer on the family's task (device-resident data, per-epoch permutation,
loss accumulated on the device, SIGTERM check per batch; BraggNN also draws ±1 px crop shifts per sample
and crops + min-max normalises every batch).  Bare = randperm, x[idx], forward, MSE, backward, Adam step
on data prepared once (BraggNN: pre-normalised centre crops).  Both use the same model init, batch size
and steps per epoch; rounds alternate to share machine noise; medians are reported.  BraggNN is also run
without augmentation (ours_no_aug), which does the same work as the bare loop.

Prints one JSON object: {"families": {"braggnn": {..., "ratio"}, "cookienetae": {..., "ratio"}}, ...}.
Usage: PYTHONPATH=zoo /usr/bin/python3 zoo/bench/train_loop_vs_bare.py [--samples N] [--rounds R]
       [--families braggnn,cookienetae] [--cookie-samples 64] [--cookie-batch-size 16]
"""
import argparse
import functools
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from beamline_zoo.data import BraggSet  # noqa: E402
from beamline_zoo.models import BRAGGNN_DEFAULT, COOKIE_DEFAULT  # noqa: E402
from beamline_zoo.protocol import configure_threads  # noqa: E402
from beamline_zoo.simulate import simulate_cookie, simulate_patches  # noqa: E402
from beamline_zoo.train import DEFAULT_LR, BraggTask, CookieTask, Trainer, fresh_model, minmax_t  # noqa: E402


def braggnn_setup(samples, dev):
    """Our tasks (with and without augmentation) and the bare loop's prepared (X, Y)."""
    win, lab, _ = simulate_patches(samples, 11, seed=0, margin=1)
    ds = BraggSet(win, lab, 11, 1)
    task0 = BraggTask(ds, None, dev)
    task0.aug = 0  # shifts stay at the centre crop
    X = minmax_t(torch.from_numpy(win[:, 1:12, 1:12])).unsqueeze(1).to(dev)
    lb = torch.from_numpy(lab) - 1
    Y = torch.stack([lb[:, 1], lb[:, 0]], 1).div(11).to(dev)
    return {"ours": BraggTask(ds, None, dev), "ours_no_aug": task0}, X, Y, dict(BRAGGNN_DEFAULT)


def cookie_setup(samples, dev):
    Xn, Yn = simulate_cookie(samples, seed=0)
    Xn, Yn = Xn.astype("float32"), Yn.astype("float32")
    X, Y = torch.from_numpy(Xn).unsqueeze(1).to(dev), torch.from_numpy(Yn).unsqueeze(1).to(dev)
    return {"ours": CookieTask(Xn, Yn, None, None, dev)}, X, Y, dict(COOKIE_DEFAULT)


def ours_epoch(trainer):
    _, n, seconds, _ = trainer.train_epoch()
    return n / seconds


def compare(family, setup, samples, batch_size, rounds, dev):
    tasks, X, Y, config = setup(samples, dev)
    torch.manual_seed(0)
    init = fresh_model(family, config).state_dict()
    lr = DEFAULT_LR[family]

    def sync():
        if dev.type == "cuda":
            torch.cuda.synchronize()

    def model():
        m = fresh_model(family, config)
        m.load_state_dict(init)
        return m.to(dev)

    bare_model = model()
    bare_opt = torch.optim.Adam(bare_model.parameters(), lr=lr)

    def bare_epoch():
        n = len(X)
        perm = torch.randperm(n, device=dev)
        sync()
        t0 = time.perf_counter()
        for s in range(n // batch_size):
            idx = perm[s * batch_size:(s + 1) * batch_size]
            loss = F.mse_loss(bare_model(X[idx]), Y[idx])
            bare_opt.zero_grad(set_to_none=True)
            loss.backward()
            bare_opt.step()
        sync()
        return (n // batch_size) * batch_size / (time.perf_counter() - t0)

    trainers = {name: Trainer(model(), task, lr, batch_size) for name, task in tasks.items()}
    runs = {"bare": bare_epoch}
    runs.update({name: functools.partial(ours_epoch, tr) for name, tr in trainers.items()})
    for run in runs.values():  # warm-up
        run()
    rates = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            rates[name].append(run())
    med = {name: statistics.median(v) for name, v in rates.items()}
    res = {"samples": samples, "batch_size": batch_size, "rounds": rounds, "all": rates}
    for name, v in med.items():
        res[f"{name}_samples_per_s"] = v
    for name in tasks:
        res["ratio" if name == "ours" else f"ratio_{name[5:]}"] = med[name] / med["bare"]
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=8192, help="braggnn patches")
    ap.add_argument("--batch-size", type=int, default=512, help="braggnn batch")
    ap.add_argument("--cookie-samples", type=int, default=64)
    ap.add_argument("--cookie-batch-size", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--families", default="braggnn,cookienetae")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    a = ap.parse_args()
    threads = configure_threads()
    dev = torch.device(a.device)
    plan = {"braggnn": (braggnn_setup, a.samples, a.batch_size),
            "cookienetae": (cookie_setup, a.cookie_samples, a.cookie_batch_size)}
    res = {"type": "benchmark", "benchmark": "train_loop_vs_bare", "device": dev.type, "threads": threads,
           "torch": str(torch.__version__), "target_ratio": 0.95, "families": {}}
    for family in [f.strip() for f in a.families.split(",") if f.strip()]:
        setup, samples, bs = plan[family]
        res["families"][family] = compare(family, setup, samples, bs, a.rounds, dev)
    res["meets_target"] = all(f["ratio"] >= res["target_ratio"] for f in res["families"].values())
    print(json.dumps(res))


if __name__ == "__main__":
    main()
