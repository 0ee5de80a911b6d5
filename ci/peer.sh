#!/usr/bin/env bash
# The Python peer (benches/peer/README.md): its own tests, then the agreement check against the
# Rust model on the `small` workload (every headline metric's means within 3 combined standard
# errors, exit 1 otherwise) and the speed ratio. Installs NumPy if absent.
#
#   bash ci/peer.sh                         # CI size: 300 Rust and 60 peer replications
#   PEER_REPS=300 RUST_REPS=1000 bash ci/peer.sh
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -c "import numpy" 2>/dev/null || python3 -m pip install --quiet -r benches/peer/requirements.txt
cargo build --release --bin chokepoint --example dump_params

# The tests skip themselves when dump_params is missing; here it must not be.
out="$(python3 -m unittest benches/peer/test_peer.py -v 2>&1)" || { echo "$out"; exit 1; }
echo "$out" | tail -3
if echo "$out" | grep -q "skipped"; then
  echo "ci/peer.sh: the peer's tests were skipped (dump_params not found under \$CARGO_TARGET_DIR)" >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 benches/peer/compare.py --no-build --reps "${RUST_REPS:-300}" --peer-reps "${PEER_REPS:-60}" \
  --seed 2025 --work "$work"
