# One check passed, one that could not run here.
. tests/tools/e2e_checks.sh
ok "the first"
skip "frobnicate: the frobnicator is not installed"
finish
