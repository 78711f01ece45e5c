"""python -m beamline_zoo.launch --nproc-per-node N COMMAND ...: N ranks of `python -m beamline_zoo COMMAND`
on this host, through torchrun's own launcher (rendezvous on a free local port, every rank's stdout
passed straight through, SIGTERM forwarded to all ranks, all stopped when one fails).

The agent's local executor uses it for a trainer with several GPUs or CPU tasks.  It calls torchrun's
launcher API instead of the torchrun command because Debian's torch 1.13 command cannot parse its own
default `--redirects 0` under Python 3.11 (an IntFlag zero is no longer iterated).
"""
from __future__ import annotations

import argparse
import sys
import uuid


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="beamline_zoo.launch")
    p.add_argument("--nproc-per-node", type=int, required=True)
    p.add_argument("command", nargs=argparse.REMAINDER, help="the beamline_zoo command and its arguments")
    a = p.parse_args(argv)
    if a.nproc_per_node < 1 or not a.command:
        p.error("needs --nproc-per-node >= 1 and a beamline_zoo command")
    from torch.distributed.elastic.multiprocessing import Std
    from torch.distributed.elastic.multiprocessing.api import SignalException
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
    from torch.distributed.launcher.api import LaunchConfig, elastic_launch

    config = LaunchConfig(min_nodes=1, max_nodes=1, nproc_per_node=a.nproc_per_node, run_id=str(uuid.uuid4()),
                          rdzv_backend="c10d", rdzv_endpoint="localhost:0", rdzv_configs={"rank": 0},
                          max_restarts=0, monitor_interval=1, redirects=Std.NONE, tee=Std.NONE)
    try:
        elastic_launch(config, sys.executable)("-m", "beamline_zoo", *a.command)
    except ChildFailedError as e:
        # the first failing rank's exit code (143 when stopped by SIGTERM), as one process would give
        failure = e.get_first_failure()[1]
        return failure.exitcode if failure.exitcode > 0 else 1
    except SignalException as e:  # the launcher was told to stop: the ranks got the same signal and saved
        return 128 + int(e.sigval)
    return 0


if __name__ == "__main__":
    sys.exit(main())
