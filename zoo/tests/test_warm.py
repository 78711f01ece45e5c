"""The warm zoo process imports at low CPU priority, and what becomes the job keeps the job's priority."""
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from beamline_zoo import warm

ZOO = str(Path(__file__).resolve().parents[1])


def thread_niceness(pid: int) -> dict[int, int]:
    """Niceness of each thread of a process (field 19 of /proc/<pid>/task/<tid>/stat)."""
    result = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        stat = (task / "stat").read_text()
        result[int(task.name)] = int(stat[stat.rindex(")") + 2 :].split()[16])
    return result


def test_the_import_runs_niced_and_the_calling_thread_keeps_its_priority():
    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    seen = []
    warm.import_at_low_priority(lambda: seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id())))
    assert seen == [min(19, before + warm.IMPORT_NICENESS)]
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before


def test_an_import_that_fails_fails_in_the_calling_thread():
    def broken():
        raise ImportError("no module named torch")

    with pytest.raises(ImportError, match="no module named torch"):
        warm.import_at_low_priority(broken)


def test_a_ready_warm_process_has_every_thread_at_the_priority_it_started_with():
    child = subprocess.Popen(
        [sys.executable, "-m", "beamline_zoo.warm"],
        env={**os.environ, "PYTHONPATH": ZOO, "OMP_NUM_THREADS": "2"},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        ready = json.loads(child.stdout.readline())
        assert ready["type"] == "warm_ready"
        niceness = thread_niceness(child.pid)
        # torch, h5py and the zoo were imported by a niced thread; none of its niceness is left for the job
        assert set(niceness.values()) == {os.getpriority(os.PRIO_PROCESS, 0)}, niceness
    finally:
        child.stdin.close()
        assert child.wait(timeout=30) == 0
