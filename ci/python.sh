#!/usr/bin/env bash
# The Python module (crates/python, docs/python.md): a venv with pinned packages, the wheel built
# with maturin (release, reusing CARGO_TARGET_DIR), installed, then its pytest suite, which
# compares results with the CLI ($CHOKEPOINT, else a build under the target folder) and runs an
# EMA Workbench experiment. pytest's exit 5 (no tests collected) fails too.
#
#   bash ci/python.sh
#   CHOKEPOINT=target/release/chokepoint PYTHON=python3.11 bash ci/python.sh
set -euo pipefail
cd "$(dirname "$0")/.."

target="$(realpath -m "${CARGO_TARGET_DIR:-target}")"
export CARGO_TARGET_DIR="$target"
venv="${CHOKEPOINT_VENV:-$target/python-venv}"
python="${PYTHON:-python3}"

# The extension crate is not a default workspace member, so .ci/run's clippy does not see it.
cargo clippy -p chokepoint-python --all-targets -- -D warnings

if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
# Every package pinned (crates/python/requirements-ci.txt: maturin, pytest, pandas, pyarrow,
# ema_workbench 2.5.3 and their dependencies, as resolved on CPython 3.11).
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r crates/python/requirements-ci.txt

wheels="$target/wheels-ci"
rm -rf "$wheels"
"$venv/bin/maturin" build --release --quiet --manifest-path crates/python/Cargo.toml --out "$wheels" \
  --interpreter "$venv/bin/python"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$wheels"/chokepoint-*.whl

if [ -z "${CHOKEPOINT:-}" ]; then
  cargo build --release --bin chokepoint
  export CHOKEPOINT="$target/release/chokepoint"
fi

# From outside the source tree, so that the installed wheel is what is tested.
cd crates/python/tests
set +e
"$venv/bin/python" -m pytest -q -p no:cacheprovider .
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "ci/python.sh: pytest collected no tests" >&2
  exit 1
fi
exit "$status"
