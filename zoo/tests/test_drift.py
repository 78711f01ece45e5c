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
    assert mid["t"] == 0.5 and mid["width_scale"] == 2.5 and mid["mu_range"] == pytest.approx((0.35, 0.65))
    assert last["width_scale"] == 4.0 and last["mu_range"] == pytest.approx((0.7, 1.0))
    assert last["imax_scale"] == pytest.approx(0.4) and last["beam_shift"] == 0.1 and last["crowding"] == 0.2
    assert drift_settings(0, 1)["t"] == 0.0
    assert drift_settings(1, 2, width=0.5, crowding=0.0)["width_scale"] == 1.5


def _series(tmp_path, capsys, *knobs, scans=3, samples=240, size=192):
    rc, lines, _ = run_cli(["simulate", "--family", "braggnn", "--drift-series", scans, "--samples", samples,
                            "--frame-size", size, "--seed", 3, "--out-dir", tmp_path, *knobs], capsys)
    assert rc == 0, lines
    return lines


def _half_max_area(path):
    """Mean number of pixels at or above half of each (min-max normalised) peak window: grows with the widths."""
    from beamline_zoo.data import minmax_np, unlabelled_windows

    w, _ = unlabelled_windows(path, 11)
    return float((minmax_np(w) >= 0.5).sum(axis=(1, 2)).mean())


def _close_pairs(path, psz=11):
    """Fraction of peaks with another peak of the same frame closer than the window size."""
    import h5py

    with h5py.File(path) as h:
        f, r, c = h["peak_fidx"][:], h["peak_row"][:], h["peak_col"][:]
    same = f[:, None] == f[None, :]
    d = np.hypot(r[:, None] - r[None, :], c[:, None] - c[None, :]) + np.where(same, 0, np.inf) + np.diag(
        np.full(len(f), np.inf))
    return float((d.min(axis=1) < psz).mean())


def test_drift_series_knobs_reach_the_files_and_the_protocol(tmp_path, capsys):
    import h5py

    lines = _series(tmp_path, capsys, "--drift-width", 2, "--drift-intensity", 0.5, "--drift-beam-shift", 0.2,
                    "--drift-crowding", 1)
    assert [x["scan"] for x in lines] == [0, 1, 2] and all(x["scans"] == 3 and x["samples"] == 240 for x in lines)
    assert lines[2]["drift"] == {"t": 1.0, "width_scale": 3.0, "mu_range": pytest.approx([0.7, 1.0]),
                                 "imax_scale": 0.5, "beam_shift": 0.2, "crowding": 1.0}
    with h5py.File(lines[1]["path"]) as h:
        assert h.attrs["drift_t"] == 0.5 and h.attrs["width_scale"] == 2.0 and h.attrs["crowding"] == 0.5
        assert h.attrs["imax_scale"] == 0.75 and h.attrs["beam_shift"] == pytest.approx(0.1)
        assert list(h.attrs["eta_range"]) == pytest.approx([0.35, 0.65]) and len(h["peak_row"]) == 240
    first, last = lines[0]["path"], lines[2]["path"]
    assert _half_max_area(last) > 2 * _half_max_area(first)  # peaks three times as wide
    assert _close_pairs(first) == 0 and _close_pairs(last) > 0.3  # crowding: neighbours inside the window


def test_drift_beam_shift_moves_the_beam_stop(tmp_path, capsys):
    import h5py

    lines = _series(tmp_path, capsys, "--drift-beam-shift", 0.2, "--drift-crowding", 0, scans=2, samples=480)
    with h5py.File(lines[1]["path"]) as h:
        r, c = h["peak_row"][:], h["peak_col"][:]
    shift, stop = 0.2 * 192, 0.12 * 192  # no peak within `stop` of the beam centre
    assert np.hypot(r - (191 / 2 + shift), c - (191 / 2 - shift / 2)).min() >= stop
    assert np.hypot(r - 191 / 2, c - 191 / 2).min() < stop  # peaks where the undrifted beam stop was


def test_zero_knobs_leave_only_the_shape_drift(tmp_path, capsys):
    lines = _series(tmp_path, capsys, "--drift-width", 0, "--drift-intensity", 0, "--drift-beam-shift", 0,
                    "--drift-crowding", 0, scans=2, samples=48)
    assert lines[1]["drift"]["width_scale"] == 1.0 and lines[1]["drift"]["crowding"] == 0.0
    assert lines[1]["drift"]["mu_range"] == pytest.approx([0.7, 1.0])  # the shape drift has no knob of its own


@pytest.mark.parametrize("knob,value,message", [("--drift-crowding", "1.5", "--drift-crowding must be in [0, 1]"),
                                                ("--drift-intensity", "1", "--drift-intensity must be in [0, 1)"),
                                                ("--drift-width", "-1", "must be >= 0")])
def test_drift_series_refuses_bad_knobs(tmp_path, capsys, knob, value, message):
    rc, lines, _ = run_cli(["simulate", "--family", "braggnn", "--drift-series", 2, "--samples", 10, "--out-dir",
                            tmp_path, knob, value], capsys)
    assert rc == 2 and message in lines[-1]["message"]


def test_label_takes_a_raw_scan_and_writes_a_trainable_file(tmp_path, capsys):
    """A raw scan (frames + peak table, as intake registers it) goes through the run's label step."""
    from beamline_zoo import data as D

    lines = _series(tmp_path, capsys, scans=2, samples=60)
    out = tmp_path / "l.h5"
    rc, lines, _ = run_cli(["label", "--data", lines[0]["path"], "--out", out], capsys)
    assert rc == 0 and lines[-1]["type"] == "labelled" and lines[-1]["peaks"] + lines[-1]["failed"] == 60
    assert lines[-1]["peaks"] >= 57
    tr, va = D.load_braggnn(str(out), 11, 1)
    assert len(tr) + len(va) == lines[-1]["peaks"]
    labels = D.load_braggnn(str(out), 11, 0, split="all").labels
    assert ((labels >= 4.5) & (labels < 6.5)).all()  # the window is centred on the table's peak


def test_labeller_fits_the_centred_peak_not_a_brighter_neighbour():
    from beamline_zoo.label import label_patches
    from beamline_zoo.simulate import pseudo_voigt

    ii = np.arange(11.0)
    R, C = np.meshgrid(ii, ii, indexing="ij")
    shape = {"mu": 0.2, "sgr": 0.9, "sge": 1.1, "slr": 0.9, "sle": 1.1, "psi": 0.0}
    rng = np.random.default_rng(0)
    patches = []
    for _ in range(10):
        lam = 10 + pseudo_voigt(R - 5.4, C - 5.6, dict(shape, imax=800.0)) + pseudo_voigt(
            R - 9.5, C - 1.0, dict(shape, imax=3000.0))
        patches.append(rng.poisson(lam).astype(np.float32))
    lab, ok, _params, _s = label_patches(np.stack(patches))
    assert ok.all() and np.abs(lab - [5.4, 5.6]).max() < 0.3


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
        assert s["samples"] + s["failed"] == 150 and s["samples"] >= 90 and s["p95_px"] >= s["mean_px"] > 0
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
