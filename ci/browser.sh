#!/usr/bin/env bash
# The real-browser check of HTML reports (docs/reports.md, "Checking a report in a real browser").
# Renders each report in headless Chromium (Debian's chromium, installed here when absent) driven
# by playwright-core (pinned in ci/browser/package-lock.json, installed by `npm ci`; it never
# downloads a browser), takes a full-page screenshot and an A4 PDF, and fails on console errors,
# network fetches, charts without marks, overflowing text and blank screenshots.
#
#   bash ci/browser.sh                                  # the self-test only (ci/browser/selftest.sh)
#   bash ci/browser.sh runs/x/report.html ...            # self-test, then these reports
#   bash ci/browser.sh --screenshots DIR runs/x/report.html
#
# Screenshots (FILE.png) and PDFs (FILE.pdf) go beside each report, or into DIR.
# Exit codes: 0 all passed; 1 a report (or the self-test) failed a check; 2 usage (a bad flag, a
# missing file); 3 the browser or its driver could not be installed or started.
set -euo pipefail
cd "$(dirname "$0")/.."
here="ci/browser"

if [[ ! -x /usr/bin/chromium ]]; then
  echo "ci/browser.sh: /usr/bin/chromium absent: installing Debian's chromium (a few minutes, once)" >&2
  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; } >/dev/null ||
    { echo "ci/browser.sh: could not install chromium with apt-get (run as root?)" >&2; exit 3; }
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "ci/browser.sh: node and npm absent: installing Debian's nodejs and npm" >&2
  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm; } >/dev/null ||
    { echo "ci/browser.sh: could not install nodejs and npm with apt-get" >&2; exit 3; }
fi
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'; then
  echo "ci/browser.sh: node $(node --version) is too old: playwright-core needs node 20 or later" >&2
  exit 3
fi

# `npm ci` when the installed modules are not those of the committed lock file.
if ! cmp -s "$here/package-lock.json" "$here/node_modules/.package-lock.json.installed" 2>/dev/null; then
  (cd "$here" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error) >&2 ||
    { echo "ci/browser.sh: npm ci failed in $here" >&2; exit 3; }
  cp "$here/package-lock.json" "$here/node_modules/.package-lock.json.installed"
fi

bash "$here/selftest.sh"
if [[ $# -gt 0 ]]; then
  exec node "$here/check.mjs" "$@"
fi
