#!/usr/bin/env bash
# Bring up a one-node Slurm cluster (munged + slurmctld + slurmd) without systemd and
# without touching /etc/slurm. Everything Slurm writes lives under a state dir:
#   $SLURM_STATE_DIR (default: <repo>/.data/slurm)
#     slurm.conf, plugstack.conf, env, spool/{ctld,d}, run/*.pid, log/*.log
# Clients need SLURM_CONF=$STATE/slurm.conf (printed on stdout and written to $STATE/env).
#
# Idempotent: if the cluster from this state dir is already up, it only prints the export line.
# Options (env): SLURM_STATE_DIR, SLURM_START_TIMEOUT (s, default 30), SLURMCTLD_PORT (6817),
#   SLURMD_PORT (6818), SLURM_MIN_JOB_AGE (s, default 3600), SLURM_DEF_MEM_PER_CPU (MB, default 2000).
# Needs: slurm-wlm munge (Debian 12: apt-get install slurm-wlm munge). As root, missing packages
# are installed with apt-get.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="${SLURM_STATE_DIR:-$REPO/.data/slurm}"
TIMEOUT="${SLURM_START_TIMEOUT:-30}"
CTLD_PORT="${SLURMCTLD_PORT:-6817}"
SLURMD_PORT="${SLURMD_PORT:-6818}"
MIN_JOB_AGE="${SLURM_MIN_JOB_AGE:-3600}"
DEF_MEM="${SLURM_DEF_MEM_PER_CPU:-2000}"

log() { echo "[slurm/start] $*" >&2; }
die() { echo "[slurm/start] ERROR: $*" >&2; exit 1; }

# ---------------------------------------------------------------- packages
need_pkgs=()
command -v slurmctld >/dev/null 2>&1 || [ -x /usr/sbin/slurmctld ] || need_pkgs+=(slurmctld)
command -v slurmd >/dev/null 2>&1 || [ -x /usr/sbin/slurmd ] || need_pkgs+=(slurmd)
command -v sbatch >/dev/null 2>&1 || need_pkgs+=(slurm-client)
[ -x /usr/sbin/munged ] || need_pkgs+=(munge)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing missing packages: slurm-wlm munge (missing: ${need_pkgs[*]})"
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=900 update -qq >&2 || true
    apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends slurm-wlm munge >&2 \
      || die "apt-get install slurm-wlm munge failed"
  else
    die "missing Slurm packages (${need_pkgs[*]}). Install them, e.g. as root on Debian/Ubuntu:
    apt-get install -y --no-install-recommends slurm-wlm munge"
  fi
fi
export PATH="/usr/sbin:/usr/bin:/sbin:/bin:$PATH"

mkdir -p "$STATE/spool/ctld" "$STATE/spool/d" "$STATE/run" "$STATE/log"
CONF="$STATE/slurm.conf"
export SLURM_CONF="$CONF"

# alive PID: exists and is not a zombie (PID 1 may reap late, so kill -0 / pgrep lie)
alive() {
  local pid="$1" st
  [ -n "$pid" ] || return 1
  st=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
  [ -n "$st" ] && [ "$st" != Z ]
}
pid_of() { cat "$1" 2>/dev/null || true; }
node_state() { timeout 5 sinfo -h -n localhost -o %t 2>/dev/null | head -n1 || true; }
print_env() {
  printf 'export SLURM_CONF=%q\n' "$CONF" >"$STATE/env"
  cat "$STATE/env"
}

# ---------------------------------------------------------------- already up?
if alive "$(pid_of "$STATE/run/slurmctld.pid")" && alive "$(pid_of "$STATE/run/slurmd.pid")"; then
  st="$(node_state)"
  case "$st" in
    idle*|mix*|alloc*|comp*)
      log "already running (node state: $st)"
      print_env
      exit 0 ;;
  esac
  log "daemons are running but node state is '${st:-unknown}'; waiting"
fi

# ---------------------------------------------------------------- munge
MUNGE_USER=munge
id "$MUNGE_USER" >/dev/null 2>&1 || MUNGE_USER="$(id -un)"
munge_ok() { munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; }
if ! munge_ok; then
  if [ "$(id -u)" = 0 ]; then
    mkdir -p /run/munge /var/log/munge /var/lib/munge
    chown "$MUNGE_USER" /run/munge /var/log/munge /var/lib/munge 2>/dev/null || true
    if [ ! -s /etc/munge/munge.key ]; then
      log "creating /etc/munge/munge.key"
      mkdir -p /etc/munge
      if command -v mungekey >/dev/null 2>&1; then mungekey --create --force
      else dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none; fi
      chown "$MUNGE_USER" /etc/munge/munge.key; chmod 400 /etc/munge/munge.key
    fi
    # a stale socket/pid from a killed munged makes the new one refuse to start
    mp="$(pid_of /run/munge/munged.pid)"
    alive "$mp" || rm -f /run/munge/munged.pid /run/munge/munge.socket.2 /run/munge/munge.socket.2.lock
    if [ "$MUNGE_USER" = root ]; then /usr/sbin/munged; else runuser -u "$MUNGE_USER" -- /usr/sbin/munged; fi
  else
    die "munged is not running and this script is not root; start it as root: runuser -u munge -- /usr/sbin/munged"
  fi
  for _ in $(seq 1 50); do munge_ok && break; sleep 0.1; done
  munge_ok || die "munged did not come up (munge -n | unmunge fails)"
fi

# ---------------------------------------------------------------- config
NCPU="$(nproc)"
MEM_MB="$(awk '/MemTotal/{printf "%d", $2/1024*0.9}' /proc/meminfo)"
# Topology from slurmd -C when it agrees with nproc; otherwise just CPUs=nproc.
TOPO="CPUs=$NCPU"
if hw="$(slurmd -C 2>/dev/null | head -n1)"; then
  hcpus="$(sed -n 's/.*CPUs=\([0-9]*\).*/\1/p' <<<"$hw")"
  if [ "$hcpus" = "$NCPU" ]; then
    TOPO="CPUs=$NCPU $(grep -oE '(Boards|SocketsPerBoard|CoresPerSocket|ThreadsPerCore)=[0-9]+' <<<"$hw" | tr '\n' ' ')"
  fi
fi
[ "$DEF_MEM" -gt $((MEM_MB / NCPU)) ] && DEF_MEM=$((MEM_MB / NCPU))
ME="$(id -un)"

cat >"$CONF.new" <<EOF
# Generated by scripts/slurm/start.sh -- one-node cluster, no systemd, no cgroups.
ClusterName=beamline
SlurmctldHost=localhost
SlurmUser=$ME
SlurmdUser=$ME
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=10
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
# without a default, a job with no --mem takes the whole node's memory and blocks all others
DefMemPerCPU=$DEF_MEM
SchedulerType=sched/backfill
ReturnToService=2
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
StateSaveLocation=$STATE/spool/ctld
SlurmdSpoolDir=$STATE/spool/d
SlurmctldPidFile=$STATE/run/slurmctld.pid
SlurmdPidFile=$STATE/run/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
PlugStackConfig=$STATE/plugstack.conf
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$STATE/log/jobcomp.log
# keep finished jobs visible to squeue/scontrol (and to an agent re-attaching after a restart)
MinJobAge=$MIN_JOB_AGE
NodeName=localhost NodeAddr=127.0.0.1 $TOPO RealMemory=$MEM_MB State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
mv -f "$CONF.new" "$CONF"
: >"$STATE/plugstack.conf"

# ---------------------------------------------------------------- daemons
ctld_log_tail() { grep -E 'fatal|error' "$STATE/log/slurmctld.log" 2>/dev/null | grep -v pmix | tail -5 >&2 || true; }
if ! alive "$(pid_of "$STATE/run/slurmctld.pid")"; then
  rm -f "$STATE/run/slurmctld.pid"
  slurmctld -f "$CONF" || { ctld_log_tail; die "slurmctld failed to start (log: $STATE/log/slurmctld.log)"; }
fi
if ! alive "$(pid_of "$STATE/run/slurmd.pid")"; then
  rm -f "$STATE/run/slurmd.pid"
  slurmd -f "$CONF" -N localhost || { tail -5 "$STATE/log/slurmd.log" >&2 || true; die "slurmd failed to start (log: $STATE/log/slurmd.log)"; }
fi

deadline=$(( $(date +%s) + TIMEOUT ))
st=""
while :; do
  sleep 0.2
  for _ in 1 2 3 4 5 6 7 8 9 10; do [ -s "$STATE/run/slurmctld.pid" ] && break; sleep 0.1; done
  if ! alive "$(pid_of "$STATE/run/slurmctld.pid")"; then
    ctld_log_tail; die "slurmctld died (log: $STATE/log/slurmctld.log)"
  fi
  st="$(node_state)"
  case "$st" in
    idle*|mix*|alloc*|comp*) break ;;
    drain*|down*|fail*) timeout 5 scontrol update NodeName=localhost State=RESUME >/dev/null 2>&1 || true ;;
  esac
  if [ "$(date +%s)" -ge "$deadline" ]; then
    tail -5 "$STATE/log/slurmd.log" >&2 || true; ctld_log_tail
    die "node 'localhost' not idle after ${TIMEOUT}s (state: '${st:-no answer from slurmctld}'); logs in $STATE/log"
  fi
done
log "up: node localhost is $st (state dir $STATE)"
print_env
