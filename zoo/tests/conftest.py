import json
import os
import subprocess
import sys

import pytest

ZOO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(ZOO)
sys.path.insert(0, ZOO)
os.environ.setdefault("OMP_NUM_THREADS", "2")


def reference_dir():
    return os.environ.get("BEAMLINE_REFERENCE_DATA") or os.path.join(REPO, "..", "shared", "reference-data")


@pytest.fixture(scope="session")
def ref():
    d = os.path.abspath(reference_dir())
    if not os.path.isdir(d):
        pytest.skip(f"reference data not found at {d} (set BEAMLINE_REFERENCE_DATA)")
    return d


def parse_lines(text):
    """Every stdout line must be one JSON object with a 'type'."""
    out = []
    for line in text.splitlines():
        obj = json.loads(line)
        assert isinstance(obj, dict) and "type" in obj, line
        out.append(obj)
    return out


def run_cli(args, capsys):
    """Run the CLI in-process (saves the torch import per call); returns (rc, parsed lines, stderr)."""
    from beamline_zoo.cli import main

    capsys.readouterr()
    rc = main([str(a) for a in args])
    cap = capsys.readouterr()
    return rc, parse_lines(cap.out), cap.err


def run_subprocess(args, **kw):
    env = dict(os.environ, PYTHONPATH=ZOO, OMP_NUM_THREADS="2")
    return subprocess.run([sys.executable, "-m", "beamline_zoo"] + [str(a) for a in args],
                          capture_output=True, text=True, env=env, **kw)


@pytest.fixture(scope="session")
def bragg_file(tmp_path_factory):
    from beamline_zoo.simulate import simulate_patches, write_h5

    p = tmp_path_factory.mktemp("data") / "bragg.h5"
    patches, centre, par = simulate_patches(2560, seed=1)
    write_h5(str(p), {"patches": patches, "labels": centre, "radial_angle": par["psi"]})
    return str(p)


@pytest.fixture(scope="session")
def cookie_file(tmp_path_factory):
    from beamline_zoo.simulate import simulate_cookie, write_h5

    p = tmp_path_factory.mktemp("data") / "cookie.h5"
    X, Y = simulate_cookie(40, seed=2)
    write_h5(str(p), {"X": X, "Y": Y})
    return str(p)
