#!/usr/bin/env bash
# Regenerates the evidence of docs/validation.md: the 2010 backtest at the calibrated values, its
# charts (docs/validation/*.svg) and the 2025 predictions. Usage: examples/validation.sh [REPS]
# (default 1000; about a minute for the backtest and a few minutes for the 2025 scenarios on two
# cores, release build).
set -euo pipefail
cd "$(dirname "$0")/.."
reps="${1:-1000}"
cargo build --release --quiet
bin="$(realpath "${CARGO_TARGET_DIR:-target}")/release/chokepoint"
runs="runs/validation"
rm -rf "$runs"
mkdir -p "$runs" docs/validation

"$bin" backtest scenarios/japan_halt_2010.toml --reps "$reps" --seed 2010 --quiet --out "$runs/japan_halt_2010" \
  | tee docs/validation/backtest_2010.txt
cp "$runs/japan_halt_2010/backtest.csv" docs/validation/backtest_2010.csv
# Fan charts at the base prices of market_2010.toml (Dy 150, NdPr 25 USD/kg) with the observed points.
"$bin" plot "$runs/japan_halt_2010" --series price_ratio/dy --scale 150 --points docs/validation/dy_observed.csv \
  --title "Dy oxide price, model (fan) and history (diamonds), 2010-2015" --ylabel "USD/kg, FOB China"
"$bin" plot "$runs/japan_halt_2010" --series price_ratio/ndpr --scale 25 --points docs/validation/nd_observed.csv \
  --title "Nd(Pr) oxide price, model (fan) and history (diamonds), 2010-2015" --ylabel "USD/kg, FOB China"
"$bin" plot "$runs/japan_halt_2010" --series exports_t/ndpr/japan \
  --title "Weekly NdPr exports from China to Japan, 2010-2015" --ylabel "t per week"
cp "$runs"/japan_halt_2010/plots/*.svg docs/validation/

for s in china_licensing_2025_04 list_expansion_2025_10 truce_2025_11; do
  "$bin" backtest "scenarios/$s.toml" --reps "$reps" --seed 1 --quiet --out "$runs/$s" > "docs/validation/predictions_$s.txt"
  cp "$runs/$s/summary.csv" "docs/validation/summary_$s.csv"
  "$bin" plot "$runs/$s" --series exports_t/ndfeb --title "$s: China's NdFeB exports, t per week" --ylabel "t per week"
  cp "$runs/$s/plots/exports_t_ndfeb.svg" "docs/validation/${s}_exports_ndfeb.svg"
done
echo "wrote docs/validation/"
