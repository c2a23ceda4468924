#!/bin/sh
# Runs the whole suite under Valgrind's memcheck: every unit test binary in
# $BUILD/tests and every end-to-end script, the scripts through wrappers
# (TG_BUILD=$BUILD/valgrind/bin) that exec trendguard and trendguard-train
# under valgrind; children they exec (the first run's trainer) are traced
# too. Each process writes its own log under $BUILD/valgrind/logs; a test
# fails when it fails on its own or when any of its processes reports a
# memory error or a definite or indirect leak. Processes the tests kill -9
# on purpose (crash.sh) leave a log without a summary: not counted.
#   VG_ONLY=PATTERN   only the tests whose name matches (grep -E)
#   VG_DIR=DIR        wrappers and logs (default $BUILD/valgrind; relative)
#   TG_E2E_SLOW=N     the e2e scripts' screen waits times N (default 8)
#   CRASH_RUNS=N      kills per command in crash.sh (default 1)
#   TG_TIMEOUT_SCALE=N each test's time limit (tests/tools/counts.sh)
#                     times N (default 10)
# TG_E2E_VALGRIND=1 tells terminals.sh to leave out Ctrl-Z (valgrind does
# not stop on a terminal's SIGTSTP).
# Prints one line per test, counted as tests/run.sh counts them, and ends
# with "N passed, N failed" (", N skipped" when any case was skipped).
cd "$(dirname "$0")/.." || exit 70
. tests/tools/counts.sh
BUILD=${BUILD:-build}
ROOT=$PWD
VG=${VG_DIR:-$BUILD/valgrind}   # relative: the e2e scripts prefix $PWD
rm -rf "$VG"
mkdir -p "$VG/bin" "$VG/logs" || exit 74
LOGS=$ROOT/$VG/logs
command -v valgrind >/dev/null 2>&1 ||
    { echo "valgrind is missing: apt-get install valgrind"; echo "0 passed, 1 failed"; exit 1; }

# --soname-synonyms=somalloc=nouserintercepts: test_oom defines its own
# malloc (its allocation-failure shim, which forwards to libc's); memcheck
# must replace libc's allocator under it, not the shim itself.
# --trace-children: the app's first run execs trendguard-train; the skip
# list keeps the shells and tools that unit tests run (rm -rf) untraced.
VG_OPTS="--tool=memcheck --leak-check=full --errors-for-leak-kinds=definite,indirect \
--error-exitcode=99 --suppressions=$ROOT/tests/valgrind.supp \
--soname-synonyms=somalloc=nouserintercepts --num-callers=30 \
--trace-children=yes --trace-children-skip=/bin/*,/usr/bin/*,/usr/sbin/*,/sbin/* \
--child-silent-after-fork=yes"
for prog in trendguard trendguard-train; do
    cat >"$VG/bin/$prog" <<EOF
#!/bin/sh
exec valgrind $VG_OPTS --log-file="$LOGS/\${TG_VG_TEST:-$prog}.$prog.%p.log" "$ROOT/$BUILD/$prog" "\$@"
EOF
    chmod +x "$VG/bin/$prog"
done
export TG_E2E_SLOW=${TG_E2E_SLOW:-8} TG_E2E_VALGRIND=1
# Set here so that trendguard-train does not start itself again to set it.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
export CRASH_RUNS=${CRASH_RUNS:-1}
export TG_TIMEOUT_SCALE=${TG_TIMEOUT_SCALE:-10}
unset CMOCKA_MESSAGE_OUTPUT CMOCKA_XML_FILE CMOCKA_TEST_ABORT
# A transaction takes many times longer under memcheck: concurrent writers
# (concurrency.sh) wait for each other up to 2 minutes instead of 5 s.
export TRENDGUARD_BUSY_TIMEOUT_MS=${TRENDGUARD_BUSY_TIMEOUT_MS:-120000}

log=$(mktemp)
trap 'stop_running; rm -f "$log"; exit 130' INT TERM
t_all=$(date +%s)
# memcheck NAME: 0 when none of NAME's logs reports an error; prints the
# first errors of those that do. A process the test kills with a signal on
# purpose (terminals.sh: SIGTERM, SIGSEGV) dies wherever its threads were:
# what they held then is not a leak, so only its memory errors count.
memcheck() {
    bad=0
    for l in "$LOGS/$1".*.log; do
        [ -f "$l" ] || continue
        n=$(sed -n 's/^==[0-9]*== ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$l" | tail -n 1)
        if [ -n "$n" ] && grep -q '^==[0-9]*== Process terminating with default action' "$l"; then
            n=$(grep -c '^==[0-9]*== \(Invalid\|Conditional jump\|Use of uninitialised\|Syscall param\|Mismatched\|Source and destination\|Jump to\)' "$l")
        fi
        [ -z "$n" ] || [ "$n" = 0 ] && continue
        bad=$((bad + 1))
        echo "---- memcheck: $n errors in $l"
        sed -n '/^==[0-9]*== .*\(Invalid\|uninitialised\|Mismatched\|definitely lost in\|indirectly lost in\|overlap\|Syscall param\|Jump to\)/,/^==[0-9]*== *$/p' "$l" |
            head -n 80
    done
    [ "$bad" = 0 ]
}
selected() { [ -z "${VG_ONLY:-}" ] || echo "$1" | grep -Eq -- "$VG_ONLY"; }

for t in "$BUILD"/tests/test_*; do
    [ -f "$t" ] && [ -x "$t" ] || continue
    name=$(basename "$t")
    selected "$name" || continue
    lim=$(time_limit unit "$t")
    run_limited "$lim" "$log" valgrind $VG_OPTS --log-file="$LOGS/$name.%p.log" "$t"
    unit_counts "$log" "$rc" "$timed_out" "$lim"   # memcheck's errors exit 99: counted
    memcheck "$name" || { [ "$f" -eq 0 ] && f=1; why="${why:+$why; }memcheck errors"; }
    tally "$name" "$secs"
done
for t in tests/e2e/*.sh; do
    [ -f "$t" ] || continue
    name=e2e-$(basename "$t" .sh)
    selected "$name" || continue
    lim=$(time_limit e2e "$t")
    run_limited "$lim" "$log" env TG_VG_TEST="$name" TG_BUILD="$VG/bin" sh "$t"
    e2e_counts "$log" "$rc" "$timed_out" "$lim"
    memcheck "$name" || { f=$((f + 1)); why="${why:+$why; }memcheck errors"; }
    tally "$name" "$secs"
done
rm -f "$log"
echo "memcheck logs: $VG/logs ($(ls "$LOGS" | wc -l) processes, $(($(date +%s) - t_all)) s)"
closing
