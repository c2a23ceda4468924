# Every check passed, then a failing command ends the script with exit 3.
. tests/tools/e2e_checks.sh
ok "the first"
echo "checks: $passed passed, $failed failed"
exit 3
