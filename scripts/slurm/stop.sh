#!/usr/bin/env bash
# Stop the one-node cluster started by scripts/slurm/start.sh, by PID: SIGTERM, then SIGKILL
# after SLURM_STOP_GRACE seconds (default 10). munged is left running unless SLURM_STOP_MUNGE=1
# (it is a system-wide service that other Slurm clients may share).
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="${SLURM_STATE_DIR:-$REPO/.data/slurm}"
GRACE="${SLURM_STOP_GRACE:-10}"

alive() {
  local pid="$1" st
  [ -n "$pid" ] || return 1
  st=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
  [ -n "$st" ] && [ "$st" != Z ]
}

files=("$STATE/run/slurmd.pid" "$STATE/run/slurmctld.pid")
[ "${SLURM_STOP_MUNGE:-0}" = 1 ] && files+=(/run/munge/munged.pid)
pids=""
for f in "${files[@]}"; do
  p="$(cat "$f" 2>/dev/null || true)"
  [[ "$p" =~ ^[0-9]+$ ]] && alive "$p" && { kill -TERM "$p" 2>/dev/null || true; pids="$pids $p"; }
done

left=""
for _ in $(seq 1 $((GRACE * 5))); do
  left=""; for p in $pids; do alive "$p" && left="$left $p"; done
  [ -z "$left" ] && break
  sleep 0.2
done
for p in $left; do echo "[slurm/stop] SIGKILL $p" >&2; kill -KILL "$p" 2>/dev/null || true; done
# never re-use stale PIDs later
rm -f "${files[@]}"
echo "[slurm/stop] stopped${pids:+ (pids:$pids)}" >&2
