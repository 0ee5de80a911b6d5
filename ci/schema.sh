#!/usr/bin/env bash
# The editor set-up, tried for real (docs/scenarios.md, "Editor support"): taplo, the TOML engine
# of VS Code's Even Better TOML, run with the repository's .taplo.toml over every shipped input
# file (scenarios, strategies, the benchmark suite, calibration files, the frozen bench
# workloads) must report no error; then each deliberately wrong file of ci/taplo/wrong/, put at a
# path .taplo.toml maps to its kind, must be refused by schema validation naming the mistake.
#
#   bash ci/schema.sh
#
# taplo comes from npm (@taplo/cli, pinned in ci/taplo/package-lock.json, installed by `npm ci`
# into ci/taplo/node_modules; a single WebAssembly package, no native build).
# Exit codes: 0 passed; 1 a shipped file was refused or a wrong file passed; 3 taplo could not
# be installed.
set -euo pipefail
cd "$(dirname "$0")/.."
here="ci/taplo"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "ci/schema.sh: node and npm absent: installing Debian's nodejs and npm" >&2
  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm; } >/dev/null ||
    { echo "ci/schema.sh: could not install nodejs and npm with apt-get" >&2; exit 3; }
fi
# `npm ci` when the installed modules are not those of the committed lock file.
if ! cmp -s "$here/package-lock.json" "$here/node_modules/.package-lock.json.installed" 2>/dev/null; then
  (cd "$here" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >&2 ||
    { echo "ci/schema.sh: npm ci failed in $here" >&2; exit 3; }
  cp "$here/package-lock.json" "$here/node_modules/.package-lock.json.installed"
fi
taplo="$(realpath "$here/node_modules/.bin/taplo")"
echo "ci/schema.sh: $("$taplo" --version)" >&2

# 1. Every shipped input file, with the repository's .taplo.toml (found from the working folder).
if ! "$taplo" lint --colors never 'scenarios/**/*.toml' 'benches/workloads/*.toml'; then
  echo "ci/schema.sh: FAIL: taplo refused a shipped input file (above)" >&2
  exit 1
fi

# 2. Each wrong file at a path .taplo.toml maps (a copy of the repository's .taplo.toml and
# schemas/ beside it), refused by schema validation with its `expect:` word in the message.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp .taplo.toml "$work/"
cp -r schemas "$work/"
cp -r "$here/wrong/scenarios" "$work/"
failed=0
while IFS= read -r file; do
  rel="${file#"$work"/}"
  expect="$(sed -n 's/.*expect: //p' "$file" | head -n 1)"
  if out="$(cd "$work" && "$taplo" lint --colors never "$rel" 2>&1)"; then
    echo "ci/schema.sh: FAIL: taplo accepted the wrong file $rel" >&2
    failed=1
  elif ! grep -q 'schema validation failed' <<<"$out" || ! grep -qF -- "$expect" <<<"$out"; then
    echo "ci/schema.sh: FAIL: $rel was refused, but not by the schema naming \`$expect\`:" >&2
    echo "$out" >&2
    failed=1
  else
    echo "ci/schema.sh: refused as it should be: $rel ($expect)" >&2
  fi
done < <(find "$work/scenarios" -name '*.toml' | sort)
if [[ $failed -ne 0 ]]; then
  exit 1
fi
echo "ci/schema.sh: every shipped input file validates; every wrong file is refused" >&2
