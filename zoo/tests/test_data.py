import os

import h5py
import numpy as np
import pytest

from beamline_zoo import data as D
from beamline_zoo.protocol import BadInput
from conftest import run_cli


def test_real_peak_table_schema_and_split(ref):
    """The users' peak-table layout: the public table reads, and split+filter give the paper's counts."""
    cols = D.read_peak_table(os.path.join(ref, "braggnn", "peaks-exp4train-psz11.hdf5"))
    n = len(cols["peak_fidx"])
    assert n == 77267
    keep = D.peak_filter(cols)
    ntr = D.sequential_split(n, 0.2)
    assert ntr == 61813
    assert int(keep[:ntr].sum()) == 55548 and int(keep[ntr:].sum()) == 13799


def test_peak_table_without_frames_is_refused(ref, capsys):
    rc, lines, err = run_cli(["train", "--family", "braggnn", "--epochs", "1", "--out", "/tmp/unused",
                              "--data", os.path.join(ref, "braggnn", "peaks-exp4train-psz11.hdf5")], capsys)
    assert rc == 2 and lines[-1]["type"] == "error" and "--peaks" in lines[-1]["message"]


def test_frames_layout_same_and_separate_file(tmp_path):
    from beamline_zoo.simulate import simulate_frames, write_h5

    frames, table = simulate_frames(60, seed=3, size=128, per_frame=10)
    same = tmp_path / "frames_and_peaks.h5"
    write_h5(str(same), dict(frames=frames, **table))
    fr = tmp_path / "frames.h5"
    pk = tmp_path / "peaks.h5"
    write_h5(str(fr), {"frames": frames})
    write_h5(str(pk), table)
    tr1, va1 = D.load_braggnn(str(same), 11, 1)
    tr2, va2 = D.load_braggnn(str(fr), 11, 1, peaks=str(pk))
    assert len(tr1) == 48 and len(va1) == 12
    assert np.array_equal(tr1.windows, tr2.windows) and np.array_equal(va1.labels, va2.labels)
    assert tr1.windows.shape == (48, 13, 13)
    # window centred on int(peak): label in [half, half+1) of the 13x13 window
    assert (tr1.labels >= 6).all() and (tr1.labels < 7).all()
    # the brightest pixel sits next to the labelled centre
    am = np.array([np.unravel_index(np.argmax(w), w.shape) for w in tr1.windows])
    assert np.abs(am - tr1.labels).max() < 2.0


def test_plain_layout_crop_and_pad(tmp_path):
    p = np.random.default_rng(0).poisson(5, (10, 15, 15)).astype(np.float32)
    lab = np.full((10, 2), 7.3, np.float32)
    w, l = D._to_window(p, lab, 13)
    assert w.shape == (10, 13, 13) and np.allclose(l, 6.3)
    w, l = D._to_window(p[:, 2:13, 2:13], lab - 2, 13)
    assert w.shape == (10, 13, 13) and np.allclose(l, 6.3)
    assert np.array_equal(w[:, 1:12, 1:12], p[:, 2:13, 2:13])


def test_cookie_reference_test_set_reads_in_memory(ref):
    X, Y, is_test = D.load_cookie(os.path.join(ref, "cookienetae", "Test_set_128chan.tgz"))
    assert is_test and X.shape == (400, 128, 128) and Y.shape == (400, 128, 128)


def _write(path, **ds):
    with h5py.File(path, "w") as h:
        for k, v in ds.items():
            h.create_dataset(k, data=v)
    return str(path)


def bad_inputs(tmp):
    ok_p = np.random.rand(20, 11, 11).astype(np.float32)
    ok_l = np.full((20, 2), 5.5, np.float32)
    nan_p = ok_p.copy()
    nan_p[3, 4, 4] = np.nan
    empty = tmp / "empty.h5"
    empty.write_bytes(b"")
    text = tmp / "text.h5"
    text.write_text("not hdf5")
    return {
        "missing_labels": ("braggnn", _write(tmp / "a.h5", patches=ok_p), "'labels'"),
        "missing_patches": ("braggnn", _write(tmp / "b.h5", labels=ok_l), "'patches'"),
        "wrong_label_shape": ("braggnn", _write(tmp / "c.h5", patches=ok_p, labels=ok_l[:, :1]), "(20, 2)"),
        "wrong_patch_ndim": ("braggnn", _write(tmp / "d.h5", patches=ok_p[:, 0], labels=ok_l), "3 dimensions"),
        "non_square": ("braggnn", _write(tmp / "e.h5", patches=ok_p[:, :, :9], labels=ok_l), "square"),
        "string_dtype": ("braggnn", _write(tmp / "f.h5", patches=ok_p, labels=np.array([[b"x", b"y"]] * 20)), "dtype"),
        "nan": ("braggnn", _write(tmp / "g.h5", patches=nan_p, labels=ok_l), "NaN"),
        "too_small": ("braggnn", _write(tmp / "h.h5", patches=ok_p[:, :9, :9], labels=ok_l - 1), "smaller"),
        "label_outside": ("braggnn", _write(tmp / "i.h5", patches=ok_p, labels=ok_l + 20), "outside"),
        "empty_dataset": ("braggnn", _write(tmp / "j.h5", patches=np.zeros((0, 11, 11), np.float32),
                                              labels=np.zeros((0, 2), np.float32)), "empty"),
        "empty_file": ("braggnn", str(empty), "empty"),
        "not_hdf5": ("braggnn", str(text), "not a readable HDF5"),
        "missing_file": ("braggnn", str(tmp / "nope.h5"), "not found"),
        "cookie_shape": ("cookienetae", _write(tmp / "k.h5", X=np.zeros((4, 64, 128), np.int16),
                                                 Y=np.zeros((4, 64, 128), np.float32)), "(N, 128, 128)"),
        "cookie_missing_y": ("cookienetae", _write(tmp / "l.h5", X=np.zeros((4, 128, 128), np.int16)), "'Y'"),
        "cookie_int_y": ("cookienetae", _write(tmp / "m.h5", X=np.zeros((4, 128, 128), np.int16),
                                                 Y=np.zeros((4, 128, 128), np.int16)), "dtype"),
        "cookie_negative": ("cookienetae", _write(tmp / "n.h5", X=-np.ones((4, 128, 128), np.int16),
                                                    Y=np.zeros((4, 128, 128), np.float32)), "negative"),
    }


def test_bad_inputs_refused_with_clear_message(tmp_path, capsys):
    for name, (fam, path, needle) in bad_inputs(tmp_path).items():
        rc, lines, err = run_cli(["train", "--family", fam, "--data", path, "--out", tmp_path / "o",
                                  "--epochs", "1"], capsys)
        assert rc == 2, name
        assert len(lines) == 1 and lines[0]["type"] == "error", name
        assert needle in lines[0]["message"], (name, lines[0]["message"])
        assert needle in err, name


def test_bad_arguments_refused(tmp_path, bragg_file, capsys):
    cases = [
        (["train", "--family", "braggnn", "--data", bragg_file, "--out", tmp_path, "--epochs", "0"], "--epochs"),
        (["train", "--family", "bragg", "--data", bragg_file, "--out", tmp_path, "--epochs", "1"], "family"),
        (["train", "--family", "braggnn", "--data", bragg_file, "--out", tmp_path, "--epochs", "1",
          "--lr", "nan"], "--lr"),
        (["train", "--family", "braggnn", "--data", bragg_file, "--out", tmp_path, "--epochs", "1",
          "--val-fraction", "1.5"], "val-fraction"),
        (["train", "--family", "braggnn", "--data", bragg_file, "--out", tmp_path, "--epochs", "1",
          "--dense", "16,x"], "--dense"),
        (["train", "--family", "braggnn", "--data", bragg_file, "--out", tmp_path], "--epochs"),
        (["evaluate", "--checkpoint", bragg_file, "--data", bragg_file], "checkpoint"),
        (["frobnicate"], "invalid choice"),
    ]
    for args, needle in cases:
        rc, lines, _ = run_cli(args, capsys)
        assert rc == 2 and lines[-1]["type"] == "error" and needle in lines[-1]["message"], (args, lines)
