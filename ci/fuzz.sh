#!/usr/bin/env bash
# Fuzz every input format for a bounded time (docs/scenarios.md, "How the parser is tested").
#
#   bash ci/fuzz.sh                                   # every target, 20 s each (CI)
#   CHOKEPOINT_FUZZ_SECONDS=120 bash ci/fuzz.sh       # longer
#   bash ci/fuzz.sh scenario_text set_values          # some targets only
#
# Installs cargo-fuzz if absent and builds the targets on the stable toolchain (RUSTC_BOOTSTRAP=1
# lets it take the sanitizer-coverage flags libFuzzer needs; no address sanitizer: the code has
# no `unsafe`, and without it builds and runs are several times faster). Each target starts from
# its seeds, the repository's own files (shipped scenarios, tests/fixtures/**); what it learns
# goes to fuzz/corpus/<target>/ (ignored by git). A panic, a run over 10 s on one input or more
# than 2 GB of memory is a failure: libFuzzer writes the input to fuzz/artifacts/<target>/, the
# script lists every such file and exits 1. Turn each into a fixture under tests/fixtures/fuzz/
# (tests/fuzz_fixtures.rs checks them) and fix the code.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${CHOKEPOINT_FUZZ_SECONDS:-20}"
export RUSTC_BOOTSTRAP=1
# Built apart from the workspace's own target folder (different flags would rebuild both).
export CARGO_TARGET_DIR="${CHOKEPOINT_FUZZ_TARGET_DIR:-$PWD/fuzz/target}"
# Flags common to build and run: they must agree, or `run` rebuilds.
flags=(--sanitizer none --debug-assertions --codegen-units 16)

if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi

if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cd fuzz && cargo fuzz list)
fi

# The seeds of each target: directories and files of the repository (libFuzzer reads
# directories recursively; files are copied into a per-target seed folder).
seeds() {
  case "$1" in
    scenario_text) echo scenarios tests/fixtures/bad tests/fixtures/targets tests/fixtures/fuzz/scenario_text ;;
    strategies_text) echo scenarios/stockpile_strategies.toml tests/fixtures/bad/strategies_as_scenario.toml tests/fixtures/fuzz/strategies_text ;;
    suite_text) echo scenarios/benchmark_suite.toml tests/fixtures/fuzz/suite_text ;;
    calibration_text) echo scenarios/calibration/calibration_2010.toml tests/fixtures/bad_calibration tests/fixtures/fuzz/calibration_text ;;
    set_values) echo tests/fixtures/fuzz/set_values ;;
    sweep_design) echo tests/fixtures/fuzz/sweep_design ;;
    *) echo "ci/fuzz.sh: no seeds listed for target $1; add it to seeds()" >&2; exit 1 ;;
  esac
}

(cd fuzz && cargo fuzz build "${flags[@]}")

failed=()
for t in "${targets[@]}"; do
  corpus="fuzz/corpus/$t"
  seed_dir="fuzz/corpus/.seeds/$t"
  rm -rf "$seed_dir"
  mkdir -p "$corpus" "$seed_dir" "fuzz/artifacts/$t"
  for s in $(seeds "$t"); do
    if [ -d "$s" ]; then
      find "$s" -type f ! -name '*.md' -exec cp {} "$seed_dir"/ \;
    elif [ -f "$s" ]; then
      cp "$s" "$seed_dir"/
    fi
  done
  echo "== fuzz $t for ${seconds}s (seeds: $(find "$seed_dir" -type f | wc -l) files)"
  log="fuzz/artifacts/$t.log"
  if (cd fuzz && cargo fuzz run "${flags[@]}" "$t" "corpus/$t" "corpus/.seeds/$t" -- \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1) >"$log" 2>&1; then
    grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|Done)' "$log" || tail -n 3 "$log"
  else
    tail -n 60 "$log"
    failed+=("$t")
  fi
done
# The targets' private copies of the scenarios (<tmp>/chokepoint-fuzz-<pid>).
rm -rf "${TMPDIR:-/tmp}"/chokepoint-fuzz-*

if [ "${#failed[@]}" -gt 0 ]; then
  echo "ci/fuzz.sh: failed: ${failed[*]}; crashing inputs:" >&2
  find fuzz/artifacts -type f ! -name "*.log" >&2
  exit 1
fi
echo "ci/fuzz.sh: ${#targets[@]} targets, ${seconds}s each, no crash"
