#!/bin/sh
# The runner itself (tests/run.sh and tests/tools/counts.sh) on the
# deliberate bad examples in tests/selftest: a cmocka binary that exits 0
# before its summary, one whose setup fails, one that skips a test, one
# that exits 1 after passing, one with no output, one that hangs; e2e
# scripts without a closing line, with a skip, with counts lost in a
# subshell, with no check, with a bad exit, that hang. Each must count as
# what it is (a failure, or a skip reported by name), a hang must be
# stopped at its time limit (TG_TEST_TIMEOUT=2) and named, and a whole
# run.sh over them must say so in its closing line and exit status; a run
# over the passing ones alone must end "N passed, 0 failed" and exit 0.
# Several tests at once (TG_TEST_JOBS) print the same as one at a time,
# and a script marked "# run alone" overlaps no other.
# One "ok"/"FAIL" line per check; the last line counts them.
set -u
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
trap 'exit 143' INT TERM
. tests/tools/e2e_checks.sh
. tests/tools/counts.sh
ST=$PWD/tests/selftest
TG_TEST_TIMEOUT=2

# counted unit|e2e FILE: runs it the way run.sh does; sets p f s why skips.
counted() {
    lim=$(time_limit "$1" "$ST/$2")
    if [ "$1" = unit ]; then
        run_limited "$lim" "$W/log" "$ST/$2"
        unit_counts "$W/log" "$rc" "$timed_out" "$lim"
    else
        run_limited "$lim" "$W/log" sh "$ST/$2"
        e2e_counts "$W/log" "$rc" "$timed_out" "$lim"
    fi
}
# expect KIND FILE WHAT P F S WHY: FILE counts P passed, F failed, S
# skipped, and why it failed says WHY (a pattern; empty: says nothing).
expect() {
    counted "$1" "$2"
    got="$p passed, $f failed, $s skipped"
    want="$4 passed, $5 failed, $6 skipped"
    if [ -z "$7" ]; then [ -z "$why" ]; else echo "$why" | grep -q -- "$7"; fi
    wr=$?
    [ "$got" = "$want" ] && [ $wr = 0 ]
    check "$2: $3 ($want)" $? "$got; why: '$why'"
}

expect unit unit_pass "counted as passed" 3 0 0 ""
expect unit unit_early_exit "exit 0 before its summary: the 3 declared tests fail" \
    0 3 0 "3 of 3 declared tests missing from the summary"
expect unit unit_setup_error "a failed setup is missing from every total: one more failure" \
    1 2 1 "1 of 4 declared tests missing"
expect unit unit_skip "a skipped test is counted as skipped" 1 0 1 ""
[ "$skips" = test_needs_locale ]; check "unit_skip: the skipped test is named" $? "'$skips'"
expect unit unit_exit_after_summary "exit 1 after a full summary fails" 1 1 0 "exit 1"
expect unit unit_silent "no cmocka output fails" 0 1 0 "declared no test"
expect unit unit_hang "a hang is stopped, fails and names the test it hung in" 0 2 0 \
    "^timed out after 2 s.*the last one started: test_waits_forever"
[ "$secs" -lt 10 ]; check "unit_hang: stopped at its limit, not at the end of its sleep" $? "$secs s"

expect e2e e2e_pass.sh "counted as passed" 2 0 0 ""
expect e2e e2e_no_closing.sh "no closing line fails" 1 1 0 "no closing 'checks:' line"
expect e2e e2e_skip.sh "a skipped check is counted as skipped" 1 0 1 ""
[ "$skips" = "frobnicate: the frobnicator is not installed" ]
check "e2e_skip.sh: the skipped check is named" $? "'$skips'"
expect e2e e2e_lost_count.sh "a closing line that disagrees with the checks fails" \
    1 1 0 "the script printed 3 ok"
expect e2e e2e_no_checks.sh "no check at all fails" 0 1 0 "no check ran"
expect e2e e2e_bad_exit.sh "exit 3 after passing checks fails" 1 1 0 "exit 3"
expect e2e e2e_hang.sh "a hang is stopped and fails" 1 1 0 "^timed out after 2 s"
[ "$secs" -lt 10 ]; check "e2e_hang.sh: stopped at its limit" $? "$secs s"

# A time limit a script asks for, and the environment's override.
# (In subshells, free of the caller's limits: tests/valgrind.sh scales them.)
printf '# time limit: 1500 s\n' >"$W/long.sh"
limit() { # limit KIND [VAR=VALUE...]: time_limit for long.sh
    (unset TG_TEST_TIMEOUT TG_UNIT_TIMEOUT TG_E2E_TIMEOUT TG_TIMEOUT_SCALE
     k=$1; shift; [ $# = 0 ] || export "$@"; time_limit "$k" "$W/long.sh")
}
[ "$(limit e2e)" = 1500 ]; check "a script's '# time limit: 1500 s' line raises its limit" $?
[ "$(limit e2e TG_E2E_TIMEOUT=2000)" = 2000 ]; check "TG_E2E_TIMEOUT above it wins" $?
[ "$(limit unit)" = 300 ] && [ "$(limit unit TG_UNIT_TIMEOUT=50)" = 50 ]
check "a unit binary gets 300 s, or TG_UNIT_TIMEOUT" $?
[ "$(limit unit TG_TIMEOUT_SCALE=3)" = 900 ]; check "TG_TIMEOUT_SCALE multiplies it" $?
[ "$(limit e2e TG_TEST_TIMEOUT=2 TG_TIMEOUT_SCALE=3)" = 2 ]
check "TG_TEST_TIMEOUT overrides every limit" $?

# The whole runner over the examples: a build folder of fake binaries and
# a folder of fake scripts.
mkdir -p "$W/build/tests" "$W/e2e" "$W/good/tests" "$W/good-e2e"
for u in "$ST"/unit_*; do ln -s "$u" "$W/build/tests/test_$(basename "$u" | sed 's/^unit_//')"; done
for e in "$ST"/e2e_*.sh; do ln -s "$e" "$W/e2e/$(basename "$e" | sed 's/^e2e_//')"; done
: >"$W/build/tests/test_not_executable.d"
TG_TEST_TIMEOUT=2 BUILD=$W/build E2E_DIR=$W/e2e sh tests/run.sh >"$W/all" 2>&1
rc=$?
[ $rc != 0 ]; check "run.sh over the examples exits non-zero" $? "exit $rc"
ON_FAIL='cat "$W/all"'
# The counts above summed: passed 6 (unit) + 7 (e2e), failed 9 + 5,
# skipped 2 + 1.
[ "$(tail -n 1 "$W/all")" = "13 passed, 14 failed, 3 skipped" ]
check "run.sh's closing line counts every case of every example" $? "'$(tail -n 1 "$W/all")'"
grep -q '^failing: test_early_exit test_exit_after_summary test_hang test_setup_error test_silent e2e/bad_exit e2e/hang e2e/lost_count e2e/no_checks e2e/no_closing$' "$W/all"
check "run.sh names every failing example" $? "$(grep '^failing:' "$W/all")"
grep -q '^test_hang .*(timed out after 2 s' "$W/all" && grep -q '^e2e/hang .*(timed out after 2 s' "$W/all"
check "run.sh says which tests timed out, and after how long" $?
grep -qx 'skipped: test_skip: test_needs_locale' "$W/all" &&
    grep -qx 'skipped: test_setup_error: t_skip' "$W/all" &&
    grep -qx 'skipped: e2e/skip: frobnicate: the frobnicator is not installed' "$W/all"
check "run.sh names every skipped case" $? "$(grep '^skipped:' "$W/all" | tr '\n' ' ')"
! grep -q 'not_executable' "$W/all"; check "run.sh runs only executables from the build folder" $?

# Several at once (TG_TEST_JOBS): the same lines in the same order, the
# same closing line and exit status as one at a time.
TG_TEST_TIMEOUT=2 TG_TEST_JOBS=1 BUILD=$W/build E2E_DIR=$W/e2e sh tests/run.sh >"$W/one" 2>&1
rc1=$?
TG_TEST_TIMEOUT=2 TG_TEST_JOBS=4 BUILD=$W/build E2E_DIR=$W/e2e sh tests/run.sh >"$W/four" 2>&1
rc4=$?
untimed() { sed 's/ *[0-9][0-9]*s\( \|$\)/\1/' "$1"; }
[ "$rc1" = "$rc4" ] && [ "$(untimed "$W/one")" = "$(untimed "$W/four")" ]
check "four at a time: the same lines, order and verdict as one at a time" $? \
    "exit $rc1 / $rc4; $(diff "$W/one" "$W/four" | head -n 6 | tr '\n' ' ')"
TG_TEST_JOBS=0 sh tests/run.sh >"$W/out" 2>&1
[ $? = 64 ] && grep -q "TG_TEST_JOBS: a whole number" "$W/out"
check "TG_TEST_JOBS=0 is refused, exit 64" $? "$(cat "$W/out")"
# A script marked "# run alone" runs with nothing beside it; the others
# overlap. Each records when it started and ended.
mkdir -p "$W/pool-e2e" "$W/pool/tests"
for n in 1 2 3 4; do
    { echo 'echo "$(date +%s%N) start" >>"$LOGF.'$n'"'
      [ $n = 3 ] && echo '# run alone'
      echo 'sleep 0.6; echo "ok   slept"; echo "checks: 1 passed, 0 failed"'
      echo 'echo "$(date +%s%N) end" >>"$LOGF.'$n'"'; } >"$W/pool-e2e/s$n.sh"
done
LOGF=$W/times TG_TEST_JOBS=3 BUILD=$W/pool E2E_DIR=$W/pool-e2e sh tests/run.sh >"$W/out" 2>&1
at() { sed -n "s/ $2\$//p" "$W/times.$1"; } # at N start|end
[ "$(tail -n 1 "$W/out")" = "4 passed, 0 failed" ] &&
    [ "$(at 1 start)" -lt "$(at 2 end)" ] && [ "$(at 2 start)" -lt "$(at 1 end)" ]
check "tests run at once: the first two overlap" $? "$(cat "$W/out")"
[ "$(at 3 start)" -gt "$(at 2 end)" ] && [ "$(at 3 start)" -gt "$(at 1 end)" ] &&
    [ "$(at 4 start)" -gt "$(at 3 end)" ]
check "a '# run alone' script starts after the others end, the next after it" $?

ln -s "$ST/unit_pass" "$W/good/tests/test_pass"
ln -s "$ST/e2e_pass.sh" "$W/good-e2e/pass.sh"
BUILD=$W/good E2E_DIR=$W/good-e2e sh tests/run.sh >"$W/all" 2>&1
rc=$?
[ $rc = 0 ] && [ "$(tail -n 1 "$W/all")" = "5 passed, 0 failed" ]
check "run.sh over passing examples: '5 passed, 0 failed', exit 0" $? "exit $rc"

finish
