# counts.sh: how tests/run.sh and tests/valgrind.sh count a test's cases
# (sourced; each sets p and f, the cases passed and failed).

# unit_counts LOG RC: a cmocka binary's summary lines; one that exits
# non-zero without a FAILED line (a crash, an abort) is one failure.
unit_counts() {
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\./\1/p' "$1" | tail -n 1)
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s), listed below:/\1/p' "$1" | tail -n 1)
    p=${p:-0}; f=${f:-0}
    if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
}

# e2e_counts LOG RC: a script that counts its checks ("checks: N passed,
# N failed") adds them all; any other script is one test. A non-zero exit
# with no failed check is one failure.
e2e_counts() {
    line=$(grep -E '^checks: [0-9]+ passed, [0-9]+ failed$' "$1" | tail -n 1)
    if [ -n "$line" ]; then
        p=$(echo "$line" | sed 's/checks: \([0-9]*\) passed.*/\1/')
        f=$(echo "$line" | sed 's/.*passed, \([0-9]*\) failed/\1/')
    elif [ "$2" -eq 0 ]; then p=1; f=0
    else p=0; f=1; fi
    if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
}
