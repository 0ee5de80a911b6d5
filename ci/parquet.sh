#!/usr/bin/env bash
# Parquet outputs read in Python (docs/outputs.md, "Parquet"): a run, a backtest, a comparison
# and a sweep written with --format both, then every .parquet read with pyarrow and pandas and
# compared with its CSV (ci/parquet_check.py). Its own venv, pinned, under the cargo target
# folder (independent of any other script's venv):
#
#   CHOKEPOINT=target/release/chokepoint bash ci/parquet.sh
set -euo pipefail
cd "$(dirname "$0")/.."

target="$(realpath "${CARGO_TARGET_DIR:-target}")"
bin="${CHOKEPOINT:-$target/release/chokepoint}"
venv="$target/venv-parquet"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check pyarrow==26.0.1 pandas==3.1.1

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
common=(--reps 8 --seed 7 --quiet --format both)
"$bin" run scenarios/china_licensing_2025_04.toml "${common[@]}" --out "$work/run" >/dev/null
"$bin" backtest scenarios/japan_halt_2010.toml "${common[@]}" --out "$work/backtest" >/dev/null
"$bin" compare scenarios/full_embargo.toml scenarios/china_licensing_2025_04.toml \
  --strategies scenarios/stockpile_strategies.toml "${common[@]}" \
  --set scenario.horizon_weeks=66 --out "$work/compare" >/dev/null
"$bin" sweep scenarios/full_embargo.toml --param shock.allied_embargo.duration_weeks=4:40 \
  --design oat "${common[@]}" --set scenario.horizon_weeks=66 --out "$work/sweep" >/dev/null
"$venv/bin/python" ci/parquet_check.py "$work/run" "$work/backtest" "$work/compare" "$work/sweep"
