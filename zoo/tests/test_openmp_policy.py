"""The zoo makes idle OpenMP threads sleep (shared trainer hosts) unless the operator chose otherwise."""
import os
import subprocess
import sys

ZOO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# What torch's OpenMP runtime will read: the environment as it stands when torch is first imported.
PROBE = "import beamline_zoo, os, torch; print(os.environ.get('OMP_WAIT_POLICY'))"


def _policy(extra_env):
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    env.update(PYTHONPATH=ZOO, **extra_env)
    return subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True).stdout.strip()


def test_passive_by_default():
    assert _policy({}) == "PASSIVE"


def test_operator_setting_wins():
    assert _policy({"OMP_WAIT_POLICY": "ACTIVE"}) == "ACTIVE"
