"""A pre-started zoo process: Python, torch and the zoo already imported, waiting for one command.

Importing torch takes a second or more on a small trainer; a run that waits for it feels it as dispatch
latency. The agent keeps one such process ready and hands it a job's command as one JSON line on stdin:
{"args": [...zoo arguments...], "cwd": "...", "stderr": "...", "env": {...}}. The process then becomes
that job (same pid, process group and stdout the agent already reads) and exits with the command's code.
Each warm process runs one job, so no state leaks from one run into the next.
"""
import json
import os
import sys
import threading

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


def serve_one() -> int:
    # The imports the commands need, done before the job arrives.
    import numpy  # noqa: F401 - its OpenBLAS threads start here, at the job's priority

    import_at_low_priority()
    from . import cli
    from .protocol import configure_threads

    # The job environment is this process's own (the agent hands over only jobs started with it): start
    # torch's thread pool now rather than on the run's clock (tens of ms on a busy host).
    configure_threads()

    sys.stdout.write(json.dumps({"type": "warm_ready", "pid": os.getpid()}) + "\n")
    sys.stdout.flush()
    line = sys.stdin.readline()
    if not line.strip():
        return 0  # the agent closed the pipe: nothing to run
    job = json.loads(line)
    os.chdir(job["cwd"])
    # From here on the process is the job: its errors go to the job's own stderr file.
    err = os.open(job["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(err, 2)
    os.close(err)
    os.environ.update({str(k): str(v) for k, v in job.get("env", {}).items()})
    return cli.main([str(a) for a in job["args"]])


if __name__ == "__main__":
    sys.exit(serve_one())
