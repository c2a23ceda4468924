#!/bin/sh
# Runs every unit test binary and end-to-end script and prints one closing
# line "N passed, N failed" counting every test case.
cd "$(dirname "$0")/.." || exit 70
. tests/tools/counts.sh
BUILD=${BUILD:-build}
export TG_BUILD="$BUILD"
passed=0; failed=0; failures=""
log=$(mktemp)
for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    "$t" >"$log" 2>&1
    rc=$?
    unit_counts "$log" "$rc"
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
    e2e_counts "$log" "$rc"
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
