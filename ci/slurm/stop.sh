#!/usr/bin/env bash
# Stop the single-node CI cluster started by ci/slurm/start.sh: cancel its jobs,
# then stop slurmd, slurmctld and munged by their pid files. A missing pid file
# or an already-dead daemon is not an error.
set -euo pipefail

log() { echo "slurm-stop: $*"; }

# stop NAME PIDFILE: SIGTERM the process named NAME whose pid is in PIDFILE,
# wait up to 10 s, then SIGKILL.
stop() {
  local name=$1 pidfile=$2 pid comm
  [[ -f $pidfile ]] || return 0
  pid=$(tr -dc '0-9' <"$pidfile")
  comm=$(cat "/proc/${pid:-0}/comm" 2>/dev/null || true)
  # Only signal the daemon the pid file names (never a recycled pid).
  if [[ -n $pid && $comm == "$name" ]]; then
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "$name (pid $pid) still running; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$pidfile"
}

# Cancel jobs still queued or running, so no job step outlives the cluster.
ctld_pid=$(tr -dc '0-9' 2>/dev/null </run/slurmctld.pid || true)
if [[ -n $ctld_pid && $(cat "/proc/$ctld_pid/comm" 2>/dev/null) == slurmctld ]]; then
  jobs=$(timeout 10 squeue -h -o '%A' 2>/dev/null | sort -u | tr '\n' ' ' || true)
  if [[ -n ${jobs// /} ]]; then
    log "cancelling jobs: $jobs"
    # shellcheck disable=SC2086 # a list of numeric job ids
    timeout 10 scancel $jobs 2>/dev/null || true
    sleep 1
  fi
fi

stop slurmd /run/slurmd.pid
stop slurmctld /run/slurmctld.pid
stop munged /run/munge/munged.pid
exit 0
