import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import torch

from beamline_zoo.train import checkpoint_metrics, load_checkpoint
from conftest import ZOO, parse_lines, run_cli, run_subprocess

START_KEYS = {"type", "family", "parameters", "train_samples", "val_samples", "epochs", "batch_size", "device",
              "threads", "parent", "seed", "process_started"}
EPOCH_KEYS = {"type", "epoch", "epochs", "loss", "val_loss", "metrics", "seconds", "samples_per_s"}
BRAGG_METRICS = {"mean", "p50", "p75", "p95", "p99_5"}


def check_protocol(lines, family, epochs):
    assert lines[0]["type"] == "start" and START_KEYS <= set(lines[0])
    assert lines[0]["family"] == family and lines[0]["device"] == "cpu" and lines[0]["threads"] >= 1
    # the process began before it said so, and not long before (a test's process is minutes old at most)
    assert 0 < time.time() - lines[0]["process_started"] < 600
    eps = [x for x in lines if x["type"] == "epoch"]
    assert [e["epoch"] for e in eps] == list(range(1, epochs + 1))
    for e in eps:
        assert EPOCH_KEYS <= set(e) and e["epochs"] == epochs
        assert isinstance(e["loss"], float) and e["seconds"] > 0 and e["samples_per_s"] > 0
        if family == "braggnn":
            assert set(e["metrics"]) == BRAGG_METRICS
            m = e["metrics"]
            assert m["p50"] <= m["p75"] <= m["p95"] <= m["p99_5"]
        else:
            assert "val_mse" in e["metrics"]
    art = [x for x in lines if x["type"] == "artifact"]
    assert len(art) == 1 and lines[-1] is art[0]
    a = art[0]
    assert os.path.isabs(a["path"]) and os.path.getsize(a["path"]) == a["bytes"] and a["format"] == "checkpoint"
    assert len(a["sha256"]) == 64
    return eps, a


def test_braggnn_short_training_error_falls_and_is_deterministic(tmp_path, bragg_file, capsys):
    args = ["train", "--family", "braggnn", "--data", bragg_file, "--epochs", 4, "--batch-size", 32,
            "--lr", "3e-3", "--seed", 3, "--max-samples", 1600]
    rc, lines, _ = run_cli(args + ["--out", tmp_path / "a"], capsys)
    assert rc == 0
    eps, art = check_protocol(lines, "braggnn", 4)
    assert lines[0]["parameters"] == 33172 and lines[0]["train_samples"] == 1280 and lines[0]["val_samples"] == 320
    assert eps[-1]["metrics"]["mean"] < 0.6 * eps[0]["metrics"]["mean"] and eps[-1]["metrics"]["mean"] < 1.0
    assert eps[-1]["val_loss"] < eps[0]["val_loss"]
    ck = load_checkpoint(art["path"])
    assert ck["family"] == "braggnn" and ck["config"] == {"patch_size": 11, "dense": [16, 8, 4, 2]}
    # the artifact is the best validated epoch
    best = min(eps, key=lambda e: e["metrics"]["mean"])
    assert ck["epoch"] == best["epoch"] == art["epoch"]
    assert abs(checkpoint_metrics(ck)["mean"] - best["metrics"]["mean"]) < 1e-5
    # same seed, same data -> same numbers
    rc, lines2, _ = run_cli(["train", "--family", "braggnn", "--data", bragg_file, "--epochs", 1,
                             "--batch-size", 32, "--lr", "3e-3", "--seed", 3, "--max-samples", 1600,
                             "--out", tmp_path / "b"], capsys)
    assert rc == 0
    first_epoch = next(line for line in lines2 if line["type"] == "epoch")
    assert first_epoch["loss"] == eps[0]["loss"] and first_epoch["metrics"] == eps[0]["metrics"]
    # dispatch latency ends at the first finished batch, reported once, before the first epoch
    kinds = [line["type"] for line in lines2]
    assert kinds.count("first_batch") == 1 and kinds.index("first_batch") < kinds.index("epoch")


def test_fine_tune_from_parent(tmp_path, bragg_file, ref, capsys):
    parent = os.path.join(ref, "braggnn", "fc16_8_4_2-sz11.pth")
    rc, lines, _ = run_cli(["train", "--family", "braggnn", "--data", bragg_file, "--epochs", 1, "--lr", "1e-4",
                            "--max-samples", 800, "--parent", parent, "--out", tmp_path / "ft"], capsys)
    assert rc == 0
    eps, art = check_protocol(lines, "braggnn", 1)
    assert lines[0]["parent"] == os.path.abspath(parent)
    assert eps[0]["metrics"]["mean"] < 0.5  # starts from the trained parent, not from scratch
    # a child of our own checkpoint
    rc, lines, _ = run_cli(["train", "--family", "braggnn", "--data", bragg_file, "--epochs", 1,
                            "--max-samples", 800, "--parent", art["path"], "--out", tmp_path / "ft2"], capsys)
    assert rc == 0 and lines[0]["parent"] == art["path"]
    assert load_checkpoint(lines[-1]["path"])["parent"] == art["path"]
    # wrong family / architecture are refused
    rc, lines, _ = run_cli(["train", "--family", "cookienetae", "--data", bragg_file, "--epochs", 1,
                            "--parent", parent, "--out", tmp_path / "x"], capsys)
    assert rc == 2 and "braggnn checkpoint" in lines[-1]["message"]
    rc, lines, _ = run_cli(["train", "--family", "braggnn", "--data", bragg_file, "--epochs", 1, "--dense",
                            "32,16,8,4", "--parent", parent, "--out", tmp_path / "x"], capsys)
    assert rc == 2 and "architecture" in lines[-1]["message"]
    rc, lines, _ = run_cli(["train", "--family", "braggnn", "--data", bragg_file, "--epochs", 1, "--parent",
                            bragg_file, "--out", tmp_path / "x"], capsys)
    assert rc == 2 and "checkpoint" in lines[-1]["message"]


def test_other_patch_and_dense_sizes(tmp_path, capsys):
    from beamline_zoo.simulate import simulate_patches, write_h5

    p, c, _ = simulate_patches(200, psz=15, seed=4)
    f = tmp_path / "p15.h5"
    write_h5(str(f), {"patches": p, "labels": c})
    rc, lines, _ = run_cli(["train", "--family", "braggnn", "--data", f, "--epochs", 1, "--patch-size", 15,
                            "--dense", "32_16_8_4", "--out", tmp_path / "o"], capsys)
    assert rc == 0 and lines[0]["parameters"] == 51246


def test_cookienetae_train_evaluate_export_benchmark(tmp_path, cookie_file, ref, capsys):
    rc, lines, _ = run_cli(["train", "--family", "cookienetae", "--data", cookie_file, "--epochs", 2,
                            "--batch-size", 8, "--max-samples", 20, "--out", tmp_path / "c"], capsys)
    assert rc == 0
    eps, art = check_protocol(lines, "cookienetae", 2)
    assert lines[0]["parameters"] == 208641 and lines[0]["train_samples"] == 16
    assert set(eps[0]["metrics"]) >= {"val_mse", "baseline_mse"}
    rc, lines, _ = run_cli(["evaluate", "--checkpoint", art["path"], "--max-samples", 8, "--data",
                            os.path.join(ref, "cookienetae", "Test_set_128chan.tgz")], capsys)
    assert rc == 0
    ev = lines[-1]
    assert ev["type"] == "evaluation" and ev["family"] == "cookienetae" and ev["samples"] == 8
    assert ev["split"] == "all" and ev["seconds_per_datum"] > 0 and ev["metrics"]["val_mse"] > 0
    rc, lines, _ = run_cli(["export", "--checkpoint", art["path"], "--out", tmp_path / "exp"], capsys)
    assert rc == 0
    fm = {x["format"]: x for x in lines if x["type"] == "artifact"}
    assert set(fm) == {"torchscript", "onnx"} and fm["onnx"]["checked"] and fm["torchscript"]["max_abs_diff"] < 1e-4
    rc, lines, _ = run_cli(["benchmark", "--checkpoint", art["path"], "--batch-size", 4, "--samples", 8,
                            "--repeats", 1], capsys)
    assert rc == 0 and lines[-1]["type"] == "benchmark" and lines[-1]["seconds_per_datum"] > 0


def test_braggnn_evaluate_export_public_checkpoint(tmp_path, bragg_file, ref, capsys):
    ck = os.path.join(ref, "braggnn", "fc16_8_4_2-sz11.pth")
    rc, lines, _ = run_cli(["evaluate", "--checkpoint", ck, "--data", bragg_file], capsys)
    assert rc == 0
    ev = lines[-1]
    assert ev["samples"] == 512 and ev["split"] == "val" and BRAGG_METRICS <= set(ev["metrics"])
    assert ev["metrics"]["mean"] < 0.4
    rc, lines, _ = run_cli(["export", "--checkpoint", ck, "--out", tmp_path / "e"], capsys)
    assert rc == 0
    ts = [x for x in lines if x["type"] == "artifact" and x["format"] == "torchscript"][0]
    m = torch.jit.load(ts["path"])
    assert m(torch.rand(5, 1, 11, 11)).shape == (5, 2)


def test_sigterm_stops_at_next_batch_with_usable_checkpoint(tmp_path, bragg_file):
    env = dict(os.environ, PYTHONPATH=ZOO, OMP_NUM_THREADS="1")
    proc = subprocess.Popen([sys.executable, "-m", "beamline_zoo", "train", "--family", "braggnn", "--data",
                             bragg_file, "--epochs", "500", "--batch-size", "8", "--max-samples", "1280",
                             "--out", str(tmp_path / "s")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    first = []
    while True:  # wait for the first completed epoch
        line = proc.stdout.readline()
        assert line, proc.stderr.read()
        first.append(line)
        if '"epoch"' in line:
            break
    proc.send_signal(signal.SIGTERM)
    t0 = time.time()
    out, err = proc.communicate(timeout=60)
    assert time.time() - t0 < 10  # stopped at the next batch, not at the end of 500 epochs
    assert proc.returncode == 143, err
    lines = parse_lines("".join(first) + out)
    stopped = [x for x in lines if x["type"] == "stopped"]
    # 128 steps per epoch: stopping at the next batch means epoch 2 never completes
    assert len(stopped) == 1 and stopped[0]["reason"] == "SIGTERM" and stopped[0]["epoch"] == 1
    assert lines[-1]["type"] == "artifact" and lines[-2]["type"] == "stopped"
    ck = load_checkpoint(lines[-1]["path"])
    assert ck["stopped"] == "SIGTERM" and ck["epoch"] == stopped[0]["epoch"]
    r = run_subprocess(["evaluate", "--checkpoint", lines[-1]["path"], "--data", bragg_file])
    assert r.returncode == 0 and parse_lines(r.stdout)[-1]["type"] == "evaluation"


def test_threads_from_environment():
    r = subprocess.run([sys.executable, "-c", "from beamline_zoo.protocol import configure_threads as c; print(c())"],
                       env=dict(os.environ, PYTHONPATH=ZOO, SLURM_CPUS_PER_TASK="3", OMP_NUM_THREADS="1"),
                       capture_output=True, text=True)
    assert r.stdout.strip() == "3"
    env = {k: v for k, v in os.environ.items() if k != "SLURM_CPUS_PER_TASK"}
    r = subprocess.run([sys.executable, "-c", "from beamline_zoo.protocol import configure_threads as c; print(c())"],
                       env=dict(env, PYTHONPATH=ZOO, OMP_NUM_THREADS="2"), capture_output=True, text=True)
    assert r.stdout.strip() == "2"


def test_val_every_and_engine_report(tmp_path, bragg_file, capsys):
    rc, lines, _ = run_cli(["train", "--family", "braggnn", "--data", bragg_file, "--epochs", 3, "--val-every", 2,
                            "--precision", "bf16", "--batch-size", 64, "--max-samples", 640, "--device", "cpu",
                            "--out", tmp_path / "v"], capsys)
    assert rc == 0
    # on the CPU the GPU fast path and bf16 autocast are off, and the start line says so
    assert lines[0]["engine"] == {"cuda_graph": False, "fused_adam": False, "compile": None, "precision": "fp32",
                                  "val_every": 2}
    eps = [x for x in lines if x["type"] == "epoch"]
    assert [e["validated"] for e in eps] == [False, True, True]
    assert eps[0]["metrics"] == {} and eps[0]["val_loss"] is None and set(eps[1]["metrics"]) == BRAGG_METRICS
    ck = load_checkpoint(lines[-1]["path"])
    best = min(eps[1:], key=lambda e: e["metrics"]["mean"])  # only validated epochs compete
    assert ck["epoch"] == best["epoch"] and abs(checkpoint_metrics(ck)["mean"] - best["metrics"]["mean"]) < 1e-5


def test_keep_best_or_last(tmp_path, bragg_file, capsys):
    """A fine-tune on few samples swings from epoch to epoch: the best validated epoch is kept unless --keep last."""
    args = ["train", "--family", "braggnn", "--data", bragg_file, "--epochs", 6, "--batch-size", 16, "--lr", "1e-2",
            "--seed", 2, "--max-samples", 400]
    rc, best_lines, _ = run_cli(args + ["--out", tmp_path / "best"], capsys)
    assert rc == 0
    rc, last_lines, _ = run_cli(args + ["--keep", "last", "--out", tmp_path / "last"], capsys)
    assert rc == 0
    eps = [x for x in best_lines if x["type"] == "epoch"]
    errors = [e["metrics"]["mean"] for e in eps]
    best_ck, last_ck = load_checkpoint(best_lines[-1]["path"]), load_checkpoint(last_lines[-1]["path"])
    assert errors.index(min(errors)) < 5, f"this seed's errors no longer swing: {errors}"
    assert best_ck["epoch"] == 1 + errors.index(min(errors)) and last_ck["epoch"] == 6
    assert abs(checkpoint_metrics(best_ck)["mean"] - min(errors)) < 1e-5
    assert abs(checkpoint_metrics(last_ck)["mean"] - errors[-1]) < 1e-5


def test_compile_mode_avoids_nested_cuda_graphs():
    from beamline_zoo.train import compile_mode_for

    assert compile_mode_for("max-autotune", cuda_graph=True) == "max-autotune-no-cudagraphs"
    assert compile_mode_for("reduce-overhead", cuda_graph=True) == "default"
    assert compile_mode_for("max-autotune", cuda_graph=False) == "max-autotune"
    assert compile_mode_for("default", cuda_graph=True) == "default"


def test_deploy_evaluates_compares_and_exports_in_one_process(tmp_path, bragg_file, capsys):
    def trained(name, epochs):
        rc, lines, _ = run_cli(["train", "--family", "braggnn", "--data", bragg_file, "--epochs", epochs, "--batch-size", 64,
                                "--max-samples", 800, "--seed", 1, "--out", tmp_path / name], capsys)
        assert rc == 0
        return lines[-1]

    new, old = trained("new", 3), trained("old", 1)
    base = ["deploy", "--checkpoint", new["path"], "--checkpoint-sha256", new["sha256"], "--data", bragg_file,
            "--max-samples", 800]
    rc, lines, _ = run_cli(base + ["--in-service", old["path"], "--in-service-sha256", old["sha256"],
                                   "--export-dir", tmp_path / "exp"], capsys)
    assert rc == 0
    evaluations = {x["role"]: x for x in lines if x["type"] == "evaluation"}
    assert set(evaluations) == {"candidate", "in_service"}
    assert evaluations["candidate"]["samples"] == evaluations["in_service"]["samples"] == 160
    assert evaluations["candidate"]["seconds_per_datum"] > 0
    assert evaluations["candidate"]["metrics"]["mean"] != evaluations["in_service"]["metrics"]["mean"]
    assert {x["format"] for x in lines if x["type"] == "artifact"} == {"torchscript", "onnx"}
    assert lines[-1]["type"] == "exported"

    # a model in service that cannot be evaluated is reported, and the new one still deployed
    rc, lines, _ = run_cli(base + ["--in-service", old["path"], "--in-service-sha256", "0" * 64,
                                   "--export-dir", tmp_path / "exp2"], capsys)
    assert rc == 0
    failed = [x for x in lines if x["type"] == "in_service_failed"]
    assert len(failed) == 1 and "sha256" in failed[0]["message"].lower()
    assert [x["role"] for x in lines if x["type"] == "evaluation"] == ["candidate"]
    assert lines[-1]["type"] == "exported"
