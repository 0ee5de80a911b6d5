#!/usr/bin/env bash
# Integration test: a sharded sweep on a real single-node Slurm cluster.
#
# Starts Slurm (ci/slurm/start.sh; stopped again on exit), submits a 4-task
# array sweep plus the dependent merge job with examples/slurm/submit.sh (so
# the example scripts are what is tested), waits for both, resubmits one task
# to exercise the --resume path, and checks that the merged sweep.csv is
# byte-identical to a single-process sweep with the same arguments.
#
# Needs root (installs slurm-wlm and munge on first use) and the release
# binary: run `cargo build --release` first.
#
# Environment:
#   CHOKEPOINT          binary to test (default: <repo>/target/release/chokepoint)
#   SLURM_TEST_TIMEOUT  seconds to wait for the jobs (default 300)
#   KEEP_TMP=1          keep the temporary folder even when the test passes
#
# Last line of output, parsed by CI: "slurm: 1 passed, 0 failed" or
# "slurm: 0 passed, 1 failed".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
CHOKEPOINT=${CHOKEPOINT:-$repo/target/release/chokepoint}
timeout=${SLURM_TEST_TIMEOUT:-300}
shards=4 # the array size: examples/slurm/submit.sh's default SHARDS
t0=$SECONDS
tmp=""
started=0

say() { echo "slurm-test: $*"; }
indent() { sed 's/^/    /'; }

# Print what helps to diagnose a failure: job records, job logs, daemon logs.
diagnostics() {
  local f
  echo "===== diagnostics ====="
  # (timeouts: a dead slurmctld makes every client retry for a long time)
  if ((started)) && [[ -f /run/slurmctld.pid ]]; then
    timeout 10 squeue 2>&1 || true
    timeout 10 sinfo -N -l 2>&1 || true
    [[ -z ${array_job:-} ]] || timeout 10 scontrol show job "$array_job" 2>&1 || true
    [[ -z ${merge_job:-} ]] || timeout 10 scontrol show job "$merge_job" 2>&1 || true
  fi
  if [[ -n $tmp && -d $tmp/run/logs ]]; then
    for f in "$tmp"/run/logs/*; do
      [[ -f $f ]] || continue
      echo "----- job log $f -----"
      cat "$f"
    done
  fi
  for f in /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log /var/log/munge/munged.log; do
    [[ -f $f ]] || continue
    echo "----- $f (last 40 lines) -----"
    tail -n 40 "$f"
  done
  echo "===== end of diagnostics ====="
}

fail() {
  echo "FAIL: $*"
  ((started == 0)) || diagnostics
  exit 1
}

finish() {
  local rc=$?
  set +e
  trap - EXIT
  if ((started)); then
    "$here/stop.sh"
  fi
  say "took $((SECONDS - t0)) s"
  if ((rc == 0)); then
    [[ ${KEEP_TMP:-0} == 1 || -z $tmp ]] || rm -rf "$tmp"
    echo "PASS: slurm array sweep + merge == single-process sweep"
    echo "slurm: 1 passed, 0 failed"
  else
    [[ -z $tmp ]] || say "files kept in $tmp"
    echo "FAIL: slurm integration test (exit $rc)"
    echo "slurm: 0 passed, 1 failed"
  fi
  exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'echo "FAIL: line $LINENO: command failed: $BASH_COMMAND"' ERR

# wait_jobs ID...: poll squeue until none of the jobs is queued or running.
wait_jobs() {
  local ids=$1 deadline=$((SECONDS + timeout)) out last="" next_print=0
  while :; do
    if ! out=$(timeout 30 squeue -h -j "$ids" -o '%i %j %T %r' 2>&1); then
      fail "squeue failed: $out"
    fi
    [[ -n $out ]] || return 0
    # Print the queue when it changes, and every 15 s anyway.
    if [[ $out != "$last" ]] || ((SECONDS >= next_print)); then
      say "t=$((SECONDS - t0))s queue:"
      indent <<<"$out"
      last=$out
      next_print=$((SECONDS + 15))
    fi
    if ((SECONDS >= deadline)); then
      local -a idlist
      IFS=, read -r -a idlist <<<"$ids"
      scancel "${idlist[@]}" 2>/dev/null || true
      fail "jobs $ids still queued or running after ${timeout}s"
    fi
    sleep 1
  done
}

# check_job ID [EXPECTED_RECORDS]: every record of the job (one per array task)
# must be COMPLETED with exit code 0:0. Finished jobs stay visible to scontrol
# for MinJobAge (600 s in start.sh); there is no sacct without slurmdbd.
check_job() {
  local id=$1 want=${2:-1} records bad n
  records=$(timeout 30 scontrol -o show job "$id" 2>&1) || fail "scontrol show job $id: $records"
  n=$(grep -c 'JobState=' <<<"$records" || true)
  bad=$(grep -v 'JobState=COMPLETED .* ExitCode=0:0 ' <<<"$records" || true)
  if [[ -n $bad ]] || ((n != want)); then
    while read -r line; do
      echo "    $(grep -oE '(JobId|ArrayTaskId|JobState|Reason|ExitCode)=[^ ]+' <<<"$line" | tr '\n' ' ')"
    done <<<"$records"
    fail "job $id: expected $want record(s) COMPLETED with ExitCode=0:0, got $n"
  fi
  say "job $id: $n record(s) COMPLETED, exit 0"
}

# --- preconditions ---------------------------------------------------------------
[[ -x $CHOKEPOINT ]] || fail "no chokepoint binary at $CHOKEPOINT (run 'cargo build --release' first, or set CHOKEPOINT)"
CHOKEPOINT=$(cd "$(dirname "$CHOKEPOINT")" && pwd)/$(basename "$CHOKEPOINT")
scenario=$repo/scenarios/full_embargo.toml
[[ -f $scenario ]] || fail "missing $scenario"
# SWEEP_ARGS is split on whitespace by the example scripts.
[[ $repo != *[[:space:]]* ]] || fail "repository path contains whitespace: $repo"

# --- Slurm -----------------------------------------------------------------------------
say "starting Slurm"
started=1 # from here on, stop.sh runs on exit (harmless if nothing started)
if ! "$here/start.sh"; then
  echo "FAIL: Slurm could not start (see start.sh's messages above)"
  exit 1
fi
say "Slurm is up after $((SECONDS - t0)) s"

# Local disk stands in for shared storage on a single node.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/chokepoint-slurm.XXXXXX")
chmod 755 "$tmp"
out=$tmp/run
sweep_args="$scenario --param shock.allied_embargo.duration_weeks=4:40 --design grid:4 --reps 6"

# --- the array + merge, through the example scripts ------------------------------------
say "submitting $shards-task array + merge with examples/slurm/submit.sh"
# SHARDS is left unset so that the tasks take N from $SLURM_ARRAY_TASK_COUNT.
ids=$(cd "$tmp" && env -u SHARDS OUT="$out" CHOKEPOINT="$CHOKEPOINT" SWEEP_ARGS="$sweep_args" \
  "$repo/examples/slurm/submit.sh" --cpus-per-task=1 2>&1) || fail "submit.sh failed: $ids"
indent <<<"$ids"
array_job=$(sed -n 's/^array_job=\([0-9][0-9]*\)$/\1/p' <<<"$ids")
merge_job=$(sed -n 's/^merge_job=\([0-9][0-9]*\)$/\1/p' <<<"$ids")
[[ -n $array_job && -n $merge_job ]] || fail "could not read job ids from submit.sh output"

wait_jobs "$array_job,$merge_job"
say "jobs finished after $((SECONDS - t0)) s"

check_job "$array_job" "$shards"
check_job "$merge_job" 1

for i in $(seq 0 $((shards - 1))); do
  grep -q '"status": *"complete"' "$out/shard-$i/manifest.json" 2>/dev/null \
    || fail "$out/shard-$i/manifest.json missing or not complete"
done
[[ -s $out/merged/sweep.csv ]] || fail "merge job wrote no $out/merged/sweep.csv"

nlogs=$(find "$out/logs" -name '*.out' | wc -l)
((nlogs == shards + 1)) || fail "expected $((shards + 1)) job logs in $out/logs, found $nlogs"
if grep -il -E 'error|panic' "$out"/logs/*.out >/dev/null; then
  fail "job logs mention errors: $(grep -il -E 'error|panic' "$out"/logs/*.out | tr '\n' ' ')"
fi
echo "PASS: $shards array tasks and the merge job completed; logs clean"

# --- a resubmitted task resumes its finished shard instead of failing ------------------
say "resubmitting task 1 alone (pre-emption path: --resume)"
# Its array has 1 task, so SHARDS must give the original count.
resub=$(cd "$tmp" && OUT=$out SHARDS=$shards CHOKEPOINT=$CHOKEPOINT SWEEP_ARGS=$sweep_args \
  sbatch --parsable --array=1 --output="$out/logs/resubmit-%A_%a.log" \
  "$repo/examples/slurm/sweep-array.sbatch") || fail "sbatch failed: $resub"
resub=${resub%%;*}
wait_jobs "$resub"
check_job "$resub" 1
grep -q "resuming $out/shard-1" "$out"/logs/resubmit-*.log \
  || fail "resubmitted task did not resume: $(cat "$out"/logs/resubmit-*.log)"
! grep -qi -E 'error|panic' "$out"/logs/resubmit-*.log \
  || fail "resubmitted task's log mentions errors: $(cat "$out"/logs/resubmit-*.log)"
echo "PASS: resubmitted task resumed shard 1 with --resume"

# --- compare with a single process -------------------------------------------------------
say "running the same sweep in one process"
# shellcheck disable=SC2086 # word splitting intended, as in sweep-array.sbatch
"$CHOKEPOINT" sweep $sweep_args --threads 1 --quiet --out "$tmp/single" \
  || fail "single-process sweep failed"
if cmp "$tmp/single/sweep.csv" "$out/merged/sweep.csv"; then
  echo "PASS: merged sweep.csv ($(wc -l <"$out/merged/sweep.csv") lines) is byte-identical to the single-process sweep.csv"
else
  diff <(head -c 2000 "$tmp/single/sweep.csv") <(head -c 2000 "$out/merged/sweep.csv") || true
  fail "merged sweep.csv differs from the single-process sweep.csv"
fi
# The shards, one of them resumed since, still merge to the same bytes.
"$CHOKEPOINT" merge "$out"/shard-* --out "$tmp/remerged" >/dev/null || fail "merging the shards again failed"
cmp "$tmp/single/sweep.csv" "$tmp/remerged/sweep.csv" || fail "shards merged after the resume differ"
echo "PASS: shards merged again after the resumed task give the same sweep.csv"
