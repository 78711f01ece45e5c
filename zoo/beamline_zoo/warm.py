"""A pre-started zoo process: Python, torch and the zoo already imported, waiting for one command.

Importing torch takes a second or more on a small trainer; a run that waits for it feels it as dispatch
latency. The agent keeps one such process ready and hands it a job's command as one JSON line on stdin:
{"args": [...zoo arguments...], "cwd": "...", "stderr": "...", "env": {...}}. The process then becomes
that job (same pid, process group and stdout the agent already reads) and exits with the command's code.
Each warm process runs one job, so no state leaks from one run into the next.

On a Slurm trainer the same process is a *standby job*, submitted while the run's data is still being staged
in (`--job-file F --wait-seconds N`): Slurm's scheduling pass and the imports then overlap the transfer. It
takes the job from F (written by the agent, atomically) instead of stdin. The agent claims it first by
creating F.claim (O_EXCL); a standby that gives up waiting claims it itself, so exactly one of the two wins
and a job handed over is never dropped, nor a standby that gave up handed a job.

A standby may also be submitted before any run exists, when a scientist opens the Retrain dialog on a Slurm
trainer: the agent then renews it (touches F.renew) while the dialog stays open, and it gives up N seconds
after the later of its start and its last renewal.
"""
import argparse
import json
import os
import sys
import threading
import time

# How much lower than the job's own the priority of the import is (a nice increment, 0-19).
IMPORT_NICENESS = 10


def _import_job_modules() -> None:
    import h5py  # noqa: F401
    import torch  # noqa: F401

    from . import cli, data, models, train  # noqa: F401


def import_at_low_priority(work=_import_job_modules) -> None:
    """Runs the imports (a second or more of CPU) in a thread of lower priority, and waits for it.

    The agent starts a warm process while the run that took the previous one goes on (its training job,
    then the stage-out transfer its agent serves): on a small host the import would take CPU from them.
    Niceness is per thread on Linux and a process may not lower it again, so only this thread is made
    nice; the main thread, which becomes the job, keeps the job's priority. Threads started while it
    imports would inherit its niceness for good: whatever starts a thread pool on import (numpy's
    OpenBLAS) is imported by the main thread first.
    """
    failure: list[BaseException] = []

    def run() -> None:
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), os.getpriority(os.PRIO_PROCESS, 0) + IMPORT_NICENESS)
        except OSError:
            pass  # not permitted here: import at the job's priority
        try:
            work()
        except BaseException as error:  # noqa: BLE001 - raised again in the main thread
            failure.append(error)

    thread = threading.Thread(target=run, name="warm-import")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


def _prepare() -> None:
    # The imports the commands need, done before the job arrives.
    import numpy  # noqa: F401 - its OpenBLAS threads start here, at the job's priority

    import_at_low_priority()
    from .protocol import configure_threads

    # The job environment is this process's own (the agent hands over only jobs started with it): start
    # torch's thread pool now rather than on the run's clock (tens of ms on a busy host).
    configure_threads()


def _become(job: dict) -> int:
    """Runs the job's zoo command in this process, which from here on is the job."""
    from . import cli

    os.chdir(job["cwd"])
    if job.get("stderr"):  # its errors go to the job's own stderr file
        err = os.open(job["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(err, 2)
        os.close(err)
    os.environ.update({str(k): str(v) for k, v in job.get("env", {}).items()})
    return cli.main([str(a) for a in job["args"]])


def serve_one() -> int:
    _prepare()
    sys.stdout.write(json.dumps({"type": "warm_ready", "pid": os.getpid()}) + "\n")
    sys.stdout.flush()
    line = sys.stdin.readline()
    if not line.strip():
        return 0  # the agent closed the pipe: nothing to run
    return _become(json.loads(line))


# How often a standby looks for its job file: the poll's cost is a stat, its delay is part of dispatch.
STANDBY_POLL_SECONDS = 0.005
# How long a standby that the agent claimed waits for the job file the agent writes right after the claim.
CLAIMED_WAIT_SECONDS = 60.0


def _claim(path: str) -> bool:
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        return True
    except FileExistsError:
        return False


def _renewed_seconds_ago(job_file: str) -> float | None:
    """How long ago the agent last renewed this standby (touched job_file.renew), None if it never did."""
    try:
        return max(0.0, time.time() - os.stat(job_file + ".renew").st_mtime)
    except FileNotFoundError:
        return None


def wait_for_job(job_file: str, wait_seconds: float, poll: float = STANDBY_POLL_SECONDS) -> dict | None:
    """The job written to job_file, or None when none came within wait_seconds of the start or of the last
    renewal, and this standby gave up."""
    deadline = time.monotonic() + wait_seconds
    claimed_by_agent = False
    while True:
        try:
            with open(job_file) as handle:
                return json.load(handle)
        except FileNotFoundError:
            pass
        if time.monotonic() >= deadline:
            renewed = None if claimed_by_agent else _renewed_seconds_ago(job_file)
            if renewed is not None and renewed < wait_seconds:
                deadline = time.monotonic() + wait_seconds - renewed
            elif not claimed_by_agent:
                if _claim(job_file + ".claim"):
                    return None  # gave up first: the agent will start its job another way
                claimed_by_agent = True  # the agent claimed it: its job file is on the way
                deadline = time.monotonic() + CLAIMED_WAIT_SECONDS
            else:
                raise TimeoutError(f"claimed by the agent, but no job file at {job_file} after {CLAIMED_WAIT_SECONDS:.0f} s")
        time.sleep(poll)


def standby(job_file: str, wait_seconds: float) -> int:
    try:
        _prepare()
    except BaseException:
        _claim(job_file + ".claim")  # a standby that cannot run a job must not be handed one
        raise
    print(f"standby ready (pid {os.getpid()}); waiting up to {wait_seconds:.0f} s for {job_file}", file=sys.stderr, flush=True)
    job = wait_for_job(job_file, wait_seconds)
    if job is None:
        print("standby: no job came; exiting", file=sys.stderr, flush=True)
        return 0
    return _become(job)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m beamline_zoo.warm", description=__doc__.split("\n")[0])
    parser.add_argument("--job-file", help="standby mode: take the job from this file instead of stdin")
    parser.add_argument("--wait-seconds", type=float, default=120.0, help="standby mode: give up after this long")
    args = parser.parse_args(argv)
    return standby(args.job_file, args.wait_seconds) if args.job_file else serve_one()


if __name__ == "__main__":
    sys.exit(main())
