#!/usr/bin/env bash
# Reruns the shipped 2010 calibration with the release binary and checks that it chooses exactly
# the values stored in scenarios/calibration/calibrated_2010.toml (which scenarios/common/
# behaviour.toml holds; tests/validation.rs checks that). Comment lines (version, hashes) are not
# compared: the calibration hash covers the resolved scenario, whose behavioural defaults are the
# very values the search overrides. About a minute on two cores.
# Usage: CHOKEPOINT=path/to/chokepoint bash ci/calibration/reproduce.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="${CHOKEPOINT:-target/release/chokepoint}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
"$bin" calibrate scenarios/calibration/calibration_2010.toml --out "$out/cal" --quiet >/dev/null
strip() { grep -v '^#' "$1"; }
if diff <(strip scenarios/calibration/calibrated_2010.toml) <(strip "$out/cal/calibrated.toml"); then
  echo "calibration reproduces its stored values"
else
  echo "calibration_2010 chose other values than scenarios/calibration/calibrated_2010.toml (diff above)" >&2
  exit 1
fi
