#!/usr/bin/env bash
# Start a throwaway single-node Slurm cluster on this machine, for CI.
#
# Installs (if missing) Debian's slurm-wlm and munge, writes
# /etc/slurm/slurm.conf for one node (this host, 127.0.0.1), starts munged,
# slurmctld and slurmd directly (no systemd) with pid files, and waits until
# the node is idle. Must run as root. Safe to run again: it stops whatever it
# started before (ci/slurm/stop.sh) and starts afresh with clean state.
#
# Environment:
#   SLURM_START_TIMEOUT      seconds to wait for the node to become idle (default 60)
#   SLURM_CI_OVERWRITE_CONF  set to 1 to replace an /etc/slurm/slurm.conf this
#                            script did not write (refused otherwise)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
timeout=${SLURM_START_TIMEOUT:-60}

log() { echo "slurm-start: $*"; }
die() { echo "slurm-start: ERROR: $*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "must run as root (installs packages and starts daemons)"

# Never overwrite the configuration of a real cluster on this machine.
marker='# Written by ci/slurm/start.sh'
if [[ -s /etc/slurm/slurm.conf ]] && [[ $(head -n1 /etc/slurm/slurm.conf) != "$marker"* ]] \
  && [[ ${SLURM_CI_OVERWRITE_CONF:-0} != 1 ]]; then
  die "/etc/slurm/slurm.conf exists and was not written by this script; set SLURM_CI_OVERWRITE_CONF=1 to replace it"
fi

# --- 1. Packages (idempotent) ------------------------------------------------
need=()
for pkg in slurm-wlm munge; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
if ((${#need[@]})); then
  log "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Refresh the package lists when they are missing (fresh containers), and
  # once more if the install fails (stale lists).
  if ! compgen -G '/var/lib/apt/lists/*_Packages' >/dev/null; then
    apt-get update -q
  fi
  if ! apt-get install -y -q --no-install-recommends "${need[@]}"; then
    log "install failed; refreshing package lists and retrying"
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${need[@]}" \
      || apt-get install -y -q "${need[@]}" \
      || die "could not install ${need[*]}"
  fi
else
  log "slurm-wlm and munge already installed"
fi
for cmd in munged slurmctld slurmd sinfo squeue sbatch scontrol; do
  command -v "$cmd" >/dev/null || die "$cmd not found after installing slurm-wlm/munge"
done

# --- 2. Stop anything left from an earlier start ------------------------------
# (Also stops daemons a package postinst may have started with the same pid files.)
"$here/stop.sh" >/dev/null 2>&1 || true

# --- 3. munge ------------------------------------------------------------------
id munge >/dev/null 2>&1 || die "user munge missing (the munge package creates it)"
install -d -o munge -g munge -m 0700 /etc/munge /var/lib/munge /var/log/munge
install -d -o munge -g munge -m 0755 /run/munge
if [[ ! -s /etc/munge/munge.key ]]; then
  log "creating /etc/munge/munge.key"
  if command -v mungekey >/dev/null; then
    mungekey --create --keyfile=/etc/munge/munge.key --force
  else
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
  fi
fi
chown munge:munge /etc/munge/munge.key
chmod 0400 /etc/munge/munge.key
log "starting munged"
runuser -u munge -- munged --pid-file=/run/munge/munged.pid \
  || die "munged failed to start; see /var/log/munge/munged.log"
# Check that credentials round-trip before Slurm depends on them.
for _ in $(seq 1 50); do
  munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break
  sleep 0.1
done
munge -n | unmunge >/dev/null || die "munge credential check failed; see /var/log/munge/munged.log"

# --- 4. slurm.conf ---------------------------------------------------------------
node=$(hostname -s)
cpus=$(nproc)
# RealMemory must not exceed what slurmd detects, or the node is drained
# ("Low RealMemory"): take the detected value (MB) and leave some headroom.
mem=$(slurmd -C 2>/dev/null | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' | head -n1 || true)
if [[ -z $mem ]]; then
  mem=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)
fi
mem=$((mem * 9 / 10))
((mem >= 1)) || mem=1

install -d -m 0755 /etc/slurm /var/log/slurm
install -d -m 0700 /var/spool/slurmctld
install -d -m 0755 /var/spool/slurmd
cat >/etc/slurm/slurm.conf <<EOF
${marker}: a single-node cluster for CI. Do not edit here.
ClusterName=chokepoint-ci
SlurmctldHost=${node}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
# No mail on these machines (silences 'Configured MailProg is invalid').
MailProg=/bin/true

SlurmctldPort=6817
SlurmdPort=6818
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info

# No systemd and no cgroups in CI containers.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none

SchedulerType=sched/backfill
# Start array tasks at once instead of batching submissions.
SchedulerParameters=batch_sched_delay=0
# Cancel a job whose dependency can never be met (e.g. merge after a failed shard)
# instead of leaving it pending forever.
DependencyParameters=kill_invalid_depend
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
# A node that comes back with a valid configuration is returned to service.
ReturnToService=2
# Keep finished jobs visible to 'scontrol show job' for 10 minutes (no sacct here).
MinJobAge=600

NodeName=${node} NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=${mem} State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
log "wrote /etc/slurm/slurm.conf (node ${node}, CPUs=${cpus}, RealMemory=${mem})"

# --- 5. Daemons ------------------------------------------------------------------
print_logs() {
  local f
  for f in /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log /var/log/munge/munged.log; do
    echo "----- $f (last 50 lines) -----" >&2
    tail -n 50 "$f" >&2 2>/dev/null || echo "(missing)" >&2
  done
}
log "starting slurmctld and slurmd"
# -c: clear saved state (jobs of earlier runs); each CI run starts empty.
slurmctld -c || { print_logs; die "slurmctld failed to start"; }
slurmd -N "$node" || { print_logs; die "slurmd failed to start"; }

# --- 6. Wait for the node to be idle ------------------------------------------------
# running NAME PIDFILE: the daemon is up, or may still be writing its pid file.
running() {
  local pid
  if [[ -f $2 ]]; then
    pid=$(tr -dc '0-9' <"$2")
    [[ -n $pid && $(cat "/proc/$pid/comm" 2>/dev/null) == "$1" ]]
  else
    ((SECONDS < launched + 5)) # give it 5 s to daemonize and write the pid file
  fi
}
launched=$SECONDS
deadline=$((SECONDS + timeout))
resumed=0
while :; do
  for d in slurmctld:/run/slurmctld.pid slurmd:/run/slurmd.pid munged:/run/munge/munged.pid; do
    if ! running "${d%%:*}" "${d#*:}"; then
      print_logs
      die "${d%%:*} exited during start-up (see its log above)"
    fi
  done
  state=$(timeout 5 sinfo -h -n "$node" -o '%T' 2>/dev/null | head -n1 || true)
  case $state in
    idle) break ;;
    down* | drain* | fail*)
      if ((resumed < 3)); then
        log "node state '$state'; asking slurmctld to resume it"
        timeout 5 scontrol update nodename="$node" state=resume 2>/dev/null || true
        resumed=$((resumed + 1))
      fi
      ;;
  esac
  if ((SECONDS >= deadline)); then
    echo "slurm-start: node ${node} not idle after ${timeout}s (state: '${state:-unknown}')" >&2
    timeout 5 sinfo -N -l >&2 2>/dev/null || true
    timeout 5 scontrol show node "$node" >&2 2>/dev/null || true
    print_logs
    exit 1
  fi
  sleep 0.5
done
log "node ${node} is idle; Slurm is ready"
sinfo
