import os

import numpy as np

from beamline_zoo import data as D
from beamline_zoo.label import label_patches
from beamline_zoo.simulate import simulate_cookie, simulate_patches
from conftest import run_cli


def test_bragg_simulation_shapes_and_labels():
    p, c, par = simulate_patches(300, seed=0)
    assert p.shape == (300, 11, 11) and p.dtype == np.float32
    assert (c >= 5).all() and (c < 6).all()
    assert (p >= 0).all() and np.array_equal(p, np.round(p))  # Poisson counts
    am = np.array([np.unravel_index(np.argmax(x), x.shape) for x in p])
    assert np.abs(am - c).max() < 2.5


def test_labeller_accuracy_on_simulated_peaks():
    p, c, par = simulate_patches(40, seed=11)
    lab, ok, params, secs = label_patches(p, par["psi"])
    assert ok.sum() >= 39
    err = np.linalg.norm(lab[ok] - c[ok], axis=1)
    assert err.mean() < 0.1 and err.max() < 0.5
    assert secs / 40 < 1.0


def test_label_cli_makes_trainable_file(tmp_path, capsys):
    u = tmp_path / "u.h5"
    rc, lines, _ = run_cli(["simulate", "--family", "braggnn", "--samples", 30, "--unlabelled", "--out", u], capsys)
    assert rc == 0 and lines[-1]["type"] == "simulated" and lines[-1]["samples"] == 30
    rc, lines, _ = run_cli(["train", "--family", "braggnn", "--data", u, "--out", tmp_path, "--epochs", 1],
                           capsys)
    assert rc == 2 and "label" in lines[-1]["message"]
    out = tmp_path / "l.h5"
    rc, lines, _ = run_cli(["label", "--data", u, "--out", out], capsys)
    assert rc == 0
    assert all(x["type"] == "progress" for x in lines[:-1]) and lines[-2]["done"] == 30
    last = lines[-1]
    assert last["type"] == "labelled" and last["peaks"] + last["failed"] == 30
    assert last["seconds_per_peak"] > 0 and last["truth_mean_px_error"] < 0.1
    tr, va = D.load_braggnn(str(out), 11, 1)
    assert len(tr) + len(va) == last["peaks"]


def test_cookie_simulation_matches_real_test_set(ref):
    Xr, Yr, _ = D.load_cookie(os.path.join(ref, "cookienetae", "Test_set_128chan.tgz"), need_y=True)
    X, Y = simulate_cookie(200, seed=7)
    import h5py  # dtype as stored in the reference file
    assert X.shape[1:] == Xr.shape[1:] == (128, 128)
    assert X.dtype == np.int16 and Y.dtype == np.float16
    # per-row sums of the density
    assert abs(Y.astype(np.float64).sum(2).mean() - Yr.sum(2).mean()) < 0.01
    # sparsity and counts
    assert abs((X == 0).mean() - (Xr == 0).mean()) < 0.02
    assert abs(X.mean() - Xr.mean()) / Xr.mean() < 0.1
    tot, totr = X.sum((1, 2)), Xr.sum((1, 2))
    assert (tot % 64 == 0).mean() > 0.95 and (totr % 64 == 0).all()
    assert abs(np.median(tot) - np.median(totr)) / np.median(totr) < 0.1
    assert tot.min() >= 64 * 51 and tot.max() <= 64 * 103
    # dipole symmetry: rows i and i+64 carry the same number of electrons
    rows = X.sum(2)
    assert np.array_equal(rows[:, :64], rows[:, 64:])
    assert abs(np.median(X.max((1, 2))) - np.median(Xr.max((1, 2)))) <= 4
