"""calibrate: start-up, training and validation throughput in a few seconds, as one protocol line."""
import time

import beamline_zoo
from conftest import parse_lines, run_cli, run_subprocess

FIELDS = {"type", "family", "parameters", "batch_size", "measured_batch_size", "device", "threads", "torch",
          "zoo_version", "startup_source", "import_seconds", "startup_seconds", "model_build_seconds",
          "train_samples_per_s", "train_steps", "val_samples_per_s", "val_batch_size", "train_step_seconds",
          "train_seconds_per_sample", "first_step_extra_seconds"}


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
    # at least 4× the probe batch of 8 (the family's batch allows it): the step's fixed cost is separated
    assert 32 <= c["measured_batch_size"] <= 64
    assert c["train_step_seconds"] >= 0 and c["train_seconds_per_sample"] > 0 and c["first_step_extra_seconds"] >= 0


def test_calibrate_cookienetae_with_caller_start_time(capsys):
    started = time.time() - 5.0
    rc, lines, _ = run_cli(["calibrate", "--family", "cookienetae", "--batch-size", 4, "--seconds", 0.3,
                            "--started-at", started], capsys)
    assert rc == 0
    (c,) = lines
    assert c["family"] == "cookienetae" and c["parameters"] == 208641 and c["startup_source"] == "started-at"
    assert c["startup_seconds"] >= 5.0 and c["train_samples_per_s"] > 0 and c["val_samples_per_s"] > 0
    assert c["measured_batch_size"] == 4  # never below the probe batch nor above the requested one
    assert c["train_step_seconds"] is None  # one batch size: the fixed cost cannot be separated


def test_calibrate_refuses_bad_arguments(capsys):
    rc, lines, _ = run_cli(["calibrate", "--family", "braggnn", "--seconds", "0"], capsys)
    assert rc == 2 and "--seconds" in lines[-1]["message"]
    rc, lines, _ = run_cli(["calibrate", "--family", "resnet"], capsys)
    assert rc == 2 and "family" in lines[-1]["message"]


def test_split_step_cost_recovers_a_fixed_and_a_per_sample_part():
    from beamline_zoo.train import split_step_cost

    # steps of 0.2 s + 0.01 s per sample: 0.28 s at batch 8, 0.52 s at batch 32
    got = split_step_cost(8, 0.28, 32, 0.52)
    assert abs(got["train_step_seconds"] - 0.2) < 1e-9 and abs(got["train_seconds_per_sample"] - 0.01) < 1e-9
    # noise that makes the large batch no slower per step: all of it counted per sample, no fixed part
    assert split_step_cost(8, 0.5, 32, 0.4) == {"train_step_seconds": 0.0, "train_seconds_per_sample": 0.4 / 32}
    # a negative fixed part (the small batch faster per sample than the large one) likewise
    assert split_step_cost(8, 0.08, 32, 0.64) == {"train_step_seconds": 0.0, "train_seconds_per_sample": 0.02}
    # one batch size cannot separate them
    assert split_step_cost(8, 0.3, 8, 0.3) == {"train_step_seconds": None, "train_seconds_per_sample": None}
