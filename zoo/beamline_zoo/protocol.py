"""The JSON-lines protocol spoken on stdout (see zoo/README.md).

Every stdout line is one JSON object with a "type" field; anything for humans
goes to stderr.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import sys

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2
EXIT_SIGTERM = 143


class BadInput(Exception):
    """Input the user can fix (missing key, wrong shape/dtype, NaN, empty file...). Exit code 2."""


def _clean(v):
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    return v


def emit(type_: str, **fields) -> None:
    obj = {"type": type_}
    obj.update(fields)
    sys.stdout.write(json.dumps(_clean(obj), allow_nan=False) + "\n")
    sys.stdout.flush()


def log(msg: str) -> None:
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def emit_file(type_: str, path: str, **fields) -> None:
    path = os.path.abspath(path)
    emit(type_, path=path, bytes=os.path.getsize(path), sha256=sha256_file(path), **fields)


def configure_threads() -> int:
    """torch threads from SLURM_CPUS_PER_TASK, else OMP_NUM_THREADS, else os.cpu_count()."""
    import torch

    n = None
    for var in ("SLURM_CPUS_PER_TASK", "OMP_NUM_THREADS"):
        v = os.environ.get(var, "").strip()
        if v:
            try:
                n = int(v.split("(")[0].split(",")[0])
            except ValueError:
                n = None
            if n and n > 0:
                break
            n = None
    if not n:
        n = os.cpu_count() or 1
    torch.set_num_threads(n)
    return torch.get_num_threads()
