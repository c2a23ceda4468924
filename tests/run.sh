#!/bin/sh
# Runs every unit test binary ($BUILD/tests/test_*) and end-to-end script
# ($E2E_DIR/*.sh, default tests/e2e), each under a time limit, counts every
# test case and check (tests/tools/counts.sh: a binary that stops before
# its summary, a script without its closing line, a time-out are
# failures), names every skipped case on a line "skipped: TEST: NAME" and
# ends with one line: "N passed, N failed", plus ", N skipped" when any
# case was skipped. Time limits: TG_TEST_TIMEOUT (every test),
# TG_UNIT_TIMEOUT (300 s), TG_E2E_TIMEOUT (600 s), TG_TIMEOUT_SCALE. Each
# test's line says how long it took. TG_TEST_JOBS tests run at once.
cd "$(dirname "$0")/.." || exit 70
. tests/tools/counts.sh
BUILD=${BUILD:-build}
E2E_DIR=${E2E_DIR:-tests/e2e}
export TG_BUILD="$BUILD"
# A sanitized build runs several times slower, and so does a store's
# longest transaction: the 5 s a writer waits for another grows alike
# (tests/valgrind.sh does the same for memcheck).
case "$BUILD" in
*san*) export TRENDGUARD_BUSY_TIMEOUT_MS=${TRENDGUARD_BUSY_TIMEOUT_MS:-30000} ;;
esac
# cmocka's own format, whatever the caller's environment asks for.
unset CMOCKA_MESSAGE_OUTPUT CMOCKA_XML_FILE CMOCKA_TEST_ABORT
# Tests run TG_TEST_JOBS at a time (default: 2 on a machine with two or
# more processors, else 1); their lines still print in this order.
JOBS=${TG_TEST_JOBS:-$( [ "$(nproc 2>/dev/null || echo 1)" -ge 2 ] && echo 2 || echo 1)}
case $JOBS in '' | *[!0-9]* | 0) echo "TG_TEST_JOBS: a whole number of at least 1, not '$JOBS'"; exit 64 ;; esac
logs=$(mktemp -d) || exit 73
trap 'stop_pool "$logs"; rm -rf "$logs"; exit 130' INT TERM
for t in "$BUILD"/tests/test_*; do
    [ -f "$t" ] && [ -x "$t" ] && pool_add unit "$t"
done
for t in "$E2E_DIR"/*.sh; do
    [ -f "$t" ] && pool_add e2e "$t"
done
pool_run "$logs"
rm -rf "$logs"
closing
