#!/usr/bin/env bash
# One-at-a-time sensitivity (tornado) of a scenario's headline outputs to the behavioural
# parameters, each moved ±50 % (the substitution trigger ±25 %; the supply elasticity, calibrated
# at 0, from 0 to 0.3, its pre-calibration value) around its
# shipped value in scenarios/common/behaviour.toml (calibrated on 2010-2012) or baseline_2024.toml,
# so the middle point is the scenario as shipped. Update the ranges when those values change. docs/model.md quotes its tornado.csv for the 2025 scenarios.
#
#   examples/tornado.sh scenarios/list_expansion_2025_10.toml [REPS] [OUT]
#
# Runs 1 + 2 × 14 cells on common random numbers (`chokepoint sweep --design oat`), so each
# effect is a paired difference; tornado.csv ranks the parameters by swing for every metric.
set -euo pipefail
scenario=${1:?usage: examples/tornado.sh SCENARIO [REPS] [OUT]}
reps=${2:-200}
out=${3:-runs/tornado-$(basename "$scenario" .toml)}
cd "$(dirname "$0")/.."
cargo run --release --quiet -- sweep "$scenario" --design oat --reps "$reps" --quiet --out "$out" \
  --param defaults.price.elasticity=0.2289:0.6866 \
  --param defaults.price.reversion_per_week=0.0027:0.0081 \
  --param defaults.manufacturer.cover_weeks=2:6 \
  --param defaults.manufacturer.halt_unmet_share=0.25:0.75 \
  --param defaults.manufacturer.price_elasticity=0.2084:0.6253 \
  --param defaults.manufacturer.substitution_rate_per_year=0.25:0.75 \
  --param defaults.manufacturer.substitution_cap_share=0.257:0.771 \
  --param defaults.manufacturer.substitution_lag_weeks=13:39 \
  --param defaults.manufacturer.firm_cover_sigma=0.2:0.6 \
  --param defaults.manufacturer.catch_up_share=0.1:0.3 \
  --param defaults.producer.supply_elasticity=0:0.3 \
  --param defaults.manufacturer.substitution_trigger_price_ratio=2.689:4.482 \
  --param defaults.manufacturer.stock_building_response=3:9 \
  --param exporter.china.licence.review_capacity_per_week=10:30
