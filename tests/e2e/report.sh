#!/bin/sh
# End to end for `trendguard report`: on a demo store with a model, scores
# and decided nudges, and on the real Online Retail sample, the terminal
# report, --json (valid JSON with the figures) and --html (one
# self-contained page with its charts) all succeed; the exit codes of the
# command-line contract. One "ok"/"FAIL" line per check; the last line
# counts them.
set -u
BUILD=${TG_BUILD:-build}
TG=$PWD/$BUILD/trendguard
TRAIN=$PWD/$BUILD/trendguard-train
RETAIL=${TG_RETAIL_SAMPLE:-$PWD/../shared/datasets/online_retail_sample.csv}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
trap 'exit 143' INT TERM
. tests/tools/e2e_checks.sh
need sqlite3
exits() { # exits NAME EXPECTED_EXIT ACTUAL_EXIT
    if [ "$2" = "$3" ]; then ok "$1: exit $2"
    else bad "$1: exit $3, expected $2"; cat "$W/err" 2>/dev/null; fi
}
has() { # has NAME FILE TEXT
    if grep -q -- "$3" "$2"; then ok "$1: has '$3'"
    else bad "$1: no '$3' in $2"; head -c 2000 "$2"; fi
}
hasnt() { # hasnt NAME FILE TEXT
    if grep -q -- "$3" "$2"; then bad "$1: '$3' in $2"; else ok "$1: no '$3'"; fi
}
json() { # json FILE PATH: a value of a JSON file (sqlite3's JSON functions)
    sqlite3 :memory: "SELECT json_extract(readfile('$1'), '$2')"
}
# The three forms on one store: NAME DB
report_all() {
    "$TG" --db "$2" report >"$W/$1.txt" 2>"$W/err"; exits "$1-text" 0 $?
    has "$1-text" "$W/$1.txt" "REGRET DRIVERS"
    has "$1-text" "$W/$1.txt" "INTERVENTIONS"
    "$TG" --db "$2" report --json >"$W/$1.json" 2>"$W/err"; exits "$1-json" 0 $?
    [ "$(sqlite3 :memory: "SELECT json_valid(readfile('$W/$1.json'))")" = 1 ]
    check "$1-json: valid JSON" $?
    [ "$(json "$W/$1.json" '$.drivers')" != "" ]; check "$1-json: has drivers" $?
    "$TG" --db "$2" report --html "$W/$1.html" >"$W/out" 2>"$W/err"; exits "$1-html" 0 $?
    has "$1-html" "$W/$1.html" "<!DOCTYPE html>"
    has "$1-html" "$W/$1.html" "<svg"
    has "$1-html" "$W/$1.html" "</html>"
    hasnt "$1-html" "$W/$1.html" "<script"
    hasnt "$1-html" "$W/$1.html" "src="
    hasnt "$1-html" "$W/$1.html" "href="
    [ -z "$(ls "$W" | grep "^$1\.html.")" ]
    check "$1-html: no temporary file left" $? "$(ls "$W" | grep "^$1\.html.")"
}

# ---- a demo store with a model, scores and decided nudges ----
"$TG" gen --out "$W/gen" --scale demo --seed 3 >"$W/out" 2>"$W/err"; exits gen 0 $?
"$TG" --db "$W/demo.db" ingest "$W/gen" >"$W/out" 2>"$W/err"; exits ingest 0 $?
"$TG" --db "$W/demo.db" report --json >"$W/plain.json" 2>"$W/err"; exits report-no-model 0 $?
[ -s "$W/plain.json" ] && [ "$(json "$W/plain.json" '$.model.version')" = "" ]
check "report-no-model: no model version" $?
has report-no-model "$W/plain.json" "no model registered"
"$TRAIN" --db "$W/demo.db" --rounds 20 --eta 0.3 >"$W/out" 2>"$W/err"; exits train 0 $?
"$TG" --db "$W/demo.db" score >"$W/out" 2>"$W/err"; exits score 0 $?
"$TG" --db "$W/demo.db" nudge --process-queue --seed 1 >"$W/out" 2>"$W/err"; exits nudge 0 $?
report_all demo "$W/demo.db"
has demo-text "$W/demo.txt" "THE MODEL'S VIEW"
has demo-text "$W/demo.txt" "model v1 over"
[ "$(json "$W/demo.json" '$.model.version')" = 1 ]; check "demo-json: model.version 1" $?
# The JSON's figures are the store's: matured lines and their returns.
want=$(sqlite3 "$W/demo.db" "SELECT count(*) || ' ' || sum(returned) FROM v_training_set WHERE mature = 1")
got="$(json "$W/demo.json" '$.matured.lines') $(json "$W/demo.json" '$.matured.returned')"
[ "$want" = "$got" ]; check "demo-json: matured lines and returns are the store's ($want)" $? "'$got'"
want=$(sqlite3 "$W/demo.db" "SELECT count(*) FROM interventions WHERE source = 'live'")
[ "$want" -gt 0 ] && [ "$(json "$W/demo.json" '$.interventions.funnel.queued')" = "$want" ]
check "demo-json: funnel.queued is the store's interventions ($want)" $?
# Plain ASCII bars outside a UTF-8 locale.
LC_ALL=C "$TG" --db "$W/demo.db" report >"$W/ascii.txt" 2>"$W/err"; exits ascii 0 $?
has ascii "$W/ascii.txt" "####"
! LC_ALL=C grep -q "$(printf '\342\226\210')" "$W/ascii.txt"
check "ascii: no block characters in the C locale" $?

# ---- the real Online Retail sample ----
"$TG" --db "$W/retail.db" ingest --format online-retail "$RETAIL" >"$W/out" 2>"$W/err"; exits retail-ingest 65 $?
report_all retail "$W/retail.db"
has retail-text "$W/retail.txt" "no model registered"

# ---- exit codes ----
"$TG" --db "$W/none.db" report >"$W/out" 2>"$W/err"; exits no-store 66 $?
"$TG" --db "$W/demo.db" report --html "$W/no/such/dir/r.html" >"$W/out" 2>"$W/err"; exits html-unwritable 74 $?
"$TG" --db "$W/demo.db" report --frobnicate >"$W/out" 2>"$W/err"; exits usage 64 $?
"$TG" --db "$W/demo.db" report extra >"$W/out" 2>"$W/err"; exits usage-arg 64 $?
"$TG" report --help >"$W/out" 2>"$W/err"; exits help 0 $?
has help "$W/out" "report"

finish
