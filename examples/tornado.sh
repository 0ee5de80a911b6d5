#!/usr/bin/env bash
# One-at-a-time sensitivity (tornado) of a scenario's headline outputs to the behavioural
# parameters, each moved ±50 % around its baseline_2024.toml value (so the middle point is the
# scenario as shipped). docs/model.md quotes its tornado.csv for the 2025 scenarios.
#
#   examples/tornado.sh scenarios/list_expansion_2025_10.toml [REPS] [OUT]
#
# Runs 1 + 2 × 12 cells on common random numbers (`chokepoint sweep --design oat`), so each
# effect is a paired difference; tornado.csv ranks the parameters by swing for every metric.
set -euo pipefail
scenario=${1:?usage: examples/tornado.sh SCENARIO [REPS] [OUT]}
reps=${2:-200}
out=${3:-runs/tornado-$(basename "$scenario" .toml)}
cd "$(dirname "$0")/.."
cargo run --release --quiet -- sweep "$scenario" --design oat --reps "$reps" --quiet --out "$out" \
  --param defaults.price.elasticity=0.05:0.15 \
  --param defaults.price.reversion_per_week=0.01:0.03 \
  --param defaults.manufacturer.cover_weeks=2:6 \
  --param defaults.manufacturer.halt_unmet_share=0.25:0.75 \
  --param defaults.manufacturer.price_elasticity=0.025:0.075 \
  --param defaults.manufacturer.substitution_rate_per_year=0.05:0.15 \
  --param defaults.manufacturer.substitution_cap_share=0.15:0.45 \
  --param defaults.manufacturer.substitution_lag_weeks=13:39 \
  --param defaults.manufacturer.firm_cover_sigma=0.2:0.6 \
  --param defaults.manufacturer.catch_up_share=0.1:0.3 \
  --param defaults.producer.supply_elasticity=0.15:0.45 \
  --param exporter.china.licence.review_capacity_per_week=10:30
