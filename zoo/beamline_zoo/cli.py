"""Command line: python -m beamline_zoo COMMAND ... (simulate, label, train, evaluate, deploy, export, benchmark,
inspect, calibrate, spot-check).

stdout carries only JSON lines (protocol.py); human messages go to stderr.
Exit codes: 0 success, 1 failure, 2 bad input, 143 stopped by SIGTERM (130 by SIGINT).
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time

from .protocol import (EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK, EXIT_SIGTERM, BadInput, configure_threads,
                       emit, emit_file, log)

FAMILIES = ("braggnn", "cookienetae")
SHA_HELP = "the checkpoint's recorded sha256; refused before loading if it differs"


class ArgParser(argparse.ArgumentParser):
    """argparse that reports usage errors through the protocol (exit 2)."""

    def error(self, message):
        raise BadInput(f"{self.prog}: {message}")


def _pos_int(name):
    def f(v):
        try:
            i = int(v)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be an integer, got {v!r}")
        if i < 1:
            raise argparse.ArgumentTypeError(f"{name} must be >= 1, got {i}")
        return i
    return f


def _pos_float(name):
    def f(v):
        try:
            x = float(v)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a number, got {v!r}")
        if not (x > 0 and x < float("inf")):
            raise argparse.ArgumentTypeError(f"{name} must be a positive finite number, got {v!r}")
        return x
    return f


def _dense(v):
    try:
        sizes = [int(s) for s in v.replace("_", ",").split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--dense must look like 16,8,4,2 (or 16_8_4_2), got {v!r}")
    if not sizes or any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError(f"--dense sizes must be positive integers, got {v!r}")
    return sizes


def _device(name: str):
    import torch

    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        raise BadInput("--device cuda requested but CUDA is not available")
    return name


def build_parser() -> ArgParser:
    p = ArgParser(prog="beamline_zoo", description="Beamline Retrain model zoo (BraggNN, CookieNetAE)")
    sub = p.add_subparsers(dest="command", parser_class=ArgParser)
    sub.required = True

    s = sub.add_parser("simulate", help="S: simulate BraggNN patches/frames or CookieBox spectra")
    s.add_argument("--family", choices=FAMILIES, required=True)
    s.add_argument("--samples", type=_pos_int("--samples"), required=True,
                   help="patches (braggnn), peaks (braggnn --frames) or spectra (cookienetae)")
    s.add_argument("--out", help="output HDF5 file (all but --drift-series)")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--patch-size", type=_pos_int("--patch-size"), default=11)
    s.add_argument("--margin", type=int, default=0, help="braggnn: extra pixels around each patch")
    s.add_argument("--unlabelled", action="store_true", help="braggnn: write patches without labels")
    s.add_argument("--frames", action="store_true", help="braggnn: write frames + peak table (users' layout)")
    s.add_argument("--frame-size", type=_pos_int("--frame-size"), default=256)
    s.add_argument("--drift-series", type=_pos_int("--drift-series"), metavar="K",
                   help="braggnn: K scans (frames + peak table, --samples peaks each) whose peaks drift "
                        "progressively (simulate.py docstring), written to --out-dir as scan-000.h5 ...")
    s.add_argument("--out-dir", help="output directory of --drift-series")
    s.add_argument("--drift-width", type=float, default=None, help="widths x (1 + W t), default 3.0")
    s.add_argument("--drift-intensity", type=float, default=None, help="Imax x (1 - I t), default 0.6")
    s.add_argument("--drift-beam-shift", type=float, default=None, help="beam centre shift / frame size at t=1, "
                   "default 0.1")
    s.add_argument("--drift-crowding", type=float, default=None,
                   help="probability at t=1 that a peak sits inside an earlier peak's window, default 0.2")

    a = sub.add_parser("label", help="A: label patches by 2D pseudo-Voigt fitting")
    a.add_argument("--data", required=True, help="HDF5 with 'patches' (N,S,S), or frames + peak table")
    a.add_argument("--out", required=True)
    a.add_argument("--patch-size", type=_pos_int("--patch-size"), default=11,
                   help="frames: size of the window cut around each peak of the table")
    a.add_argument("--max-samples", type=_pos_int("--max-samples"))

    t = sub.add_parser("train", help="T: train or fine-tune a model")
    t.add_argument("--family", choices=FAMILIES, required=True)
    t.add_argument("--data", required=True)
    t.add_argument("--peaks", help="braggnn: peak table file when separate from the frames file")
    t.add_argument("--out", required=True, help="output directory (checkpoint.pt)")
    t.add_argument("--epochs", type=_pos_int("--epochs"), required=True)
    t.add_argument("--batch-size", type=_pos_int("--batch-size"))
    t.add_argument("--lr", type=_pos_float("--lr"))
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--parent", help="checkpoint to fine-tune from (same family and architecture)")
    t.add_argument("--parent-sha256", help="the parent's recorded sha256; refused before loading if it differs")
    t.add_argument("--max-samples", type=_pos_int("--max-samples"))
    t.add_argument("--val-fraction", type=float, default=0.2)
    t.add_argument("--device", choices=("cpu", "cuda", "auto"), default="auto")
    t.add_argument("--patch-size", type=_pos_int("--patch-size"), help="braggnn (default 11 or the parent's)")
    t.add_argument("--dense", type=_dense, help="braggnn dense sizes, default 16,8,4,2 or the parent's")
    t.add_argument("--aug", type=int, default=1, help="braggnn: ± crop shift in px (default 1)")
    t.add_argument("--fast", choices=("auto", "on", "off"), default="auto",
                   help="GPU fast path: whole-epoch CUDA graph + fused Adam + cuDNN autotuning; auto = on for cuda")
    t.add_argument("--cuda-graph", action="store_true", help="capture each epoch in a CUDA graph (cuda only)")
    t.add_argument("--compile", nargs="?", const="default", metavar="MODE",
                   help="torch.compile the batch preparation, forward and loss where torch has it "
                        "(mode default|max-autotune|reduce-overhead; with the epoch graph, inductor's own "
                        "CUDA graphs are turned off)")
    t.add_argument("--precision", choices=("fp32", "bf16"), default="fp32", help="bf16: autocast (cuda only)")
    t.add_argument("--amp", action="store_true", help="same as --precision bf16")
    t.add_argument("--lr-scaling", choices=("linear", "none"), default="linear",
                   help="data-parallel runs: --lr is the 1-rank rate, multiplied by the number of ranks "
                        "(linear, default) or used as given (none)")
    t.add_argument("--keep", choices=("best", "last"), default="best",
                   help="the artifact: the validated epoch with the lowest error (default) or the last epoch")
    t.add_argument("--val-every", type=_pos_int("--val-every"), default=1,
                   help="validate (keeping the checkpoint when it is the best so far) every K epochs and after the last "
                        "(default 1)")

    e = sub.add_parser("evaluate", help="E: evaluate a checkpoint on held-out data and time inference")
    e.add_argument("--checkpoint", required=True)
    e.add_argument("--checkpoint-sha256", help=SHA_HELP)
    e.add_argument("--data", required=True)
    e.add_argument("--peaks")
    e.add_argument("--max-samples", type=_pos_int("--max-samples"))
    e.add_argument("--split", choices=("auto", "val", "all"), default="auto",
                   help="auto: braggnn/X,Y files -> the sequential validation part; X_test files -> all")
    e.add_argument("--val-fraction", type=float, default=0.2)
    e.add_argument("--batch-size", type=_pos_int("--batch-size"))
    e.add_argument("--device", choices=("cpu", "cuda", "auto"), default="cpu")

    d = sub.add_parser("deploy", help="the deploy step in one process: evaluate, compare with the model in service, "
                                      "export (one evaluation line each, role candidate / in_service, then export's lines)")
    d.add_argument("--checkpoint", required=True)
    d.add_argument("--checkpoint-sha256", help=SHA_HELP)
    d.add_argument("--in-service", help="checkpoint of the model in service, evaluated on the same samples")
    d.add_argument("--in-service-sha256", help="its sha256, checked before it is loaded")
    d.add_argument("--data", required=True)
    d.add_argument("--peaks")
    d.add_argument("--max-samples", type=_pos_int("--max-samples"))
    d.add_argument("--split", choices=("auto", "val", "all"), default="auto")
    d.add_argument("--val-fraction", type=float, default=0.2)
    d.add_argument("--batch-size", type=_pos_int("--batch-size"))
    d.add_argument("--device", choices=("cpu", "cuda", "auto"), default="cpu")
    d.add_argument("--export-dir", required=True, help="where the exported model files go")
    d.add_argument("--formats", default="torchscript,onnx")
    d.add_argument("--opset", type=int, default=13)

    x = sub.add_parser("export", help="export a checkpoint to TorchScript and ONNX")
    x.add_argument("--checkpoint", required=True)
    x.add_argument("--checkpoint-sha256", help=SHA_HELP)
    x.add_argument("--out", required=True, help="output directory")
    x.add_argument("--formats", default="torchscript,onnx")
    x.add_argument("--opset", type=int, default=13)

    i = sub.add_parser("inspect", help="validate a dataset and report family, samples, shape and whether it is labelled")
    i.add_argument("--data", required=True)

    b = sub.add_parser("benchmark", help="E: inference seconds per datum")
    b.add_argument("--checkpoint")
    b.add_argument("--checkpoint-sha256", help=SHA_HELP)
    b.add_argument("--family", choices=FAMILIES)
    b.add_argument("--batch-size", type=_pos_int("--batch-size"))
    b.add_argument("--samples", type=_pos_int("--samples"))
    b.add_argument("--repeats", type=_pos_int("--repeats"), default=3)
    b.add_argument("--device", choices=("cpu", "cuda", "auto"), default="cpu")
    b.add_argument("--torchscript", help="benchmark an exported TorchScript file instead")
    c = sub.add_parser("calibrate",
                       help="measure start-up, training and validation throughput (for the cost model)")
    c.add_argument("--family", choices=FAMILIES, required=True)
    c.add_argument("--batch-size", type=_pos_int("--batch-size"), help="default: the family's training batch")
    c.add_argument("--device", choices=("cpu", "cuda", "auto"), default="cpu")
    c.add_argument("--seconds", type=_pos_float("--seconds"), default=3.0,
                   help="time budget of the timed training and validation steps (at least one of each runs)")
    c.add_argument("--started-at", type=_pos_float("--started-at"),
                   help="epoch seconds when the caller started this process (default: /proc/self/stat)")

    k = sub.add_parser("spot-check", help="drift check at the edge: label a fraction of new data "
                                           "conventionally and score the deployed model against it")
    k.add_argument("--checkpoint", required=True, help="the deployed checkpoint")
    k.add_argument("--checkpoint-sha256", help=SHA_HELP)
    k.add_argument("--data", required=True, help="the new data file (any BraggNN layout; CookieNetAE X + Y)")
    k.add_argument("--peaks")
    k.add_argument("--fraction", type=_pos_float("--fraction"), default=0.05,
                   help="fraction of the file's samples to check, in (0, 1] (at least one sample)")
    k.add_argument("--seed", type=int, default=0, help="which samples are drawn")
    k.add_argument("--max-samples", type=_pos_int("--max-samples"))
    k.add_argument("--device", choices=("cpu", "cuda", "auto"), default="cpu")
    return p


# ------------------------------------------------------------------------------------ commands
def _simulate_drift_series(a):
    from . import simulate as S

    if a.family != "braggnn":
        raise BadInput("--drift-series is for braggnn")
    if not a.out_dir or a.out:
        raise BadInput("--drift-series writes to --out-dir (and takes no --out)")
    knobs = {k: v for k, v in (("width", a.drift_width), ("intensity", a.drift_intensity),
                               ("beam_shift", a.drift_beam_shift), ("crowding", a.drift_crowding))
             if v is not None}
    if not 0 <= knobs.get("intensity", 0) < 1:
        raise BadInput(f"--drift-intensity must be in [0, 1), got {knobs['intensity']}")
    if knobs.get("width", 0) < 0 or knobs.get("beam_shift", 0) < 0:
        raise BadInput("--drift-width and --drift-beam-shift must be >= 0")
    if not 0 <= knobs.get("crowding", 0) <= 1:
        raise BadInput(f"--drift-crowding must be in [0, 1], got {knobs['crowding']}")
    out_dir = os.path.abspath(a.out_dir)
    os.makedirs(out_dir, exist_ok=True)
    for k in range(a.drift_series):
        drift = S.drift_settings(k, a.drift_series, **knobs)
        frames, table = S.simulate_frames(a.samples, psz=a.patch_size, seed=a.seed + k, size=a.frame_size,
                                          drift=drift)
        out = os.path.join(out_dir, f"scan-{k:03d}.h5")
        attrs = {"simulator": "beamline_zoo", "seed": a.seed + k, "scan": k, "drift_t": drift["t"],
                 "width_scale": drift["width_scale"], "eta_range": list(drift["mu_range"]),
                 "imax_scale": drift["imax_scale"], "beam_shift": drift["beam_shift"],
                 "crowding": drift["crowding"]}
        S.write_h5(out, dict(frames=frames, **table), attrs)
        emit_file("simulated", out, samples=a.samples, family=a.family, scan=k, scans=a.drift_series,
                  drift={k2: (list(v) if isinstance(v, tuple) else v) for k2, v in drift.items()})
    return EXIT_OK


def cmd_simulate(a):
    import numpy as np

    from . import simulate as S

    if a.drift_series:
        return _simulate_drift_series(a)
    if not a.out:
        raise BadInput("simulate needs --out (or --drift-series K --out-dir DIR)")
    out = os.path.abspath(a.out)
    if os.path.isdir(out):
        raise BadInput(f"--out is a directory: {out}")
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    attrs = {"simulator": "beamline_zoo", "seed": a.seed}
    if a.family == "cookienetae":
        X, Y = S.simulate_cookie(a.samples, seed=a.seed)
        S.write_h5(out, {"X": X, "Y": Y}, attrs)
    elif a.frames:
        frames, table = S.simulate_frames(a.samples, psz=a.patch_size, seed=a.seed, size=a.frame_size)
        S.write_h5(out, dict(frames=frames, **table), attrs)
    else:
        patches, centre, p = S.simulate_patches(a.samples, a.patch_size, seed=a.seed, margin=max(0, a.margin))
        ds = {"patches": patches, "radial_angle": p["psi"].astype(np.float32)}
        if a.unlabelled:
            ds["true_labels"] = centre
        else:
            ds["labels"] = centre
        attrs["label_convention"] = "(row, col) peak centre, pixel (i,j) centred at (i,j)"
        S.write_h5(out, ds, attrs)
    emit_file("simulated", out, samples=a.samples, family=a.family)
    return EXIT_OK


def cmd_label(a):
    import numpy as np

    from .data import open_h5, read_patches, unlabelled_windows
    from .label import PARAMS, label_patches
    from .simulate import write_h5

    with open_h5(a.data) as h:
        is_frames = "frames" in h
    if is_frames:  # users' layout (a raw scan): windows around the peak table's positions
        patches, extras = unlabelled_windows(a.data, a.patch_size, a.max_samples)[0], {}
    else:
        patches, _labels, extras = read_patches(a.data, a.max_samples)
    n = len(patches)

    def progress(done, total):
        emit("progress", stage="label", done=done, total=total)

    lab, ok, params, secs = label_patches(patches, extras.get("radial_angle"), progress)
    out = os.path.abspath(a.out)
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    ds = {"patches": patches[ok], "labels": lab[ok], "fit_params": params[ok],
          "source_index": np.nonzero(ok)[0].astype(np.int64)}
    for k, v in extras.items():
        ds[k] = v[ok]
    write_h5(out, ds, {"labeller": "2D pseudo-Voigt (MIDAS form), scipy least_squares",
                       "fit_params_columns": ",".join(PARAMS)})
    fields = {"peaks": int(ok.sum()), "seconds_per_peak": secs / max(n, 1), "failed": int(n - ok.sum())}
    if "true_labels" in extras and ok.any():
        err = np.linalg.norm(lab[ok] - extras["true_labels"][ok], axis=1)
        fields["truth_mean_px_error"] = float(err.mean())
        fields["truth_p95_px_error"] = float(np.percentile(err, 95))
    log(f"labelled {fields['peaks']}/{n} peaks, {fields['seconds_per_peak'] * 1e3:.1f} ms/peak")
    emit("labelled", path=out, **fields)
    return EXIT_OK


def _load_task(family, data, peaks, config, aug, max_samples, val_fraction, device, split="train"):
    from . import data as D
    from .train import BraggTask, CookieTask

    if family == "braggnn":
        if split == "train":
            tr, va = D.load_braggnn(data, config["patch_size"], aug, max_samples, val_fraction, peaks)
            return BraggTask(tr, va, device)
        ds = D.load_braggnn(data, config["patch_size"], 0, max_samples, val_fraction, peaks, split=split)
        return BraggTask(ds, ds, device)
    if peaks:
        raise BadInput("--peaks is only for braggnn")
    X, Y, _ = D.load_cookie(data, max_samples)
    if split == "train":
        ntr = D.sequential_split(len(X), val_fraction)
        if ntr == 0:
            raise BadInput(f"{data}: no training samples after the split")
        if ntr == len(X) and val_fraction > 0:
            raise BadInput(f"{data}: no validation samples after the split ({len(X)} samples)")
        return CookieTask(X[:ntr], Y[:ntr], X[ntr:], Y[ntr:], device)
    if split == "val":
        ntr = D.sequential_split(len(X), val_fraction)
        X, Y = X[ntr:], Y[ntr:]
        if len(X) == 0:
            raise BadInput(f"{data}: no validation samples after the split")
    return CookieTask(X, Y, X, Y, device)


def cmd_train(a):
    from . import train as T

    # handlers first: a SIGTERM that arrives while data load still ends with a usable checkpoint
    stop = T.StopFlag()
    old_handlers = T.install_signal_handlers(stop)
    try:
        return _cmd_train(a, stop)
    finally:
        for sig, h in old_handlers.items():
            signal.signal(sig, h)


def _cmd_train(a, stop):
    from . import train as T
    from .models import BRAGGNN_DEFAULT, COOKIE_DEFAULT, count_parameters

    from . import distributed as D

    world = D.world_from_env(os.environ)
    if not world.leader:
        sys.stdout = open(os.devnull, "w")  # only rank 0 speaks the protocol: the agent sees each line once
    threads = configure_threads()
    device = D.init(world, _device(a.device))
    if not 0.0 <= a.val_fraction < 1.0:
        raise BadInput(f"--val-fraction must be in [0, 1), got {a.val_fraction}")
    if a.aug < 0:
        raise BadInput(f"--aug must be >= 0, got {a.aug}")
    if a.family == "cookienetae" and (a.patch_size or a.dense):
        raise BadInput("--patch-size/--dense apply to braggnn only")
    parent = None
    if a.family == "braggnn":
        config = {"patch_size": a.patch_size or BRAGGNN_DEFAULT["patch_size"],
                  "dense": a.dense or list(BRAGGNN_DEFAULT["dense"])}
    else:
        config = dict(COOKIE_DEFAULT)
    if a.parent:
        parent = T.load_checkpoint(a.parent, a.parent_sha256)
        if parent["family"] != a.family:
            raise BadInput(f"--parent {a.parent} is a {parent['family']} checkpoint, cannot fine-tune "
                           f"{a.family} from it")
        pc = dict(parent["config"])
        if a.family == "braggnn":
            pc["dense"] = list(pc["dense"])
            want = {"patch_size": a.patch_size or pc["patch_size"], "dense": a.dense or pc["dense"]}
            if want != pc:
                raise BadInput(f"--parent {a.parent} has architecture {pc}, requested {want}; "
                               f"a fine-tune must keep the parent's architecture")
        config = pc
    T.set_seed(a.seed)
    task = _load_task(a.family, a.data, a.peaks, config, a.aug, a.max_samples, a.val_fraction, device)
    model = T.model_from_checkpoint(parent, a.parent) if parent else T.fresh_model(a.family, config)
    model.to(device)
    bs = a.batch_size or T.DEFAULT_BATCH[a.family]
    base_lr = a.lr or T.DEFAULT_LR[a.family]
    lr = D.scaled_lr(base_lr, world.size, a.lr_scaling)
    try:
        return _train_loop(a, T, task, D.wrap(model, world, device), config, lr, bs, device, threads, stop, world,
                           base_lr)
    finally:
        D.finish(world)


def _train_loop(a, T, task, model, config, lr, bs, device, threads, stop, world, base_lr):
    from . import distributed as D
    from .models import count_parameters

    cuda = device.startswith("cuda")
    fast = a.fast == "on" or (a.fast == "auto" and cuda)
    if fast and cuda:
        import torch

        torch.backends.cudnn.benchmark = True
    trainer = T.Trainer(model, task, lr, bs, amp=a.amp or a.precision == "bf16",
                        cuda_graph=a.cuda_graph or fast, compile_mode=a.compile, fused_adam=fast, stop=stop,
                        on_first_batch=lambda: emit("first_batch", at=time.time()), world=world)
    net = trainer.net
    if a.compile and not trainer.compile_mode:
        log("torch.compile is not available in this torch: --compile ignored")
    out_dir = os.path.abspath(a.out)
    os.makedirs(out_dir, exist_ok=True)
    ck_path = os.path.join(out_dir, "checkpoint.pt")
    parent_path = os.path.abspath(a.parent) if a.parent else None
    # batch_size is per rank; one optimiser step sees global_batch_size samples, at learning rate `lr`
    # (= base_lr × world size under linear scaling)
    emit("start", family=a.family, parameters=count_parameters(net), train_samples=task.n,
         val_samples=task.n_val, epochs=a.epochs, batch_size=trainer.batch_size, device=device,
         threads=threads, parent=parent_path, seed=a.seed, lr=lr, config=config,
         engine=dict(trainer.engine(), val_every=a.val_every), world_size=world.size,
         global_batch_size=trainer.batch_size * world.size, base_lr=base_lr, lr_scaling=a.lr_scaling,
         # when this process was created (a warm process: when it was pre-started), to split a job's start-up
         process_started=process_start_epoch())
    log(f"training {a.family} ({count_parameters(net)} params) on {task.n} samples, "
        f"{task.n_val} validation, device {device}, {threads} threads, rank {world.rank} of {world.size}")
    history, metrics, epoch, stopped = [], {}, 0, False
    # On a few hundred samples the validation error swings from epoch to epoch (a drifted scan's fine-tune went
    # 0.27 px at epoch 7, 0.42 px at epoch 8): the artifact is the best validated epoch unless --keep last.
    best_error, best_epoch = float("inf"), None

    def save(reason=None):
        if world.leader:
            T.save_checkpoint(ck_path, net, a.family, config, epoch, a.epochs, metrics, history, a.seed,
                              parent_path, reason)

    for ep in range(1, a.epochs + 1):
        t0 = time.perf_counter()
        loss, ns, tsec, early = trainer.train_epoch()
        # one collective per epoch: every rank's loss and throughput, and whether any rank was told to stop
        per_rank = D.all_gather_floats([loss, ns, tsec, 1.0 if stop else 0.0], world, device)
        stopped = early or any(r[3] for r in per_rank)
        if early:
            break
        epoch = ep
        loss = sum(r[0] for r in per_rank) / world.size
        samples, slowest = sum(r[1] for r in per_rank), max(r[2] for r in per_rank)
        validated = ep % a.val_every == 0 or ep == a.epochs or stopped
        val_loss = None
        if validated and world.leader:
            val_loss, metrics = trainer.validate()
        rec = {"epoch": ep, "at": time.time(), "epochs": a.epochs, "loss": loss, "val_loss": val_loss,
               "metrics": metrics if validated else {}, "seconds": time.perf_counter() - t0,
               "samples_per_s": samples / slowest if slowest > 0 else None, "train_seconds": slowest,
               "validated": validated}
        if world.distributed:
            rec["ranks"] = [{"rank": i, "samples_per_s": r[1] / r[2] if r[2] > 0 else None}
                            for i, r in enumerate(per_rank)]
        if ep == 1 and trainer.cuda_graph:
            rec["capture_seconds"] = trainer.capture_seconds  # included in epoch 1's `seconds`
        history.append(rec)
        emit("epoch", **rec)
        if not (loss == loss) or loss in (float("inf"), float("-inf")):
            save("diverged")
            log(f"training diverged at epoch {ep} (loss {loss})")
            emit("error", message=f"training diverged at epoch {ep}: loss is not finite")
            return EXIT_FAILURE
        if stopped:
            break
        if validated and world.leader:
            error = T.primary_error(metrics, val_loss)
            if a.keep == "last" or error <= best_error:
                best_error, best_epoch = error, ep
                save()
    if stopped:
        # a rank that got no signal itself stops with the one that did (Slurm and torchrun signal them all)
        reason = stop.reason or "SIGTERM"
        save(reason)
        emit("stopped", reason=reason, epoch=epoch)
        if world.leader:
            emit_file("artifact", ck_path, format="checkpoint")
        log(f"stopped by {reason} after {epoch} complete epochs; checkpoint {ck_path}")
        return EXIT_SIGTERM if reason == "SIGTERM" else 130
    if best_epoch is None:
        save()
    if world.leader:
        emit_file("artifact", ck_path, format="checkpoint", epoch=best_epoch or epoch)
    return EXIT_OK


def _time_inference(model, x, batch_size, repeats=1):
    import torch

    dev = x.device
    with torch.no_grad():
        model(x[:batch_size])  # warm-up
        if dev.type == "cuda":
            torch.cuda.synchronize()
        best = float("inf")
        for _ in range(repeats):
            t0 = time.perf_counter()
            for i in range(0, len(x), batch_size):
                model(x[i:i + batch_size])
            if dev.type == "cuda":
                torch.cuda.synchronize()
            best = min(best, time.perf_counter() - t0)
    return best / len(x)


def _evaluation(a, checkpoint, checkpoint_sha256, device, time_inference=True, loaded=None):
    """The fields of an evaluation line for one checkpoint on a's held-out data. `loaded` (a dict) keeps the data
    loaded for one model to evaluate another of the same family and configuration on, without reading it again."""
    from . import train as T

    ck = T.load_checkpoint(checkpoint, checkpoint_sha256)
    model = T.model_from_checkpoint(ck, checkpoint).to(device).eval()
    fam = ck["family"]
    split = a.split
    if split == "auto":
        split = "val"
        if fam == "cookienetae":
            from .data import load_cookie  # noqa: F401
            from .data import open_h5
            with open_h5(a.data) as h:
                if "X_test" in h:
                    split = "all"
    key = json.dumps([fam, ck["config"], split], sort_keys=True)
    task = loaded.get(key) if loaded is not None else None
    if task is None:
        task = _load_task(fam, a.data, a.peaks, ck["config"], 0, a.max_samples, a.val_fraction, device, split)
        if loaded is not None:
            loaded[key] = task
    if task.n_val == 0:
        raise BadInput(f"{a.data}: nothing to evaluate")
    val_loss, metrics = task.validate(model)
    fields = dict(family=fam, samples=task.n_val, split=split, metrics=dict(metrics, val_loss=val_loss),
                  device=device, checkpoint=os.path.abspath(checkpoint))
    if time_inference:
        bs = min(a.batch_size or T.DEFAULT_BATCH[fam], task.n_val)
        fields.update(seconds_per_datum=_time_inference(model, task.val_x, bs), batch_size=bs)
    return fields


def cmd_evaluate(a):
    threads = configure_threads()
    emit("evaluation", **_evaluation(a, a.checkpoint, a.checkpoint_sha256, _device(a.device)), threads=threads)
    return EXIT_OK


def cmd_deploy(a):
    """The deploy step's work in one process: evaluate the new model, the model in service on the same samples,
    and export the new one. Each of them as its own command was a process start (and, on a warm agent, a wait
    for the next warm process) of a second or so apiece on the edge."""
    threads = configure_threads()
    device = _device(a.device)
    loaded = {}  # the held-out samples, read once for both models when they share a configuration
    emit("evaluation", **_evaluation(a, a.checkpoint, a.checkpoint_sha256, device, loaded=loaded), threads=threads,
         role="candidate")
    if a.in_service:
        # The comparison is evidence for the gate, not the deploy's own result: its failure is reported, not fatal.
        try:
            fields = _evaluation(a, a.in_service, a.in_service_sha256, device, time_inference=False, loaded=loaded)
            emit("evaluation", **fields, role="in_service")
        except Exception as error:  # noqa: BLE001 - any failure of the old model is the gate's to weigh
            emit("in_service_failed", message=f"{type(error).__name__}: {error}"[:500])
    _export(a.checkpoint, a.checkpoint_sha256, a.export_dir, a.formats, a.opset)
    return EXIT_OK


def cmd_export(a):
    configure_threads()
    _export(a.checkpoint, a.checkpoint_sha256, a.out, a.formats, a.opset)
    return EXIT_OK


def _export(checkpoint, checkpoint_sha256, out, formats, opset):
    import numpy as np
    import torch

    from . import train as T
    from .models import input_shape

    ck = T.load_checkpoint(checkpoint, checkpoint_sha256)
    model = T.model_from_checkpoint(ck, checkpoint).eval()
    fmts = [f.strip() for f in formats.split(",") if f.strip()]
    bad = [f for f in fmts if f not in ("torchscript", "onnx")]
    if bad or not fmts:
        raise BadInput(f"--formats must be a comma list of torchscript,onnx; got {formats!r}")
    os.makedirs(out, exist_ok=True)
    shape = input_shape(ck["family"], ck["config"])
    g = torch.Generator().manual_seed(0)
    x = torch.rand((4,) + shape, generator=g)
    if ck["family"] == "cookienetae":
        x = torch.poisson(x * 0.3, generator=g)
    with torch.no_grad():
        ref = model(x)
    files = []
    if "torchscript" in fmts:
        p = os.path.join(os.path.abspath(out), "model.torchscript.pt")
        ts = torch.jit.trace(model, x[:1])
        ts.save(p)
        with torch.no_grad():
            diff = float((torch.jit.load(p)(x) - ref).abs().max())
        if diff > 1e-4:
            raise RuntimeError(f"TorchScript output differs from the model by {diff}")
        emit_file("artifact", p, format="torchscript", max_abs_diff=diff)
        files.append(p)
    if "onnx" in fmts:
        p = os.path.join(os.path.abspath(out), "model.onnx")
        torch.onnx.export(model, x[:1], p, input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}, opset_version=opset)
        checked = False
        try:
            import onnx

            onnx.checker.check_model(onnx.load(p))
            checked = True
        except ImportError:
            log("onnx package not available: ONNX file written but not checked")
        emit_file("artifact", p, format="onnx", opset=opset, checked=checked)
        files.append(p)
    np.save(os.path.join(out, "sample_input.npy"), x.numpy())
    np.save(os.path.join(out, "sample_output.npy"), ref.numpy())
    emit("exported", family=ck["family"], config=ck["config"], input_shape=[None] + list(shape),
         files=files, normalisation="per-patch min-max to [0,1] before the model" if ck["family"] == "braggnn"
         else "raw counts as float32")


def cmd_benchmark(a):
    import torch

    from . import train as T
    from .models import BRAGGNN_DEFAULT, COOKIE_DEFAULT, count_parameters, input_shape

    threads = configure_threads()
    device = _device(a.device)
    if a.checkpoint:
        ck = T.load_checkpoint(a.checkpoint, a.checkpoint_sha256)
        fam, config = ck["family"], ck["config"]
        model = T.model_from_checkpoint(ck, a.checkpoint)
    elif a.family:
        fam = a.family
        config = dict(BRAGGNN_DEFAULT) if fam == "braggnn" else dict(COOKIE_DEFAULT)
        model = T.fresh_model(fam, config)
    else:
        raise BadInput("benchmark needs --checkpoint or --family")
    params = count_parameters(model)
    if a.torchscript:
        if not os.path.exists(a.torchscript):
            raise BadInput(f"TorchScript file not found: {a.torchscript}")
        model = torch.jit.load(a.torchscript, map_location=device)
    model = model.to(device).eval()
    bs = a.batch_size or T.DEFAULT_BATCH[fam]
    n = a.samples or (8192 if fam == "braggnn" else 128)
    n = max(n, bs)
    x = torch.rand((n,) + input_shape(fam, config), generator=torch.Generator().manual_seed(0)).to(device)
    spd = _time_inference(model, x, bs, a.repeats)
    emit("benchmark", family=fam, parameters=params, samples=n, batch_size=bs, seconds_per_datum=spd,
         samples_per_s=1.0 / spd, device=device, threads=threads, torch=str(torch.__version__),
         torchscript=bool(a.torchscript))
    return EXIT_OK


def cmd_inspect(a):
    """What dataset registration needs, read with the same validating readers that training uses: the family
    and kind follow from the layout (edge intake registers files from this alone). kind: `raw` needs the
    conventional labelling on the trainer first (frames + peak table, unlabelled patches or spectra);
    `simulated` is labelled data written by this zoo's simulator; `labelled` any other labelled file."""
    from . import data as D

    with D.open_h5(a.data) as h:
        keys = set(h.keys())
        simulated = h.attrs.get("simulator") == "beamline_zoo"

    def kind(labelled):
        return ("simulated" if simulated else "labelled") if labelled else "raw"

    if keys & {x for x, _ in D.COOKIE_KEYS}:
        X, Y, _ = D.load_cookie(a.data, need_y=False)
        emit("inspected", family="cookienetae", samples=int(X.shape[0]), shape=list(X.shape), labelled=Y is not None,
             kind=kind(Y is not None), layout="spectra")
    elif "patches" in keys:
        patches, labels, _ = D.read_patches(a.data)
        emit("inspected", family="braggnn", samples=int(patches.shape[0]), shape=list(patches.shape),
             labelled=labels is not None, kind=kind(labels is not None), layout="patches")
    elif "frames" in keys or "peak_row" in keys:
        if "frames" not in keys:
            raise BadInput(f"{a.data}: a peak table without frames (found: {sorted(keys)}); BraggNN needs the "
                           f"frames beside the table")
        if not all(k in keys for k in D.PEAK_KEYS):
            raise BadInput(f"{a.data}: frames without a peak table (need {list(D.PEAK_KEYS)}; found: {sorted(keys)})")
        n = int(len(D.read_peak_table(a.data)["peak_fidx"]))
        # The peak table locates the peaks; their centres come from the pseudo-Voigt fit on the trainer.
        emit("inspected", family="braggnn", samples=n, shape=[n, 11, 11], labelled=True, kind="raw",
             layout="frames+peaks")
    else:
        raise BadInput(f"{a.data}: no known dataset layout (found: {sorted(keys)}); see zoo/README.md")
    return EXIT_OK


def process_start_epoch():
    """Wall-clock time this process was created, from /proc (10 ms resolution); None where unreadable."""
    try:
        with open("/proc/self/stat") as f:
            start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])  # field 22, starttime
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
        now = time.time()
        age = uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None
    return now - age if 0 <= age < 86400 else None


def cmd_calibrate(a):
    started = a.started_at if a.started_at else process_start_epoch()
    import platform

    import torch

    from . import __version__
    from . import train as T
    from .data import BraggSet
    from .models import BRAGGNN_DEFAULT, COOKIE_DEFAULT, count_parameters
    from .simulate import simulate_cookie, simulate_patches

    imported = time.time()
    threads = configure_threads()
    device = _device(a.device)
    fam = a.family
    model = T.fresh_model(fam, dict(BRAGGNN_DEFAULT) if fam == "braggnn" else dict(COOKIE_DEFAULT)).to(device)
    built = time.time()
    bs = a.batch_size or T.DEFAULT_BATCH[fam]
    # simulated in-memory data of the right shape: two training batches; the first batch validates
    if fam == "braggnn":
        win, lab, _ = simulate_patches(2 * bs, seed=0, margin=1)
        task = T.BraggTask(BraggSet(win, lab, 11, 1), BraggSet(win[:bs], lab[:bs], 11, 1), device)
    else:
        X, Y = simulate_cookie(2 * bs, seed=0)
        X, Y = X.astype("float32"), Y.astype("float32")
        task = T.CookieTask(X, Y, X[:bs], Y[:bs], device)

    def sync():
        if device == "cuda":
            torch.cuda.synchronize()

    # Steps at growing batch sizes (8, 32, 128, … up to the family's batch) separate a step's fixed cost
    # (optimiser, Python, kernel launches) from its cost per sample, so runs at any batch size are predicted.
    # The first step pays one-time set-up; each new batch shape is warmed up once before it is timed. The
    # ladder stops where the next rung (4× the batch) could not take two steps within the budget, but it
    # always reaches 4× the first rung where the family's batch allows; the timed steps then run at the top
    # rung (reported as measured_batch_size) for the budget.
    budget_train, budget_val = a.seconds * 2 / 3, a.seconds / 3
    rungs = []  # (batch, mean step seconds)
    batch = min(bs, 8)
    task.new_epoch()
    while True:
        trainer = T.Trainer(model, task, T.DEFAULT_LR[fam], batch)
        t0 = time.perf_counter()
        trainer.step(0)
        sync()
        first_step = time.perf_counter() - t0
        # steps for a tenth of the budget (2 at the first rung, at least 1, at most 20): fast steps are noisy
        timed = []
        while len(timed) < (2 if not rungs else 1) or (sum(timed) < budget_train / 10 and len(timed) < 20):
            t0 = time.perf_counter()
            trainer.step((len(timed) + 1) % trainer.steps)
            sync()
            timed.append(time.perf_counter() - t0)
        rungs.append((trainer.batch_size, sum(timed) / len(timed)))
        if len(rungs) == 1:  # what a run's first step costs beyond a steady one (allocations, kernel choice)
            first_step_extra = max(0.0, first_step - rungs[0][1])
        next_batch = min(bs, 4 * batch)
        # the fastest step bounds the next rung's step from above (all of it counted per sample)
        if next_batch == batch or (len(rungs) >= 2 and 2 * min(timed) * next_batch / batch > budget_train):
            break
        batch = next_batch
    steps, t0 = 0, time.perf_counter()
    while steps == 0 or time.perf_counter() - t0 < budget_train:
        if steps % trainer.steps == 0:
            task.new_epoch()
        trainer.step(steps % trainer.steps)
        steps += 1
        sync()
    train_s = time.perf_counter() - t0
    measured_bs = trainer.batch_size
    rungs[-1] = (measured_bs, train_s / steps)
    # the two largest batches: the fixed part is read where runs train, not at the tiny probe batch
    step_cost = T.split_step_cost(*(rungs[-2] if len(rungs) > 1 else rungs[-1]), *rungs[-1])
    model.eval()
    val_x = task.val_x[:measured_bs]
    val_batch = min(len(val_x), 4096 if fam == "braggnn" else 32)  # the batch validation uses
    val_s_per_sample = _time_inference(model, val_x, val_batch)  # includes one warm-up batch
    repeats = max(1, min(20, int(budget_val / max(val_s_per_sample * len(val_x), 1e-9))))
    t0 = time.perf_counter()
    val_s_per_sample = _time_inference(model, val_x, val_batch, repeats)
    val_s = time.perf_counter() - t0
    startup = {"startup_source": None, "import_seconds": None, "startup_seconds": None}
    if started is not None:
        startup = {"startup_source": "started-at" if a.started_at else "proc", "import_seconds": imported - started,
                   "startup_seconds": built - started}
    startup["first_step_extra_seconds"] = first_step_extra  # paid once per run, like the start-up
    emit("calibration", family=fam, parameters=count_parameters(model), batch_size=bs,
         measured_batch_size=trainer.batch_size, device=device, threads=threads, torch=str(torch.__version__),
         zoo_version=__version__, python=platform.python_version(), **startup,
         model_build_seconds=built - imported, train_samples_per_s=steps * trainer.batch_size / train_s,
         train_steps=steps, train_seconds=train_s, **step_cost, val_samples_per_s=1.0 / val_s_per_sample,
         val_batch_size=val_batch, val_seconds=val_s)
    return EXIT_OK


def cmd_spot_check(a):
    """BraggNN: pseudo-Voigt labels of a random fraction of the patches vs the model's centres (px).
    CookieNetAE: no conventional labeller exists for CookieBox spectra, so the file must carry the target
    densities (Y, as the simulator writes); per-sample MSE of the model against them."""
    import numpy as np
    import torch

    from . import train as T

    t_start = time.perf_counter()
    if not a.fraction <= 1.0:
        raise BadInput(f"--fraction must be in (0, 1], got {a.fraction}")
    threads = configure_threads()
    device = _device(a.device)
    ck = T.load_checkpoint(a.checkpoint, a.checkpoint_sha256)
    model = T.model_from_checkpoint(ck, a.checkpoint).to(device).eval()
    fam = ck["family"]
    rng = np.random.default_rng(a.seed)

    def draw(n):
        return np.sort(rng.choice(n, max(1, int(round(a.fraction * n))), replace=False))

    common = {"family": fam, "fraction": a.fraction, "checkpoint": os.path.abspath(a.checkpoint),
              "data": os.path.abspath(a.data), "device": device, "threads": threads}
    if fam == "braggnn":
        from .data import unlabelled_windows
        from .label import label_patches

        psz = ck["config"]["patch_size"]
        windows, psi = unlabelled_windows(a.data, psz, a.max_samples, a.peaks)
        idx = draw(len(windows))
        lab, ok, _params, label_s = label_patches(windows[idx], None if psi is None else psi[idx])
        if not ok.any():
            raise BadInput(f"{a.data}: the labeller fitted none of the {len(idx)} drawn patches")
        x = T.minmax_t(torch.from_numpy(windows[idx][ok])).unsqueeze(1).to(device)
        with torch.no_grad():
            pred = torch.cat([model(x[i:i + 4096]) for i in range(0, len(x), 4096)]).cpu().numpy() * psz
        err = np.hypot(pred[:, 1] - lab[ok, 0], pred[:, 0] - lab[ok, 1])  # pred (x=col, y=row), lab (row, col)
        emit("spot_check", **common, total=len(windows), drawn=len(idx), samples=int(ok.sum()),
             failed=int(len(idx) - ok.sum()), metric="px", mean_px=float(err.mean()),
             p95_px=float(np.percentile(err, 95)), labelling_seconds=label_s,
             seconds=time.perf_counter() - t_start)
        return EXIT_OK
    from .data import load_cookie

    X, Y, _ = load_cookie(a.data, a.max_samples, need_y=False)
    if Y is None:
        raise BadInput(f"{a.data}: a CookieNetAE spot-check needs the target densities (Y) in the file; "
                       f"there is no conventional labeller for CookieBox spectra")
    idx = draw(len(X))
    xs, ys = torch.from_numpy(X[idx]).unsqueeze(1), torch.from_numpy(Y[idx].astype(np.float32)).unsqueeze(1)
    with torch.no_grad():
        pred = torch.cat([model(xs[i:i + 32].to(device)).float().cpu() for i in range(0, len(xs), 32)])
    mse = ((pred - ys) ** 2).mean(dim=(1, 2, 3)).numpy()
    base = float(((T.cookie_baseline(xs) - ys) ** 2).mean())
    emit("spot_check", **common, total=len(X), drawn=len(idx), samples=len(idx), failed=0, metric="mse",
         mean_mse=float(mse.mean()), p95_mse=float(np.percentile(mse, 95)), baseline_mse=base,
         seconds=time.perf_counter() - t_start)
    return EXIT_OK


COMMANDS = {"inspect": cmd_inspect, "simulate": cmd_simulate, "label": cmd_label, "train": cmd_train,
            "evaluate": cmd_evaluate, "deploy": cmd_deploy, "export": cmd_export, "benchmark": cmd_benchmark, "calibrate": cmd_calibrate,
            "spot-check": cmd_spot_check}


def main(argv=None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except BadInput as e:
        log(f"error: {e}")
        emit("error", message=str(e))
        return EXIT_BAD_INPUT
    except SystemExit as e:  # --help
        return int(e.code or 0)
    except Exception as e:  # noqa: BLE001
        import traceback

        traceback.print_exc()
        emit("error", message=f"{type(e).__name__}: {e}")
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
