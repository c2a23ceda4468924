# A closing line that counts no check (every check left out by mistake).
. tests/tools/e2e_checks.sh
finish
