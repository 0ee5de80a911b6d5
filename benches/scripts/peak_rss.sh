#!/usr/bin/env bash
# Peak resident memory and wall time of `chokepoint run` on a frozen workload at several
# replication counts (docs/performance.md, "Memory"). Usage:
#   benches/scripts/peak_rss.sh [BINARY] [WORKLOAD] [THREADS] [REPS...]
# defaults: target/release/chokepoint, benches/workloads/small.toml, 2, 1000 10000 100000.
# Prints one line per count: workload, replications, threads, wall seconds, peak RSS (kB).
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
bin="${1:-${CARGO_TARGET_DIR:-$here/target}/release/chokepoint}"
workload="${2:-$here/benches/workloads/small.toml}"
threads="${3:-2}"
shift $(( $# < 3 ? $# : 3 ))
reps=("${@:-1000 10000 100000}")
# shellcheck disable=SC2206
reps=(${reps[*]})
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
echo "workload reps threads wall_s peak_rss_kB"
for n in "${reps[@]}"; do
  /usr/bin/time -f '%e %M' -o "$out/time" \
    "$bin" run "$workload" --reps "$n" --threads "$threads" --seed 1 --quiet --out "$out/run-$n" >/dev/null
  read -r wall rss < "$out/time"
  echo "$(basename "$workload" .toml) $n $threads $wall $rss"
  rm -rf "$out/run-$n"
done
