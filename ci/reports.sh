#!/usr/bin/env bash
# Makes a report of every kind (run, backtest, compare, sweep) with the release binary and checks
# each in headless Chromium (ci/browser.sh, which runs its self-test first). docs/reports.md.
# Usage: CHOKEPOINT=path/to/chokepoint bash ci/reports.sh [OUT_DIR]
# OUT_DIR (default: a temporary folder, removed afterwards) keeps the folders, reports,
# screenshots and PDFs for a person to look at.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bin="${CHOKEPOINT:-$here/target/release/chokepoint}"
if [[ -n "${1:-}" ]]; then
  out="$1"
  mkdir -p "$out"
else
  out="$(mktemp -d)"
  trap 'rm -rf "$out"' EXIT
fi
cd "$here"
s=scenarios
# Replications: enough for smooth fans, few enough for CI's two cores (about a minute in all).
"$bin" run "$s/list_expansion_2025_10.toml" --reps 200 --seed 1 --quiet --force --report --out "$out/run" >/dev/null
"$bin" backtest "$s/japan_halt_2010.toml" --reps 100 --seed 1 --quiet --force --report --out "$out/backtest" >/dev/null
"$bin" compare "$s/benchmark_suite.toml" --reps 16 --seed 1 --quiet --force --report --out "$out/compare" >/dev/null
"$bin" sweep "$s/full_embargo.toml" --param shock.allied_embargo.duration_weeks=4:52 \
  --param defaults.manufacturer.cover_weeks=2:8 --design grid:4 --reps 8 --seed 1 --quiet --force \
  --report --out "$out/sweep" >/dev/null
bash ci/browser.sh --screenshots "$out/shots" \
  "$out/run/report.html" "$out/backtest/report.html" "$out/compare/report.html" "$out/sweep/report.html"
