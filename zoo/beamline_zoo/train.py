"""Training engine (T) shared by the CLI, the benchmarks and the tests.

Data live on the training device as tensors; every epoch draws one permutation (and, for BraggNN,
one ±aug crop shift per sample) on the device, so a step needs no host synchronisation.  The loss is
accumulated on the device and read once per epoch.  On CUDA an optional mode captures a whole epoch
(forward, backward, Adam) into one CUDA graph.
"""
from __future__ import annotations

import json
import math
import os
import signal
import time
from typing import Callable, Optional

import numpy as np
import torch
import torch.nn.functional as F

from .distributed import World, any_rank, rank_batch_start
from .models import build_model, count_parameters, infer_braggnn_config, xavier_init
from .protocol import BadInput, sha256_file

DEFAULT_LR = {"braggnn": 3e-4, "cookienetae": 2.4e-3}
DEFAULT_BATCH = {"braggnn": 512, "cookienetae": 128}
CHECKPOINT_FORMAT = "beamline-zoo-checkpoint/1"


# --------------------------------------------------------------------------------------- tasks
def minmax_t(x: torch.Tensor) -> torch.Tensor:
    """Per-patch min-max to [0,1] over the last two dims; constant patches -> 0."""
    mn = x.amin(dim=(-2, -1), keepdim=True)
    rng = x.amax(dim=(-2, -1), keepdim=True) - mn
    return torch.where(rng > 0, (x - mn) / torch.where(rng > 0, rng, torch.ones_like(rng)), torch.zeros_like(x))


class BraggTask:
    family = "braggnn"

    def __init__(self, train, val, device):
        self.device = torch.device(device)
        self.psz, self.aug = train.psz, train.aug
        self.big = torch.from_numpy(np.ascontiguousarray(train.windows)).to(self.device)
        self.lab = torch.from_numpy(np.ascontiguousarray(train.labels)).to(self.device)  # (row, col)
        self.n = len(train)
        self.ar = torch.arange(self.psz, device=self.device)
        self.perm = torch.arange(self.n, device=self.device)
        self.shift = torch.full((self.n, 2), self.aug, dtype=torch.long, device=self.device)
        if val is not None and len(val):
            a, p = val.aug, val.psz
            vx = torch.from_numpy(np.ascontiguousarray(val.windows[:, a:a + p, a:a + p]))
            self.val_x = minmax_t(vx).unsqueeze(1).to(self.device)
            vl = torch.from_numpy(val.labels) - a
            self.val_y = torch.stack([vl[:, 1], vl[:, 0]], 1).div(p).to(self.device)  # (x=col, y=row)/psz
        else:
            self.val_x = self.val_y = None

    @property
    def n_val(self):
        return 0 if self.val_x is None else len(self.val_x)

    def new_epoch(self):
        """Fresh permutation and crop shifts, written in place (CUDA-graph friendly)."""
        self.perm.copy_(torch.randperm(self.n, device=self.device))
        if self.aug:
            self.shift.copy_(torch.randint(0, 2 * self.aug + 1, (self.n, 2), device=self.device))

    def gather(self, start: int, size: int):
        """Raw rows of batch [start, start+size) of the epoch's permutation: windows, shifts, labels."""
        idx = self.perm[start:start + size]
        return self.big[idx], self.shift[idx], self.lab[idx]

    def prepare(self, win, sh, lab):
        """Crop each window at its shift, min-max normalise; target (x=col, y=row)/psz. Pure tensor ops."""
        rows = (sh[:, 0:1] + self.ar).unsqueeze(2)  # (B, psz, 1)
        cols = (sh[:, 1:2] + self.ar).unsqueeze(1)  # (B, 1, psz)
        b = torch.arange(win.shape[0], device=win.device).view(-1, 1, 1)
        x = minmax_t(win[b, rows, cols]).unsqueeze(1)
        lab = lab - sh.to(lab.dtype)
        y = torch.stack([lab[:, 1], lab[:, 0]], 1) / self.psz
        return x, y

    @torch.no_grad()
    def validate(self, model, batch_size: int = 4096):
        if self.val_x is None:
            return None, {}
        preds = [model(self.val_x[i:i + batch_size]).float() for i in range(0, self.n_val, batch_size)]
        pred = torch.cat(preds)
        val_loss = F.mse_loss(pred, self.val_y)
        dist = torch.linalg.norm(pred - self.val_y, dim=1) * self.psz
        q = torch.quantile(dist, torch.tensor([0.5, 0.75, 0.95, 0.995], device=dist.device))
        vals = torch.cat([dist.mean().view(1), q, val_loss.view(1)]).tolist()
        metrics = {"mean": vals[0], "p50": vals[1], "p75": vals[2], "p95": vals[3], "p99_5": vals[4]}
        return vals[5], metrics


def cookie_baseline(X: torch.Tensor) -> torch.Tensor:
    """Baseline prediction: the input counts normalised per row to the target row sum (1270/128)."""
    s = X.sum(dim=-1, keepdim=True)
    return torch.where(s > 0, X * (1270.0 / 128.0) / torch.where(s > 0, s, torch.ones_like(s)), torch.zeros_like(X))


class CookieTask:
    family = "cookienetae"

    def __init__(self, Xtr, Ytr, Xva, Yva, device):
        self.device = torch.device(device)
        self.X = torch.from_numpy(Xtr).unsqueeze(1).to(self.device)
        self.Y = torch.from_numpy(Ytr).unsqueeze(1).to(self.device)
        self.n = len(self.X)
        self.perm = torch.arange(self.n, device=self.device)
        if Xva is not None and len(Xva):
            self.val_x = torch.from_numpy(Xva).unsqueeze(1).to(self.device)
            self.val_y = torch.from_numpy(Yva).unsqueeze(1).to(self.device)
            self.baseline_mse = float(F.mse_loss(cookie_baseline(self.val_x), self.val_y))
        else:
            self.val_x = self.val_y = None

    @property
    def n_val(self):
        return 0 if self.val_x is None else len(self.val_x)

    def new_epoch(self):
        self.perm.copy_(torch.randperm(self.n, device=self.device))

    def gather(self, start, size):
        idx = self.perm[start:start + size]
        return self.X[idx], self.Y[idx]

    def prepare(self, x, y):
        return x, y

    @torch.no_grad()
    def validate(self, model, batch_size: int = 32):
        if self.val_x is None:
            return None, {}
        se = torch.zeros((), device=self.device, dtype=torch.float64)
        ae = torch.zeros((), device=self.device, dtype=torch.float64)
        for i in range(0, self.n_val, batch_size):
            d = model(self.val_x[i:i + batch_size]).float() - self.val_y[i:i + batch_size]
            se += (d * d).sum().double()
            ae += d.abs().sum().double()
        n = self.val_y.numel()
        mse, mae = (se / n).item(), (ae / n).item()
        return mse, {"val_mse": mse, "val_mae": mae, "baseline_mse": self.baseline_mse}


# ------------------------------------------------------------------------------------- trainer
def split_step_cost(small_batch: int, small_step_s: float, large_batch: int, large_step_s: float) -> dict:
    """A training step's time as step_s + batch × sample_s, through mean step times at two batch sizes.

    None for both when the batches are equal. On a noisy host the line can come out with a negative part:
    then the whole step time at the large batch is counted per sample (no fixed part), the conservative
    reading for batches at least that large.
    """
    if large_batch <= small_batch:
        return {"train_step_seconds": None, "train_seconds_per_sample": None}
    per_sample = (large_step_s - small_step_s) / (large_batch - small_batch)
    per_step = small_step_s - per_sample * small_batch
    if per_sample <= 0 or per_step < 0:
        per_sample, per_step = large_step_s / large_batch, 0.0
    return {"train_step_seconds": per_step, "train_seconds_per_sample": per_sample}


class StopFlag:
    def __init__(self):
        self.reason: Optional[str] = None

    def __bool__(self):
        return self.reason is not None


def install_signal_handlers(flag: StopFlag):
    def handler(signum, _frame):
        flag.reason = signal.Signals(signum).name

    old = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}
    return old


def adam_supports_fused() -> bool:
    import inspect

    return "fused" in inspect.signature(torch.optim.Adam.__init__).parameters


def compile_available() -> bool:
    return hasattr(torch, "compile") and hasattr(torch, "_dynamo")


def compile_mode_for(mode: str, cuda_graph: bool) -> str:
    """Inductor's own CUDA graphs cannot nest inside our whole-epoch capture: use the graph-less variant."""
    if not cuda_graph:
        return mode
    return {"max-autotune": "max-autotune-no-cudagraphs", "reduce-overhead": "default"}.get(mode, mode)


class Trainer:
    """Runs epochs of Adam/MSE over a task. Used by the CLI and the benchmarks.

    GPU fast path (all optional, CUDA only except compile): `cuda_graph` captures a whole epoch (every
    step's gather, crop, min-max, forward, backward and Adam update, indices pre-permuted on the device)
    into one CUDA graph replayed per epoch; `fused_adam` uses the single-kernel Adam where torch has it;
    `compile_mode` runs the batch preparation, forward and loss through torch.compile (fused kernels) and
    works inside the epoch graph; `amp` autocasts the forward to bf16 (loss in fp32).
    """

    def __init__(self, model, task, lr: float, batch_size: int, amp: bool = False,
                 cuda_graph: bool = False, compile_mode: Optional[str] = None, fused_adam: bool = False,
                 stop: Optional[StopFlag] = None, on_first_batch=None, world: Optional[World] = None):
        # `model` may be wrapped in DistributedDataParallel; validation and checkpoints use the bare module.
        self.model, self.task = model, task
        self.net = model.module if isinstance(model, torch.nn.parallel.DistributedDataParallel) else model
        self.world = world or World()
        # Called once, when the first optimiser step has finished: dispatch latency ends there.
        self.on_first_batch = on_first_batch
        self.device = task.device
        # per-rank batch; each step takes one global batch of batch_size × world size (drop_last, as the
        # reference loaders), every rank its own slice of it
        self.batch_size = max(1, min(batch_size, task.n // self.world.size))
        self.steps = max(1, task.n // (self.batch_size * self.world.size))
        self.stop = stop if stop is not None else StopFlag()
        cuda = self.device.type == "cuda"
        self.amp = amp and cuda
        # DDP's gradient all-reduce runs between backward and the step: no whole-epoch graph capture
        self.cuda_graph = cuda_graph and cuda and not self.world.distributed
        self.fused_adam = fused_adam and cuda and adam_supports_fused()
        opt_kw = {}
        if self.cuda_graph:
            opt_kw["capturable"] = True
        if self.fused_adam:
            opt_kw["fused"] = True
        self.opt = torch.optim.Adam(model.parameters(), lr=lr, **opt_kw)
        self.compile_mode = compile_mode_for(compile_mode, self.cuda_graph) if (
            compile_mode and compile_available()) else None
        self.loss_fn = (torch.compile(self._loss, mode=self.compile_mode, dynamic=False) if self.compile_mode
                        else self._loss)
        self.graph = None
        self.loss_acc = torch.zeros((), device=self.device)
        self.capture_seconds = 0.0

    def engine(self) -> dict:
        """What the run actually uses (after feature detection), for the protocol's start line."""
        return {"cuda_graph": self.cuda_graph, "fused_adam": self.fused_adam, "compile": self.compile_mode,
                "precision": "bf16" if self.amp else "fp32"}

    def _loss(self, *raw):
        x, y = self.task.prepare(*raw)
        if self.amp:
            # cache disabled: required inside CUDA-graph capture, harmless otherwise
            with torch.autocast("cuda", dtype=torch.bfloat16, cache_enabled=False):
                out = self.model(x)
            return F.mse_loss(out.float(), y)
        return F.mse_loss(self.model(x), y)

    def step(self, s: int):
        """Step s of the current epoch (batch s of the epoch's permutation)."""
        loss = self.loss_fn(*self.task.gather(rank_batch_start(s, self.batch_size, self.world), self.batch_size))
        self.opt.zero_grad(set_to_none=not self.cuda_graph)
        loss.backward()
        self.opt.step()
        self.loss_acc += loss.detach()

    def _capture(self):
        t0 = time.perf_counter()
        params = [p.detach().clone() for p in self.model.parameters()]
        self.task.new_epoch()
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):  # warm-up (and compilation) outside the capture
            for s in range(min(3, self.steps)):
                self.step(s)
        torch.cuda.current_stream().wait_stream(side)
        with torch.no_grad():  # undo the warm-up steps
            for p, q in zip(self.model.parameters(), params):
                p.copy_(q)
            for st in self.opt.state.values():
                for v in st.values():
                    if torch.is_tensor(v):
                        v.zero_()
        torch.cuda.synchronize()
        self.graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(self.graph):
            self.loss_acc.zero_()
            for s in range(self.steps):
                self.step(s)
        torch.cuda.synchronize()
        self.capture_seconds = time.perf_counter() - t0

    def train_epoch(self):
        """One epoch. Returns (mean train loss, samples trained, seconds, stopped_early)."""
        self.model.train()
        t0 = time.perf_counter()
        if self.cuda_graph:
            if self.graph is None:
                self._capture()
                t0 = time.perf_counter()
            self.task.new_epoch()
            self.graph.replay()
            done = self.steps
            self._first_batch_done()
        else:
            self.task.new_epoch()
            self.loss_acc.zero_()
            done = 0
            for s in range(self.steps):
                if any_rank(bool(self.stop), self.world, self.device):
                    break
                self.step(s)
                done += 1
                if done == 1:
                    self._first_batch_done()
        if self.device.type == "cuda":
            torch.cuda.synchronize()
        seconds = time.perf_counter() - t0
        loss = float(self.loss_acc) / max(done, 1)
        return loss, done * self.batch_size, seconds, done < self.steps

    def _first_batch_done(self):
        if self.on_first_batch is not None:
            if self.device.type == "cuda":
                torch.cuda.synchronize()
            callback, self.on_first_batch = self.on_first_batch, None
            callback()

    def validate(self):
        self.net.eval()
        return self.task.validate(self.net)


# ------------------------------------------------------------------------------- checkpoints
def _supports_weights_only() -> bool:
    import inspect

    return "weights_only" in inspect.signature(torch.load).parameters


def check_sha256(path: str, expected: Optional[str]) -> None:
    """Refuse a file whose content is not the one recorded (checked before any unpickling)."""
    if expected is None:
        return
    want = expected.strip().lower()
    if len(want) != 64 or any(c not in "0123456789abcdef" for c in want):
        raise BadInput(f"expected sha256 for {path} must be 64 hex digits, got {expected!r}")
    got = sha256_file(path)
    if got != want:
        raise BadInput(f"{path}: sha256 {got} differs from the recorded {want}; refusing to load it")


def torch_load(path: str, expected_sha256: Optional[str] = None):
    """Weights-only load, never a full unpickle: a crafted checkpoint must not be able to run code."""
    if not os.path.exists(path):
        raise BadInput(f"checkpoint not found: {path}")
    if os.path.getsize(path) == 0:
        raise BadInput(f"checkpoint file is empty (0 bytes): {path}")
    check_sha256(path, expected_sha256)
    if not _supports_weights_only():
        raise BadInput(f"torch {torch.__version__} cannot load checkpoints weights-only (needs torch >= 1.13)")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # noqa: BLE001 - torch raises many types for bad or hostile files
        raise BadInput(f"{path}: not a loadable weights-only PyTorch checkpoint ({type(e).__name__}: "
                       f"{str(e).splitlines()[0] if str(e) else ''})") from e


def load_checkpoint(path: str, expected_sha256: Optional[str] = None) -> dict:
    """Our checkpoint dict, or a bare BraggNN state_dict (the public .pth files) wrapped as one."""
    obj = torch_load(path, expected_sha256)
    if not isinstance(obj, dict):
        raise BadInput(f"{path}: checkpoint is a {type(obj).__name__}, expected a dict")
    if "state_dict" not in obj:
        if all(torch.is_tensor(v) for v in obj.values()) and "dense_layers.0.weight" in obj:
            try:
                cfg = infer_braggnn_config(obj)
            except ValueError as e:
                raise BadInput(f"{path}: {e}") from e
            return {"format": "bare-state-dict", "family": "braggnn", "config": cfg, "state_dict": obj,
                    "epoch": None, "metrics": {}}
        raise BadInput(f"{path}: checkpoint lacks 'state_dict' (and is not a BraggNN state_dict); "
                       f"keys: {sorted(map(str, obj.keys()))[:10]}")
    for k in ("family", "config"):
        if k not in obj:
            raise BadInput(f"{path}: checkpoint lacks '{k}'")
    if obj["family"] not in DEFAULT_LR:
        raise BadInput(f"{path}: unknown model family {obj['family']!r}")
    return obj


def model_from_checkpoint(ck: dict, path: str = "checkpoint"):
    try:
        model = build_model(ck["family"], ck["config"])
        model.load_state_dict(ck["state_dict"], strict=True)
    except (RuntimeError, ValueError, KeyError) as e:
        raise BadInput(f"{path}: state_dict does not match the {ck['family']} architecture "
                       f"{ck['config']}: {str(e).splitlines()[0]}") from e
    return model


def primary_error(metrics: dict, val_loss) -> float:
    """The error a family's validation is judged by (lower is better): BraggNN's mean distance in px, CookieNetAE's
    MSE; the loss when neither was measured. The deploy gate compares versions on the same figures."""
    for key in ("mean", "val_mse"):
        if metrics.get(key) is not None:
            return float(metrics[key])
    return float("inf") if val_loss is None else float(val_loss)


def save_checkpoint(path: str, model, family: str, config: dict, epoch: int, epochs: int, metrics: dict,
                    history: list, seed: int, parent: Optional[str], stopped: Optional[str]) -> None:
    obj = {
        "format": CHECKPOINT_FORMAT,
        "family": family,
        "config": config,
        "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()},
        "parameters": count_parameters(model),
        "epoch": epoch,
        "epochs": epochs,
        # torch 1.13's weights_only unpickler rejects Python floats: metrics are 0-d float64 tensors and
        # the per-epoch history is JSON text, so checkpoints load with weights_only=True everywhere.
        "metrics": {k: torch.tensor(float(v), dtype=torch.float64) for k, v in metrics.items() if v is not None},
        "history_json": json.dumps(history),
        "seed": seed,
        "parent": parent,
        "stopped": stopped,
        "torch": str(torch.__version__),
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    tmp = path + ".tmp"
    torch.save(obj, tmp)
    os.replace(tmp, path)


def checkpoint_metrics(ck: dict) -> dict:
    return {k: float(v) for k, v in (ck.get("metrics") or {}).items()}


def set_seed(seed: int) -> None:
    torch.manual_seed(seed)
    np.random.seed(seed % (2 ** 32))


def fresh_model(family: str, config: dict):
    model = build_model(family, config)
    xavier_init(model)
    return model


def finite_or_none(v):
    return v if v is not None and math.isfinite(v) else None
