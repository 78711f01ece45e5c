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


def serve_one() -> int:
    # The imports the commands need, done before the job arrives.
    import h5py  # noqa: F401
    import numpy  # noqa: F401
    import torch  # noqa: F401

    from . import cli, data, models, train  # noqa: F401
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
