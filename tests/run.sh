#!/bin/sh
# Runs every unit test binary and end-to-end script and prints one closing
# line "N passed, N failed" counting every test case.
cd "$(dirname "$0")/.." || exit 70
BUILD=${BUILD:-build}
export TG_BUILD="$BUILD"
passed=0; failed=0; failures=""
log=$(mktemp)
for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    "$t" >"$log" 2>&1
    rc=$?
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\./\1/p' "$log" | tail -n 1)
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s), listed below:/\1/p' "$log" | tail -n 1)
    p=${p:-0}; f=${f:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # crashed or aborted
    passed=$((passed + p)); failed=$((failed + f))
    if [ "$f" -ne 0 ]; then
        failures="$failures $name"
        echo "---- $name (exit $rc)"; tail -n 40 "$log"
    fi
    printf '%-28s %4s passed %4s failed\n' "$name" "$p" "$f"
done
for t in tests/e2e/*.sh; do
    [ -f "$t" ] || continue
    name=$(basename "$t" .sh)
    if sh "$t" >"$log" 2>&1; then
        passed=$((passed + 1)); printf '%-28s %4s passed %4s failed\n' "e2e/$name" 1 0
    else
        failed=$((failed + 1)); failures="$failures e2e/$name"
        echo "---- e2e/$name"; tail -n 40 "$log"
        printf '%-28s %4s passed %4s failed\n' "e2e/$name" 0 1
    fi
done
rm -f "$log"
[ -n "$failures" ] && echo "failing:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
