"""`inspect`: what dataset registration asks for, from the same validating readers training uses."""
import json
import os
import subprocess
import sys

ZOO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(*args):
    env = dict(os.environ, PYTHONPATH=ZOO)
    return subprocess.run([sys.executable, "-m", "beamline_zoo", *args], capture_output=True, text=True, env=env)


def last_line(result):
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_inspect_reports_family_samples_shape_and_labels(tmp_path):
    bragg = tmp_path / "b.h5"
    assert run("simulate", "--family", "braggnn", "--samples", "50", "--out", str(bragg)).returncode == 0
    line = last_line(run("inspect", "--data", str(bragg)))
    assert line == {"type": "inspected", "family": "braggnn", "samples": 50, "shape": [50, 11, 11], "labelled": True,
                    "kind": "simulated", "layout": "patches"}

    raw = tmp_path / "u.h5"
    run("simulate", "--family", "braggnn", "--samples", "20", "--unlabelled", "--out", str(raw))
    line = last_line(run("inspect", "--data", str(raw)))
    assert (line["labelled"], line["kind"]) == (False, "raw")


def test_inspect_detects_family_and_kind_from_the_layout(tmp_path):
    """Edge intake registers files from this alone: frames + peak table are raw (labelled on the trainer)."""
    assert run("simulate", "--family", "braggnn", "--drift-series", "2", "--samples", "40",
               "--out-dir", str(tmp_path / "series")).returncode == 0
    line = last_line(run("inspect", "--data", str(tmp_path / "series" / "scan-001.h5")))
    assert (line["family"], line["kind"], line["layout"], line["samples"]) == ("braggnn", "raw", "frames+peaks", 40)

    cookie = tmp_path / "c.h5"
    assert run("simulate", "--family", "cookienetae", "--samples", "8", "--out", str(cookie)).returncode == 0
    line = last_line(run("inspect", "--data", str(cookie)))
    assert (line["family"], line["kind"], line["shape"]) == ("cookienetae", "simulated", [8, 128, 128])

    import h5py
    import numpy as np
    labelled = tmp_path / "l.h5"  # labelled patches from elsewhere (no simulator mark)
    with h5py.File(labelled, "w") as h:
        h["patches"] = np.ones((3, 11, 11), np.float32)
        h["labels"] = np.full((3, 2), 5.0, np.float32)
    assert last_line(run("inspect", "--data", str(labelled)))["kind"] == "labelled"

    table_only = tmp_path / "p.h5"
    with h5py.File(table_only, "w") as h:
        for k in ("peak_fidx", "peak_row", "peak_col"):
            h[k] = np.zeros(4, np.int64)
    result = run("inspect", "--data", str(table_only))
    assert result.returncode == 2
    assert "a peak table without frames" in result.stderr


def test_inspect_refuses_an_empty_or_foreign_file(tmp_path):
    empty = tmp_path / "e.h5"
    empty.write_bytes(b"")
    result = run("inspect", "--data", str(empty))
    assert result.returncode == 2
    assert "empty" in result.stderr

    text = tmp_path / "t.h5"
    text.write_text("not hdf5")
    result = run("inspect", "--data", str(text))
    assert result.returncode == 2
    assert "not a readable HDF5 file" in result.stderr
