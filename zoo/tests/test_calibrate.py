"""calibrate: start-up, training and validation throughput in a few seconds, as one protocol line."""
import time

import beamline_zoo
from conftest import parse_lines, run_cli, run_subprocess

FIELDS = {"type", "family", "parameters", "batch_size", "measured_batch_size", "device", "threads", "torch",
          "zoo_version", "startup_source", "import_seconds", "startup_seconds", "model_build_seconds",
          "train_samples_per_s", "train_steps", "val_samples_per_s", "val_batch_size"}


def test_calibrate_braggnn_in_a_fresh_process_measures_its_own_start_up():
    t0 = time.time()
    r = run_subprocess(["calibrate", "--family", "braggnn", "--batch-size", 64, "--seconds", 0.6])
    wall = time.time() - t0
    assert r.returncode == 0, r.stderr
    (c,) = parse_lines(r.stdout)
    assert c["type"] == "calibration" and FIELDS <= set(c)
    assert c["family"] == "braggnn" and c["parameters"] == 33172 and c["batch_size"] == 64
    assert c["zoo_version"] == beamline_zoo.__version__ and c["device"] == "cpu" and c["threads"] == 2
    # start-up read from /proc: torch import included, bounded by the subprocess's own wall time
    assert c["startup_source"] == "proc"
    assert 0 < c["import_seconds"] < c["startup_seconds"] < wall
    assert c["model_build_seconds"] > 0
    assert abs(c["startup_seconds"] - c["import_seconds"] - c["model_build_seconds"]) < 1e-6
    assert c["train_steps"] >= 1 and c["train_samples_per_s"] > 0 and c["val_samples_per_s"] > 0
    assert 8 <= c["measured_batch_size"] <= 64


def test_calibrate_cookienetae_with_caller_start_time(capsys):
    started = time.time() - 5.0
    rc, lines, _ = run_cli(["calibrate", "--family", "cookienetae", "--batch-size", 4, "--seconds", 0.3,
                            "--started-at", started], capsys)
    assert rc == 0
    (c,) = lines
    assert c["family"] == "cookienetae" and c["parameters"] == 208641 and c["startup_source"] == "started-at"
    assert c["startup_seconds"] >= 5.0 and c["train_samples_per_s"] > 0 and c["val_samples_per_s"] > 0
    assert c["measured_batch_size"] == 4  # never below the probe batch nor above the requested one


def test_calibrate_refuses_bad_arguments(capsys):
    rc, lines, _ = run_cli(["calibrate", "--family", "braggnn", "--seconds", "0"], capsys)
    assert rc == 2 and "--seconds" in lines[-1]["message"]
    rc, lines, _ = run_cli(["calibrate", "--family", "resnet"], capsys)
    assert rc == 2 and "family" in lines[-1]["message"]
