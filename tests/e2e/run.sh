#!/usr/bin/env bash
# Runs every tests/e2e/test_*.sh (ImageJ end-to-end tests) and summarises them.
#   bash tests/e2e/run.sh [test_name ...]
# Needs: gradle --offline -q build installPlugin (for java-plugin/build/plugins), xvfb-run, java.
# Environment: PLUGINS (plugins folder), E2E_KEEP=1 (keep each test's temporary folder),
# E2E_LOGS (folder for the logs of each test; default: a temporary folder, kept when a test fails).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
export REPO=${REPO:-$(cd "$HERE/../.." && pwd)}
export PLUGINS=${PLUGINS:-$REPO/java-plugin/build/plugins}
LOGS=${E2E_LOGS:-$(mktemp -d "${TMPDIR:-/tmp}/segtrain-e2e-logs.XXXXXX")}
mkdir -p "$LOGS"

if [ $# -gt 0 ]; then
    tests=()
    for name in "$@"; do tests+=("$HERE/${name%.sh}.sh"); done
else
    tests=("$HERE"/test_*.sh)
fi

passed=0
failed=0
for test in "${tests[@]}"; do
    name=$(basename "$test" .sh)
    log=$LOGS/$name.log
    start=$(date +%s)
    bash "$test" >"$log" 2>&1
    rc=$?
    if [ "$rc" -eq 0 ]; then
        echo "PASS $name ($(( $(date +%s) - start ))s)"
        passed=$((passed + 1))
    else
        reason=$(sed -n 's/^REASON: //p' "$log" | tail -n 1)
        [ -n "$reason" ] || reason="exit code $rc, no reason given"
        echo "FAIL $name ($reason; log: $log)"
        failed=$((failed + 1))
    fi
done
echo "e2e: $passed passed, $failed failed"
if [ "$failed" -eq 0 ] && [ -z "${E2E_LOGS:-}" ]; then rm -rf "$LOGS"; fi
[ "$failed" -eq 0 ]
