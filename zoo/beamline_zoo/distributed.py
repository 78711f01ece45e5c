"""Data-parallel training (DistributedDataParallel) when the process is one rank of several.

The launcher tells each process who it is: torchrun sets RANK / WORLD_SIZE / LOCAL_RANK; `srun` sets
SLURM_PROCID / SLURM_NTASKS / SLURM_LOCALID (the job script sets MASTER_ADDR / MASTER_PORT).  Gloo on the
CPU, NCCL on CUDA.  Every rank holds the whole (small) training set in memory and takes its own slice of
each global batch, so one step of W ranks with per-rank batch B is one step of batch B×W (what
DistributedSampler gives, without a loader).  Only rank 0 speaks the protocol on stdout.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping, Optional

from .protocol import BadInput

LR_SCALING = ("linear", "none")


@dataclass(frozen=True)
class World:
    rank: int = 0
    size: int = 1
    local_rank: int = 0

    @property
    def distributed(self) -> bool:
        return self.size > 1

    @property
    def leader(self) -> bool:
        return self.rank == 0


def _int(env: Mapping[str, str], name: str) -> Optional[int]:
    v = env.get(name, "").strip()
    if not v:
        return None
    try:
        return int(v)
    except ValueError:
        raise BadInput(f"{name} must be an integer, got {v!r}")


def world_from_env(env: Mapping[str, str]) -> World:
    """Rank, world size and local rank from torchrun's variables, else from srun's, else one process."""
    for rank_var, size_var, local_var in (("RANK", "WORLD_SIZE", "LOCAL_RANK"),
                                          ("SLURM_PROCID", "SLURM_NTASKS", "SLURM_LOCALID")):
        size = _int(env, size_var)
        if size is None:
            continue
        rank, local = _int(env, rank_var) or 0, _int(env, local_var) or 0
        if size < 1 or not 0 <= rank < size or local < 0:
            raise BadInput(f"inconsistent launch: {rank_var}={rank} {size_var}={size} {local_var}={local}")
        return World(rank, size, local)
    return World()


def scaled_lr(base_lr: float, world_size: int, scaling: str) -> float:
    """Linear scaling (Goyal et al.): the global batch grows W-fold, so does the step size."""
    if scaling not in LR_SCALING:
        raise BadInput(f"--lr-scaling must be one of {', '.join(LR_SCALING)}, got {scaling!r}")
    return base_lr * world_size if scaling == "linear" else base_lr


def rank_batch_start(step: int, batch: int, world: World) -> int:
    """Offset, in the epoch's shared permutation, of this rank's slice of global batch `step`."""
    return (step * world.size + world.rank) * batch


def init(world: World, device: str) -> str:
    """Joins the process group; returns the device this rank trains on (cuda:<local rank> on GPUs)."""
    if not world.distributed:
        return device
    import torch
    import torch.distributed as dist

    for var in ("MASTER_ADDR", "MASTER_PORT"):
        if not os.environ.get(var):
            raise BadInput(f"{var} is not set: a {world.size}-rank run needs the rendezvous address "
                           f"(torchrun sets it; a Slurm job script must export it before srun)")
    if device == "cuda":
        torch.cuda.set_device(world.local_rank)
        device = f"cuda:{world.local_rank}"
    dist.init_process_group("nccl" if device.startswith("cuda") else "gloo", rank=world.rank,
                            world_size=world.size)
    return device


def wrap(model, world: World, device: str):
    """The model every rank trains through: DDP averages the gradients across ranks in backward."""
    if not world.distributed:
        return model
    from torch.nn.parallel import DistributedDataParallel

    ids = [int(device.split(":")[1])] if device.startswith("cuda:") else None
    return DistributedDataParallel(model, device_ids=ids)


def all_gather_floats(values, world: World, device: str):
    """Each rank's list of floats, indexed by rank (one collective)."""
    if not world.distributed:
        return [list(values)]
    import torch
    import torch.distributed as dist

    mine = torch.tensor([float(v) for v in values], dtype=torch.float64, device=device)
    out = [torch.empty_like(mine) for _ in range(world.size)]
    dist.all_gather(out, mine)
    return [t.tolist() for t in out]


def any_rank(flag: bool, world: World, device: str) -> bool:
    """True when the flag is set on some rank: every rank stops at the same step (a lone stop would hang)."""
    if not world.distributed:
        return flag
    import torch
    import torch.distributed as dist

    t = torch.tensor([1.0 if flag else 0.0], device=device)
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return bool(t.item() > 0)


def finish(world: World) -> None:
    if world.distributed:
        import torch.distributed as dist

        if dist.is_initialized():
            dist.destroy_process_group()
