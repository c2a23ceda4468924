# Checks in a pipeline's subshell: printed, but their counts are lost.
. tests/tools/e2e_checks.sh
ok "the first"
printf 'a\nb\n' | while read -r x; do check "in the loop: $x" 0; done
finish
