#!/usr/bin/env bash
# Every test: Rust unit and integration tests (real libtorch training), JUnit tests of the JNI
# bridge, and end-to-end tests that run real macros in ImageJ under Xvfb.
#   bash scripts/test.sh
# Tests that use ../shared/data skip cleanly when it is absent.
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$REPO/scripts/setup.sh" || { echo "test: setup failed"; exit 1; }
set +e
cd "$REPO"
logs=$(mktemp -d "${TMPDIR:-/tmp}/segtrain-tests.XXXXXX")
passed=0
failed=0
suites_failed=()

echo "== Rust tests (cargo test --release)"
cargo test --release --workspace 2>&1 | tee "$logs/cargo.log" | grep -E "^test result|^test .*FAILED|panicked"
[ "${PIPESTATUS[0]}" -eq 0 ] || suites_failed+=(rust)
read -r p f < <(awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i) ~ /^passed;?$/) p += $(i-1); if ($(i) ~ /^failed;?$/) f += $(i-1) } } END { print p+0, f+0 }' "$logs/cargo.log")
passed=$((passed + p)); failed=$((failed + f))

echo "== Java tests (gradle test)"
gradle --offline -q test 2>&1 | tee "$logs/gradle.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || suites_failed+=(java)
read -r p f < <(cat java-plugin/build/test-results/test/*.xml 2>/dev/null | awk -F'"' '/<testsuite / { for (i = 1; i < NF; i++) { if ($(i) ~ / tests=$/) t += $(i+1); if ($(i) ~ / failures=$/ || $(i) ~ / errors=$/) f += $(i+1) } } END { print t - f, f + 0 }')
passed=$((passed + p)); failed=$((failed + f))
echo "java: $p passed, $f failed"

echo "== End-to-end tests (ImageJ macros under Xvfb)"
bash tests/e2e/run.sh 2>&1 | tee "$logs/e2e.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || suites_failed+=(e2e)
read -r p f < <(sed -n 's/^e2e: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$logs/e2e.log" | tail -n 1)
passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))

echo "logs: $logs"
if [ ${#suites_failed[@]} -gt 0 ] && [ "$failed" -eq 0 ]; then
    failed=1 # a suite failed without a countable test failure (build error, crash)
fi
echo "summary: $passed passed, $failed failed"
[ ${#suites_failed[@]} -eq 0 ] && [ "$failed" -eq 0 ]
