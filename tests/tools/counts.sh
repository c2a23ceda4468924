# counts.sh: how tests/run.sh and tests/valgrind.sh run a test and count
# its cases (sourced, POSIX sh). tests/e2e/runner.sh proves each rule on
# the deliberate bad examples in tests/selftest.
#
# After unit_counts or e2e_counts: p, f and s are the cases passed, failed
# and skipped; why says what went wrong beyond the failed cases (empty
# when nothing did); skips names the skipped cases, one a line.

# The run's totals (tally adds to them; closing prints them).
all_p=0; all_f=0; all_s=0; failing=""; skiplist=""

# time_limit unit|e2e FILE: the seconds FILE may run. TG_TEST_TIMEOUT sets
# every test's; otherwise a script may ask for more than the default with
# a line "# time limit: N s", and the defaults are TG_UNIT_TIMEOUT (300)
# and TG_E2E_TIMEOUT (600); those three are multiplied by
# TG_TIMEOUT_SCALE (1; tests/valgrind.sh raises it).
time_limit() {
    if [ -n "${TG_TEST_TIMEOUT:-}" ]; then echo "$TG_TEST_TIMEOUT"; return; fi
    if [ "$1" = unit ]; then lim=${TG_UNIT_TIMEOUT:-300}
    else
        lim=$(sed -n 's/^# time limit: \([0-9][0-9]*\) s$/\1/p' "$2" | head -n 1)
        [ -n "$lim" ] && [ "$lim" -gt "${TG_E2E_TIMEOUT:-600}" ] || lim=${TG_E2E_TIMEOUT:-600}
    fi
    echo $((lim * ${TG_TIMEOUT_SCALE:-1}))
}

# run_limited SECONDS LOG CMD...: runs CMD, stdin from /dev/null, stdout
# and stderr into LOG; after SECONDS its whole process group gets TERM, 10 s
# later KILL. Sets rc, secs (how long it ran) and timed_out (1 when it was
# stopped). stop_running, from a runner's INT/TERM trap, stops it early.
run_limited() {
    lim=$1; out=$2; shift 2
    t0=$(date +%s)
    timeout -k 10 "$lim" "$@" </dev/null >"$out" 2>&1 &
    running=$!
    [ -z "${pidfile:-}" ] || echo "$running" >"$pidfile"
    wait "$running"; rc=$?
    running=
    secs=$(($(date +%s) - t0))
    timed_out=0
    if [ "$rc" = 124 ] || { [ "$rc" = 137 ] && [ "$secs" -ge "$lim" ]; }; then
        timed_out=1
    fi
}
stop_running() { [ -z "${running:-}" ] || kill -TERM "$running" 2>/dev/null; }

# pool_add KIND FILE: one test for pool_run, KIND unit (a cmocka binary)
# or e2e (a script). pool_run DIR: runs the tests added, up to JOBS at
# once (default 1), each through run_limited into DIR, and counts and
# tallies each in the order added as soon as it and those before it are
# done, so the lines and the totals read as a run one at a time. A script
# with a line "# run alone" (one that times its kills or races writers)
# starts when nothing else runs, and nothing starts beside it; a test done
# waits for those before it to be tallied, but frees its place at once. stop_pool
# DIR, from a runner's INT/TERM trap, stops every test still running.
pool_n=0
pool_add() {
    eval "pool_kind_$pool_n=\$1; pool_file_$pool_n=\$2"
    pool_n=$((pool_n + 1))
}
pool_run() { # pool_run DIR
    pool_next=0; pool_done=0; pool_alone=-1
    while [ "$pool_done" -lt "$pool_n" ]; do
        if [ "$pool_done" -lt "$pool_next" ] && [ -f "$1/$pool_done.meta" ]; then
            pool_finish "$1" "$pool_done"
            pool_done=$((pool_done + 1))
        elif pool_may_start "$1"; then
            pool_start "$1" "$pool_next" "$pk" "$pf"
            pool_next=$((pool_next + 1))
        else
            sleep 0.2
        fi
    done
}
# pool_may_start DIR: whether the next test may start now (sets pk, pf).
pool_may_start() {
    [ "$pool_next" -lt "$pool_n" ] || return 1
    pool_busy=0; i=$pool_done
    while [ "$i" -lt "$pool_next" ]; do
        [ -f "$1/$i.meta" ] || pool_busy=$((pool_busy + 1))
        i=$((i + 1))
    done
    [ "$pool_busy" -lt "${JOBS:-1}" ] || return 1
    [ "$pool_alone" -lt "$pool_done" ] || [ -f "$1/$pool_alone.meta" ] || return 1
    eval "pk=\$pool_kind_$pool_next; pf=\$pool_file_$pool_next"
    if [ "$pk" = e2e ] && grep -q '^# run alone$' "$pf"; then
        [ "$pool_busy" -eq 0 ] || return 1
        pool_alone=$pool_next
    fi
    return 0
}
pool_start() { # pool_start DIR N KIND FILE
    lim=$(time_limit "$3" "$4")
    (
        trap - INT TERM
        pidfile=$1/$2.pid
        if [ "$3" = unit ]; then run_limited "$lim" "$1/$2.log" "$4"
        else run_limited "$lim" "$1/$2.log" sh "$4"; fi
        echo "$rc $secs $timed_out $lim" >"$1/$2.meta"
    ) &
    eval "pool_pid_$2=\$!"
}
pool_finish() { # pool_finish DIR N
    eval "wait \$pool_pid_$2; pk=\$pool_kind_$2; pf=\$pool_file_$2"
    read -r rc secs timed_out lim <"$1/$2.meta" 2>/dev/null ||
        { rc=70; secs=0; timed_out=0; lim=0; }
    log=$1/$2.log
    if [ "$pk" = unit ]; then
        unit_counts "$log" "$rc" "$timed_out" "$lim"; pname=$(basename "$pf")
    else
        e2e_counts "$log" "$rc" "$timed_out" "$lim"; pname=e2e/$(basename "$pf" .sh)
    fi
    tally "$pname" "$secs"
    rm -f "$log" "$1/$2.meta" "$1/$2.pid"
}
stop_pool() { # stop_pool DIR
    for pf in "$1"/*.pid; do
        [ -f "$pf" ] && kill -TERM "$(cat "$pf")" 2>/dev/null
    done
    return 0
}

# sum_of LOG SED-PATTERN: the sum of the numbers the pattern's \1 picks.
sum_of() {
    sed -n "s/$2/\1/p" "$1" | awk '{ s += $1 } END { print s + 0 }'
}

# unit_counts LOG RC [TIMED_OUT SECONDS]: a cmocka binary's cases from its
# own lines, summed over its groups: "Running N test(s)." declares N;
# "[  PASSED  ] N", "[  FAILED  ] N ..., listed below:" and
# "[  SKIPPED ] N ..., listed below:" report them. A declared test that
# reports nothing (the binary exited or crashed before its summary, a
# setup failed: cmocka lists those as errors, in no count) is a failed
# one; so is, once, a binary that declares no test, whose run count
# differs from its declared count, that exits non-zero or that timed out.
unit_counts() {
    declared=$(sum_of "$1" '^\[==========\] Running \([0-9][0-9]*\) test(s)\.$')
    ran=$(sum_of "$1" '^\[==========\] \([0-9][0-9]*\) test(s) run\.$')
    p=$(sum_of "$1" '^\[  PASSED  \] \([0-9][0-9]*\) test(s)\.$')
    f=$(sum_of "$1" '^\[  FAILED  \] \([0-9][0-9]*\) test(s), listed below:$')
    s=$(sum_of "$1" '^\[  SKIPPED \] \([0-9][0-9]*\) test(s), listed below:$')
    skips=$(sed -n 's/^\[  SKIPPED \] \(.*[^:]\)$/\1/p' "$1" | sort -u)
    why=""
    missing=$((declared - p - f - s))
    if [ "$declared" -eq 0 ]; then
        why="declared no test (no cmocka 'Running N test(s).' line)"
        f=$((f + 1))
    elif [ "$missing" -gt 0 ]; then
        why="$missing of $declared declared tests missing from the summary ($ran run)"
        last=$(sed -n 's/^\[ RUN      \] //p' "$1" | tail -n 1)
        [ "$ran" -ge "$declared" ] || [ -z "$last" ] || why="$why; the last one started: $last"
        f=$((f + missing))
    elif [ "$missing" -lt 0 ] || [ "$ran" -ne "$declared" ]; then
        why="declared $declared tests, ran $ran, reported $((p + f + s))"
        f=$((f + 1))
    fi
    if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then why="exit $2 with no failed test"; f=1; fi
    timed_why "${3:-0}" "${4:-}"
}

# e2e_counts LOG RC [TIMED_OUT SECONDS]: a script's checks. It prints
# "ok   NAME", "FAIL NAME" or "SKIP NAME" for each (tests/tools/
# e2e_checks.sh) and closes with "checks: N passed, N failed" (and ", N
# skipped" when any was). No closing line is a failure (its printed checks
# still count); so is a closing line that disagrees with the printed checks
# (only the passes both show count), one that counts no check, a non-zero
# exit with no failed check, and a time-out.
e2e_counts() {
    line=$(grep -E '^checks: [0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$1" | tail -n 1)
    n_ok=$(grep -c '^ok   ' "$1"); n_bad=$(grep -c '^FAIL ' "$1")
    n_skip=$(grep -c '^SKIP ' "$1")
    skips=$(sed -n 's/^SKIP //p' "$1")
    why=""
    if [ -z "$line" ]; then
        p=$n_ok; f=$((n_bad + 1)); s=$n_skip
        why="no closing 'checks:' line"
    else
        p=$(echo "$line" | sed 's/^checks: \([0-9]*\) passed.*/\1/')
        f=$(echo "$line" | sed 's/^[^,]*, \([0-9]*\) failed.*/\1/')
        s=$(echo "$line" | sed -n 's/.* failed, \([0-9]*\) skipped$/\1/p')
        s=${s:-0}
        if [ "$p" != "$n_ok" ] || [ "$f" != "$n_bad" ] || [ "$s" != "$n_skip" ]; then
            why="the closing line counts $p passed, $f failed, $s skipped; the script printed $n_ok ok, $n_bad FAIL, $n_skip SKIP"
            [ "$n_ok" -lt "$p" ] && p=$n_ok
            [ "$n_bad" -gt "$f" ] && f=$n_bad
            [ "$n_skip" -gt "$s" ] && s=$n_skip
            f=$((f + 1))
        elif [ $((p + f + s)) -eq 0 ]; then
            why="no check ran"; f=1
        fi
    fi
    if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then why="exit $2 with no failed check"; f=1; fi
    timed_why "${3:-0}" "${4:-}"
}

# A time-out is a failure, and says so first.
timed_why() { # timed_why TIMED_OUT SECONDS
    [ "$1" = 1 ] || return 0
    why="timed out after $2 s${why:+; $why}"
    [ "$f" -gt 0 ] || f=1
}

# tally NAME [SECONDS]: adds a test's counts (after unit_counts or
# e2e_counts) to the run's, prints its line and, when it failed, why and
# the end of its output ($log) but for the passed checks.
tally() {
    all_p=$((all_p + p)); all_f=$((all_f + f)); all_s=$((all_s + s))
    if [ "$f" -ne 0 ]; then
        failing="$failing $1"
        echo "---- $1 (exit $rc${why:+; $why})"
        grep -v '^ok   \|^\[       OK \]' "$log" | tail -n 60 | sed 's/^/  /'
    fi
    if [ -n "$skips" ]; then
        skiplist="$skiplist$(echo "$skips" | sed "s|^|skipped: $1: |")
"
    fi
    printf '%-28s %4s passed %4s failed' "$1" "$p" "$f"
    [ "$s" -eq 0 ] || printf ' %4s skipped' "$s"
    [ -z "${2:-}" ] || printf ' %5ss' "$2"
    [ -z "$why" ] || printf '  (%s)' "$why"
    printf '\n'
}

# closing: the failing tests' names, one "skipped: TEST: CASE" line per
# skipped case, and the closing line .ci/run reads: "N passed, N failed",
# plus ", N skipped" when any case was skipped. Returns the verdict.
closing() {
    [ -z "$failing" ] || echo "failing:$failing"
    printf '%s' "$skiplist"
    if [ "$all_s" -gt 0 ]; then echo "$all_p passed, $all_f failed, $all_s skipped"
    else echo "$all_p passed, $all_f failed"; fi
    [ "$all_f" -eq 0 ]
}
