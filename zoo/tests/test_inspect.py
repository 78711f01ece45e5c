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
    assert line == {"type": "inspected", "family": "braggnn", "samples": 50, "shape": [50, 11, 11], "labelled": True}

    raw = tmp_path / "u.h5"
    run("simulate", "--family", "braggnn", "--samples", "20", "--unlabelled", "--out", str(raw))
    assert last_line(run("inspect", "--data", str(raw)))["labelled"] is False


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
