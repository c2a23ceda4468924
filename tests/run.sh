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
    sh "$t" >"$log" 2>&1
    rc=$?
    # A script that counts its checks ("checks: N passed, N failed") adds
    # them all; any other script is one test.
    line=$(grep -E '^checks: [0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
    if [ -n "$line" ]; then
        p=$(echo "$line" | sed 's/checks: \([0-9]*\) passed.*/\1/')
        f=$(echo "$line" | sed 's/.*passed, \([0-9]*\) failed/\1/')
    elif [ "$rc" -eq 0 ]; then p=1; f=0
    else p=0; f=1; fi
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    passed=$((passed + p)); failed=$((failed + f))
    if [ "$f" -ne 0 ]; then
        failures="$failures e2e/$name"
        echo "---- e2e/$name"; grep -v '^ok ' "$log" | tail -n 60
    fi
    printf '%-28s %4s passed %4s failed\n' "e2e/$name" "$p" "$f"
done
rm -f "$log"
[ -n "$failures" ] && echo "failing:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
