#!/bin/sh
# Runs every unit test binary ($BUILD/tests/test_*) and end-to-end script
# ($E2E_DIR/*.sh, default tests/e2e), each under a time limit, counts every
# test case and check (tests/tools/counts.sh: a binary that stops before
# its summary, a script without its closing line, a time-out are
# failures), names every skipped case on a line "skipped: TEST: NAME" and
# ends with one line: "N passed, N failed", plus ", N skipped" when any
# case was skipped. Time limits: TG_TEST_TIMEOUT (every test),
# TG_UNIT_TIMEOUT (300 s), TG_E2E_TIMEOUT (600 s), TG_TIMEOUT_SCALE. Each
# test's line says how long it took.
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
log=$(mktemp)
trap 'stop_running; rm -f "$log"; exit 130' INT TERM
for t in "$BUILD"/tests/test_*; do
    [ -f "$t" ] && [ -x "$t" ] || continue
    lim=$(time_limit unit "$t")
    run_limited "$lim" "$log" "$t"
    unit_counts "$log" "$rc" "$timed_out" "$lim"
    tally "$(basename "$t")" "$secs"
done
for t in "$E2E_DIR"/*.sh; do
    [ -f "$t" ] || continue
    lim=$(time_limit e2e "$t")
    run_limited "$lim" "$log" sh "$t"
    e2e_counts "$log" "$rc" "$timed_out" "$lim"
    tally "e2e/$(basename "$t" .sh)" "$secs"
done
rm -f "$log"
closing
