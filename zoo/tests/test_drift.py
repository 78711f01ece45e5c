"""Drifting scan series (simulate --drift-series) and the edge's spot-check against conventional labels."""
import os

import numpy as np
import pytest

from beamline_zoo.simulate import drift_settings
from conftest import run_cli


def test_drift_settings_progress_from_first_to_last_scan():
    first, mid, last = (drift_settings(k, 3) for k in range(3))
    assert first == {"t": 0.0, "width_scale": 1.0, "mu_range": (0.0, 0.3), "imax_scale": 1.0, "beam_shift": 0.0,
                     "crowding": 0.0}
    assert mid["t"] == 0.5 and mid["width_scale"] == 1.5 and mid["mu_range"] == pytest.approx((0.35, 0.65))
    assert last["width_scale"] == 2.0 and last["mu_range"] == pytest.approx((0.7, 1.0))
    assert last["imax_scale"] == pytest.approx(0.4) and last["beam_shift"] == 0.1 and last["crowding"] == 0.5
    assert drift_settings(0, 1)["t"] == 0.0
    assert drift_settings(1, 2, width=0.5, crowding=0.0)["width_scale"] == 1.5


@pytest.fixture(scope="module")
def drift_series(tmp_path_factory):
    from beamline_zoo.cli import main

    d = tmp_path_factory.mktemp("drift")
    assert main(["simulate", "--family", "braggnn", "--drift-series", "3", "--samples", "600", "--frame-size", "160",
                 "--seed", "7", "--out-dir", str(d)]) == 0
    return [str(d / f"scan-{k:03d}.h5") for k in range(3)]


def test_model_trained_on_scan_0_degrades_on_the_last_scan(tmp_path, drift_series, capsys):
    import h5py

    with h5py.File(drift_series[2]) as h:  # users' layout with the drift recorded
        assert {"frames", "peak_fidx", "peak_row", "peak_col"} <= set(h) and h.attrs["drift_t"] == 1.0
    rc, lines, _ = run_cli(["train", "--family", "braggnn", "--data", drift_series[0], "--epochs", 6, "--batch-size",
                            32, "--lr", "3e-3", "--seed", 1, "--out", tmp_path / "r0"], capsys)
    assert rc == 0
    ck = lines[-1]["path"]
    spot, truth = [], []
    for scan in (drift_series[0], drift_series[2]):
        rc, lines, _ = run_cli(["spot-check", "--checkpoint", ck, "--data", scan, "--fraction", "0.25"], capsys)
        assert rc == 0
        (s,) = lines
        assert s["type"] == "spot_check" and s["metric"] == "px" and s["total"] == 600 and s["drawn"] == 150
        assert s["samples"] + s["failed"] == 150 and s["samples"] >= 130 and s["p95_px"] >= s["mean_px"] > 0
        assert s["fraction"] == 0.25 and s["seconds"] >= s["labelling_seconds"] > 0
        spot.append(s["mean_px"])
        rc, lines, _ = run_cli(["evaluate", "--checkpoint", ck, "--data", scan, "--split", "all"], capsys)
        assert rc == 0
        truth.append(lines[-1]["metrics"]["mean"])
    assert spot[0] < 0.5 and spot[1] > 2 * spot[0], spot  # the edge sees the drift against conventional labels
    assert truth[1] > 1.3 * truth[0], truth  # and it is real: error against the simulator's centres


def test_spot_check_patch_layout_and_bad_input(tmp_path, bragg_file, ref, capsys):
    ck = os.path.join(ref, "braggnn", "fc16_8_4_2-sz11.pth")
    rc, lines, _ = run_cli(["spot-check", "--checkpoint", ck, "--data", bragg_file, "--fraction", "0.01",
                            "--seed", 3], capsys)
    assert rc == 0 and lines[0]["drawn"] == 26 and lines[0]["mean_px"] < 0.5
    rc, lines, _ = run_cli(["spot-check", "--checkpoint", ck, "--data", bragg_file, "--fraction", "1.5"], capsys)
    assert rc == 2 and "--fraction" in lines[-1]["message"]


def test_spot_check_cookienetae_scores_mse_against_the_files_targets(tmp_path, cookie_file, capsys):
    from beamline_zoo.simulate import write_h5
    from beamline_zoo.train import fresh_model, save_checkpoint

    model = fresh_model("cookienetae", {"channels": 128})
    ck = str(tmp_path / "c.pt")
    save_checkpoint(ck, model, "cookienetae", {"channels": 128}, 0, 0, {}, [], 0, None, None)
    rc, lines, _ = run_cli(["spot-check", "--checkpoint", ck, "--data", cookie_file, "--fraction", "0.1"], capsys)
    assert rc == 0
    (s,) = lines
    assert s["metric"] == "mse" and s["samples"] == 4 and s["total"] == 40
    assert s["p95_mse"] >= s["mean_mse"] > 0 and s["baseline_mse"] > 0
    X = np.zeros((3, 128, 128), np.int16)
    write_h5(str(tmp_path / "x.h5"), {"X": X})
    rc, lines, _ = run_cli(["spot-check", "--checkpoint", ck, "--data", tmp_path / "x.h5"], capsys)
    assert rc == 2 and "target densities (Y)" in lines[-1]["message"]
