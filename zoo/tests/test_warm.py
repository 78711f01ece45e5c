"""The warm zoo process imports at low CPU priority, and what becomes the job keeps the job's priority."""
import json
import os
import subprocess
import sys
import threading
import time
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


def write_job(job_file: Path, job: dict) -> None:
    """As the agent does: whole or not at all."""
    job_file.with_suffix(".tmp").write_text(json.dumps(job))
    os.replace(job_file.with_suffix(".tmp"), job_file)


def test_a_standby_takes_its_job_from_the_file_the_agent_writes(tmp_path):
    job_file = tmp_path / "job.json"
    job = {"args": ["--help"], "cwd": str(tmp_path)}
    threading.Timer(0.05, write_job, (job_file, job)).start()
    assert warm.wait_for_job(str(job_file), wait_seconds=30) == job
    assert not (tmp_path / "job.json.claim").exists()


def test_a_standby_that_waited_in_vain_claims_itself_so_the_agent_cannot_hand_it_a_job(tmp_path):
    job_file = tmp_path / "job.json"
    assert warm.wait_for_job(str(job_file), wait_seconds=0.02) is None
    # the agent's claim (the same O_EXCL create) now fails: it starts the job another way
    with pytest.raises(FileExistsError):
        os.open(tmp_path / "job.json.claim", os.O_WRONLY | os.O_CREAT | os.O_EXCL)


def test_a_renewed_standby_waits_from_its_last_renewal(tmp_path):
    job_file = tmp_path / "job.json"
    renew = tmp_path / "job.json.renew"
    stop = threading.Event()

    def renew_every_20_ms() -> None:  # as the agent does while the Retrain dialog stays open
        while not stop.wait(0.02):
            renew.touch()

    threading.Thread(target=renew_every_20_ms, daemon=True).start()
    job = {"args": ["--help"], "cwd": str(tmp_path)}
    threading.Timer(0.5, write_job, (job_file, job)).start()
    try:
        # without the renewals it would have given up after 0.1 s, long before the job came
        assert warm.wait_for_job(str(job_file), wait_seconds=0.1) == job
    finally:
        stop.set()
    assert not (tmp_path / "job.json.claim").exists()


def test_a_standby_gives_up_once_the_renewals_stop(tmp_path):
    job_file = tmp_path / "job.json"
    (tmp_path / "job.json.renew").touch()
    started = time.monotonic()
    assert warm.wait_for_job(str(job_file), wait_seconds=0.2) is None
    assert 0.15 <= time.monotonic() - started < 2
    assert (tmp_path / "job.json.claim").exists()


def test_a_standby_the_agent_claimed_waits_past_its_deadline_for_the_job(tmp_path):
    job_file = tmp_path / "job.json"
    (tmp_path / "job.json.claim").touch()  # the agent won the claim just before the standby's deadline
    job = {"args": ["--help"], "cwd": str(tmp_path)}
    threading.Timer(0.2, write_job, (job_file, job)).start()
    assert warm.wait_for_job(str(job_file), wait_seconds=0.01) == job


def test_a_standby_process_becomes_the_zoo_command_it_is_handed(tmp_path):
    job_file = tmp_path / "job.json"
    child = subprocess.Popen(
        [sys.executable, "-m", "beamline_zoo.warm", "--job-file", str(job_file), "--wait-seconds", "60"],
        env={**os.environ, "PYTHONPATH": ZOO, "OMP_NUM_THREADS": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    write_job(job_file, {"args": ["simulate", "--help"], "cwd": str(tmp_path)})
    out, err = child.communicate(timeout=60)
    assert child.returncode == 0, err
    assert "standby ready" in err
    assert "usage:" in out and "simulate" in out
