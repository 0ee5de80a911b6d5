#!/usr/bin/env bash
# Self-test of the browser check (docs/reports.md, "Checking a report in a real browser"): the
# good fixture must pass, and each bad fixture must fail with the message of its defect and no
# other problem than the ones listed. Run by ci/browser.sh before any report; needs
# ci/browser/node_modules (npm ci) and /usr/bin/chromium, which ci/browser.sh installs.
# Exit codes: 0 the check behaves; 1 it does not; 3 the browser could not be started.
set -uo pipefail
cd "$(dirname "$0")/../.."
fixtures="tests/fixtures/report_html"
shots="${CHOKEPOINT_BROWSER_SHOTS:-$(mktemp -d)}"

# fixture | problems expected | a message each bad fixture must show (grep -E)
cases=(
  "good.html|0|"
  "bad-console-error.html|1|console error: report: no data for series exports_t/ndfeb"
  "bad-page-error.html|1|uncaught page error: Cannot read properties of null"
  "bad-axes-only.html|1|chart \"Dysprosium oxide price relative to base[^\"]*\" has no marks"
  "bad-table-cell.html|5|text overflows its box: <td> \"Chance that some importing firm halts\" in table \"What the model expects"
  "bad-svg-text.html|1|chart \"Dysprosium[^\"]*\": SVG text outside its [0-9]+x[0-9]+ px box: \"Dysprosium oxide price relative to its"
  "bad-network.html|2|network: the page requested https://fonts.example.invalid/"
  "bad-blank.html|2|blank screenshot .*bad-blank.png: 1 distinct colour"
  "bad-wide-page.html|1|page wider than the 794 px \\(A4\\) viewport: [0-9]+ px; <svg> in chart \"Share of importing firms halted each week\""
  "bad-nan.html|2|chart \"Dysprosium[^\"]*\": non-finite coordinates in 1 element"
)

files=()
for c in "${cases[@]}"; do files+=("$fixtures/${c%%|*}"); done
started=$SECONDS
out="$(node ci/browser/check.mjs --screenshots "$shots" "${files[@]}" 2>&1)"
rc=$?
if [[ $rc -ne 0 && $rc -ne 1 ]]; then
  echo "$out" >&2
  echo "selftest: the check exited $rc (expected 1: the bad fixtures fail)" >&2
  exit "$rc"
fi

passed=0
failed=0
fail() { echo "selftest: FAIL $1" >&2; failed=$((failed + 1)); }
for c in "${cases[@]}"; do
  IFS='|' read -r name count pattern <<<"$c"
  file="$fixtures/$name"
  if [[ $count -eq 0 ]]; then
    if grep -qF "ci/browser: PASS $file:" <<<"$out"; then passed=$((passed + 1)); else fail "$name should pass"; fi
    continue
  fi
  if ! grep -qF "ci/browser: FAIL $file: $count problem(s)" <<<"$out"; then
    fail "$name should fail with exactly $count problem(s)"
  elif ! grep -F -- "  - $file: " <<<"$out" | grep -qE -- "$pattern"; then
    fail "$name should say: $pattern"
  else
    passed=$((passed + 1))
  fi
done

# Usage errors exit 2 before any browser starts.
node ci/browser/check.mjs "$fixtures/no-such-report.html" >/dev/null 2>&1
if [[ $? -eq 2 ]]; then passed=$((passed + 1)); else fail "a missing file should exit 2"; fi
node ci/browser/check.mjs --no-such-flag "$fixtures/good.html" >/dev/null 2>&1
if [[ $? -eq 2 ]]; then passed=$((passed + 1)); else fail "an unknown flag should exit 2"; fi

if [[ $failed -ne 0 ]]; then
  echo "$out" >&2
fi
echo "selftest: screenshots and PDFs in $shots ($((SECONDS - started)) s)"
echo "selftest: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
