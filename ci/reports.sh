#!/usr/bin/env bash
# Makes a report of every kind (run, backtest, compare, sweep, sensitivity, size, discover) with the release binary and checks
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
# Sensitivity, size and discover (issue 17's report sections): small designs, short horizons.
"$bin" sensitivity "$s/china_licensing_2025_04.toml" --method sobol --n 8 --reps 4 --seed 1 \
  --set scenario.horizon_weeks=66 --quiet --force --report --out "$out/sensitivity" >/dev/null
"$bin" size "$s/china_licensing_2025_04.toml" --strategies "$s/stockpile_strategies.toml" \
  --strategy days60_shortage --target "mean(lost_output_usd) <= 1e10" --item ndfeb --max-weeks 16 \
  --resolution 2 --set scenario.horizon_weeks=66 --reps 8 --max-reps 16 --seed 1 --quiet --force \
  --report --out "$out/size" >/dev/null
# Discover over the sweep above, cases of interest: lost output above its median.
col=$(head -1 "$out/sweep/sweep.csv" | tr ',' '\n' | grep -n '^lost_output_usd_mean$' | cut -d: -f1)
median=$(tail -n +2 "$out/sweep/sweep.csv" | cut -d, -f"$col" | sort -g |
  awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}')
"$bin" discover "$out/sweep" --metric lost_output_usd --threshold "$median" --force --report \
  --out "$out/discover" >/dev/null
bash ci/browser.sh --screenshots "$out/shots" \
  "$out/run/report.html" "$out/backtest/report.html" "$out/compare/report.html" "$out/sweep/report.html" \
  "$out/sensitivity/report.html" "$out/size/report.html" "$out/discover/report.html"
