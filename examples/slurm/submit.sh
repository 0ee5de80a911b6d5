#!/usr/bin/env bash
# Submit a sharded Chokepoint sweep to Slurm: an array job with one task per
# shard (sweep-array.sbatch), then a merge job (merge.sbatch) that starts only
# when every task has succeeded (--dependency=afterok). Prints both job ids.
#
# Usage:
#   OUT=/shared/me/run1 SHARDS=8 \
#   CHOKEPOINT=/shared/me/bin/chokepoint \
#   SWEEP_ARGS="/shared/me/scenarios/full_embargo.toml --param shock.allied_embargo.duration_weeks=4:40 --design grid:8 --reps 1000" \
#   examples/slurm/submit.sh [extra sbatch options, e.g. --partition=short --account=proj]
#
# Environment:
#   OUT         run folder on shared storage (default: ./chokepoint-sweep); created here
#   SHARDS      number of shards = array tasks (default: 4)
#   LOG_DIR     folder for the Slurm log files (default: $OUT/logs); created here
#   CHOKEPOINT, SWEEP_ARGS: passed on to the jobs (see sweep-array.sbatch)
# Extra arguments go to both sbatch calls. Use absolute paths (or submit from
# the folder that relative paths in SWEEP_ARGS refer to: jobs start there).
#
# Output (stdout), for scripts:
#   array_job=<id>
#   merge_job=<id>
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

SHARDS=${SHARDS:-4}
if ! [[ $SHARDS =~ ^[1-9][0-9]*$ ]]; then
  echo "error: SHARDS must be a positive integer, got '$SHARDS'" >&2
  exit 2
fi
OUT=${OUT:-$PWD/chokepoint-sweep}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd) # absolute: the jobs see the same folder whatever their cwd
LOG_DIR=${LOG_DIR:-$OUT/logs}
mkdir -p "$LOG_DIR"
# The jobs read their settings from the environment, so pass it on
# (--export=ALL is sbatch's default, but some sites change it).
# SHARDS is not exported by this script: the tasks take N from the array size
# (if you set SHARDS yourself, the jobs see it too; it equals the array size).
export OUT
[[ -z ${CHOKEPOINT:-} ]] || export CHOKEPOINT
[[ -z ${SWEEP_ARGS:-} ]] || export SWEEP_ARGS

# --parsable prints "jobid" or "jobid;cluster".
array_job=$(sbatch --parsable --export=ALL "$@" \
  --array="0-$((SHARDS - 1))" \
  --output="$LOG_DIR/%x-%A_%a.out" \
  "$here/sweep-array.sbatch")
array_job=${array_job%%;*}

merge_job=$(sbatch --parsable --export=ALL "$@" \
  --dependency="afterok:$array_job" \
  --output="$LOG_DIR/%x-%j.out" \
  "$here/merge.sbatch")
merge_job=${merge_job%%;*}

echo "array_job=$array_job"
echo "merge_job=$merge_job"
echo "shards: $OUT/shard-0 .. shard-$((SHARDS - 1)); merged: $OUT/merged; logs: $LOG_DIR" >&2
