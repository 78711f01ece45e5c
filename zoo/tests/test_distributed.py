"""Data-parallel training: 2 CPU ranks (gloo) launched like torchrun, against 1 rank on the same data."""
import os
import signal
import subprocess
import sys

import pytest

from beamline_zoo.distributed import World, rank_batch_start, scaled_lr, world_from_env
from beamline_zoo.protocol import BadInput
from conftest import ZOO, parse_lines

# Stated tolerance: after the same number of epochs, 2 ranks (per-rank batch B, learning rate scaled
# linearly to 2×) end within 15% of the 1-rank run's (batch B) mean peak-position error on the same data.
TOLERANCE = 0.15


def test_world_from_torchrun_then_srun_then_single():
    assert world_from_env({"RANK": "1", "WORLD_SIZE": "4", "LOCAL_RANK": "1"}) == World(1, 4, 1)
    srun = {"SLURM_PROCID": "3", "SLURM_NTASKS": "4", "SLURM_LOCALID": "1"}
    assert world_from_env(srun) == World(3, 4, 1)
    # torchrun inside a Slurm allocation: torchrun's own numbering wins
    assert world_from_env(dict(srun, RANK="0", WORLD_SIZE="2", LOCAL_RANK="0")) == World(0, 2, 0)
    assert world_from_env({}) == World(0, 1, 0) and not World().distributed
    with pytest.raises(BadInput, match="inconsistent launch"):
        world_from_env({"RANK": "2", "WORLD_SIZE": "2"})
    with pytest.raises(BadInput, match="WORLD_SIZE must be an integer"):
        world_from_env({"WORLD_SIZE": "two"})


def test_lr_scaling_and_batch_slices():
    assert scaled_lr(3e-3, 4, "linear") == pytest.approx(1.2e-2) and scaled_lr(3e-3, 4, "none") == 3e-3
    with pytest.raises(BadInput, match="--lr-scaling"):
        scaled_lr(1e-3, 2, "sqrt")
    # global batch 1 of 2 ranks × 32: rank 0 takes [64, 96), rank 1 [96, 128) of the shared permutation
    assert [rank_batch_start(1, 32, World(r, 2, r)) for r in (0, 1)] == [64, 96]


def train(out, data, ranks, *args):
    env = dict(os.environ, PYTHONPATH=ZOO, OMP_NUM_THREADS=str(max(1, 2 // ranks)))
    for var in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "SLURM_PROCID", "SLURM_NTASKS", "SLURM_LOCALID"):
        env.pop(var, None)
    launcher = ["-m", "beamline_zoo.launch", "--nproc-per-node", str(ranks)] if ranks > 1 else ["-m", "beamline_zoo"]
    cmd = [sys.executable, *launcher, "train", "--family", "braggnn", "--data", data, "--seed", "3", "--device", "cpu",
           "--max-samples", "1600", "--out", str(out), *map(str, args)]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    assert p.returncode == 0, p.stderr[-3000:]
    return parse_lines(p.stdout)


def epochs(lines):
    return [x for x in lines if x["type"] == "epoch"]


def test_two_ranks_compute_the_one_rank_step_of_the_global_batch(tmp_path, bragg_file):
    # 2 ranks × 32 without lr scaling is exactly 1 rank × 64: same permutation, averaged gradients
    one = train(tmp_path / "one", bragg_file, 1, "--epochs", 2, "--batch-size", 64, "--lr", "3e-3")
    two = train(tmp_path / "two", bragg_file, 2, "--epochs", 2, "--batch-size", 32, "--lr", "3e-3",
                "--lr-scaling", "none")
    start = two[0]
    assert start["world_size"] == 2 and start["batch_size"] == 32 and start["global_batch_size"] == 64
    assert start["lr"] == 3e-3 and start["lr_scaling"] == "none"
    for a, b in zip(epochs(one), epochs(two)):
        assert b["loss"] == pytest.approx(a["loss"], rel=1e-4)
        assert b["metrics"]["mean"] == pytest.approx(a["metrics"]["mean"], rel=1e-4)


def test_two_ranks_reach_the_one_rank_validation_error(tmp_path, bragg_file):
    args = ["--epochs", 10, "--batch-size", 32, "--lr", "3e-3"]
    one = train(tmp_path / "one", bragg_file, 1, *args)
    two = train(tmp_path / "two", bragg_file, 2, *args)
    start = two[0]
    assert start["lr"] == pytest.approx(6e-3) and start["base_lr"] == 3e-3 and start["lr_scaling"] == "linear"
    # the agent must see each protocol line once: one start, one line per epoch, one artifact
    kinds = [x["type"] for x in two]
    assert kinds.count("start") == 1 and kinds.count("artifact") == 1 and kinds.count("first_batch") == 1
    eps1, eps2 = epochs(one), epochs(two)
    assert [e["epoch"] for e in eps2] == list(range(1, 11))
    for e in eps2:
        assert [r["rank"] for r in e["ranks"]] == [0, 1] and all(r["samples_per_s"] > 0 for r in e["ranks"])
        assert e["samples_per_s"] > 0
    err1, err2 = eps1[-1]["metrics"]["mean"], eps2[-1]["metrics"]["mean"]
    print(f"1 rank: {err1:.3f} px in {sum(e['seconds'] for e in eps1):.1f} s; "
          f"2 ranks: {err2:.3f} px in {sum(e['seconds'] for e in eps2):.1f} s")
    assert err2 < eps2[0]["metrics"]["mean"] / 5  # it learned
    assert err2 <= err1 * (1 + TOLERANCE)


def test_sigterm_to_the_process_group_stops_every_rank_with_a_checkpoint(tmp_path, bragg_file):
    # as the agent's local executor cancels: SIGTERM to the launcher's whole process group
    env = dict(os.environ, PYTHONPATH=ZOO, OMP_NUM_THREADS="1")
    cmd = [sys.executable, "-m", "beamline_zoo.launch", "--nproc-per-node", "2", "train", "--family", "braggnn",
           "--data", bragg_file, "--epochs", "500", "--batch-size", "32", "--device", "cpu", "--max-samples", "1600",
           "--out", str(tmp_path / "stop")]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
                         start_new_session=True)
    lines = []
    for raw in p.stdout:
        lines.append(raw)
        if '"type": "epoch"' in raw:
            os.killpg(p.pid, signal.SIGTERM)
            break
    rest, _ = p.communicate(timeout=120)
    out = parse_lines("".join(lines) + rest)
    kinds = [x["type"] for x in out]
    assert p.returncode == 143, kinds
    assert kinds.count("stopped") == 1 and kinds[-1] == "artifact" and kinds.count("artifact") == 1
    stopped = next(x for x in out if x["type"] == "stopped")
    assert stopped["reason"] == "SIGTERM" and 1 <= stopped["epoch"] < 500
    assert os.path.getsize(out[-1]["path"]) == out[-1]["bytes"]
