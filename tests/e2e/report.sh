#!/bin/sh
# End to end for `trendguard report`: on a demo store with a model, scores
# and decided nudges, and on the real Online Retail sample, the terminal
# report, --json (valid JSON with the figures) and --html (one
# self-contained page with its charts) all succeed; the exit codes of the
# command-line contract. Prints what failed; exits non-zero on any.
set -u
BUILD=${TG_BUILD:-build}
TG=$PWD/$BUILD/trendguard
TRAIN=$PWD/$BUILD/trendguard-train
RETAIL=${TG_RETAIL_SAMPLE:-$PWD/../shared/datasets/online_retail_sample.csv}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
fails=0
check() { # check NAME EXPECTED_EXIT ACTUAL_EXIT
    if [ "$2" != "$3" ]; then echo "FAIL $1: exit $3, expected $2"; cat "$W/err" 2>/dev/null; fails=$((fails + 1)); fi
}
has() { # has NAME FILE TEXT
    if ! grep -q -- "$3" "$2"; then echo "FAIL $1: no '$3' in $2"; head -c 2000 "$2"; fails=$((fails + 1)); fi
}
hasnt() { # hasnt NAME FILE TEXT
    if grep -q -- "$3" "$2"; then echo "FAIL $1: '$3' in $2"; fails=$((fails + 1)); fi
}
json() { # json FILE PATH: a value of a JSON file (sqlite3's JSON functions)
    sqlite3 :memory: "SELECT json_extract(readfile('$1'), '$2')"
}
# The three forms on one store: NAME DB
report_all() {
    "$TG" --db "$2" report >"$W/$1.txt" 2>"$W/err"; check "$1-text" 0 $?
    has "$1-text" "$W/$1.txt" "REGRET DRIVERS"
    has "$1-text" "$W/$1.txt" "INTERVENTIONS"
    "$TG" --db "$2" report --json >"$W/$1.json" 2>"$W/err"; check "$1-json" 0 $?
    [ "$(sqlite3 :memory: "SELECT json_valid(readfile('$W/$1.json'))")" = 1 ] ||
        { echo "FAIL $1-json: not valid JSON"; fails=$((fails + 1)); }
    [ "$(json "$W/$1.json" '$.drivers')" != "" ] ||
        { echo "FAIL $1-json: no drivers"; fails=$((fails + 1)); }
    "$TG" --db "$2" report --html "$W/$1.html" >"$W/out" 2>"$W/err"; check "$1-html" 0 $?
    has "$1-html" "$W/$1.html" "<!DOCTYPE html>"
    has "$1-html" "$W/$1.html" "<svg"
    has "$1-html" "$W/$1.html" "</html>"
    hasnt "$1-html" "$W/$1.html" "<script"
    hasnt "$1-html" "$W/$1.html" "src="
    hasnt "$1-html" "$W/$1.html" "href="
    ls "$W" | grep -q "$1.html.tmp" && { echo "FAIL $1-html: temporary file left"; fails=$((fails + 1)); }
}

# ---- a demo store with a model, scores and decided nudges ----
"$TG" gen --out "$W/gen" --scale demo --seed 3 >"$W/out" 2>"$W/err"; check gen 0 $?
"$TG" --db "$W/demo.db" ingest "$W/gen" >"$W/out" 2>"$W/err"; check ingest 0 $?
"$TG" --db "$W/demo.db" report --json >"$W/plain.json" 2>"$W/err"; check report-no-model 0 $?
[ "$(json "$W/plain.json" '$.model.version')" = "" ] ||
    { echo "FAIL report-no-model: a model version"; fails=$((fails + 1)); }
has report-no-model "$W/plain.json" "no model registered"
"$TRAIN" --db "$W/demo.db" --rounds 20 --eta 0.3 >"$W/out" 2>"$W/err"; check train 0 $?
"$TG" --db "$W/demo.db" score >"$W/out" 2>"$W/err"; check score 0 $?
"$TG" --db "$W/demo.db" nudge --process-queue --seed 1 >"$W/out" 2>"$W/err"; check nudge 0 $?
report_all demo "$W/demo.db"
has demo-text "$W/demo.txt" "THE MODEL'S VIEW"
has demo-text "$W/demo.txt" "model v1 over"
[ "$(json "$W/demo.json" '$.model.version')" = 1 ] ||
    { echo "FAIL demo-json: model.version"; fails=$((fails + 1)); }
# The JSON's figures are the store's: matured lines and their returns.
want=$(sqlite3 "$W/demo.db" "SELECT count(*) || ' ' || sum(returned) FROM v_training_set WHERE mature = 1")
got="$(json "$W/demo.json" '$.matured.lines') $(json "$W/demo.json" '$.matured.returned')"
[ "$want" = "$got" ] || { echo "FAIL demo-json: matured '$got', store '$want'"; fails=$((fails + 1)); }
want=$(sqlite3 "$W/demo.db" "SELECT count(*) FROM interventions")
[ "$(json "$W/demo.json" '$.interventions.funnel.queued')" = "$want" ] ||
    { echo "FAIL demo-json: funnel.queued"; fails=$((fails + 1)); }
# Plain ASCII bars outside a UTF-8 locale.
LC_ALL=C "$TG" --db "$W/demo.db" report >"$W/ascii.txt" 2>"$W/err"; check ascii 0 $?
has ascii "$W/ascii.txt" "####"
if LC_ALL=C grep -q "$(printf '\342\226\210')" "$W/ascii.txt"; then
    echo "FAIL ascii: block characters in the C locale"; fails=$((fails + 1))
fi

# ---- the real Online Retail sample ----
"$TG" --db "$W/retail.db" ingest --format online-retail "$RETAIL" >"$W/out" 2>"$W/err"; check retail-ingest 65 $?
report_all retail "$W/retail.db"
has retail-text "$W/retail.txt" "no model registered"

# ---- exit codes ----
"$TG" --db "$W/none.db" report >"$W/out" 2>"$W/err"; check no-store 66 $?
"$TG" --db "$W/demo.db" report --html "$W/no/such/dir/r.html" >"$W/out" 2>"$W/err"; check html-unwritable 74 $?
"$TG" --db "$W/demo.db" report --frobnicate >"$W/out" 2>"$W/err"; check usage 64 $?
"$TG" --db "$W/demo.db" report extra >"$W/out" 2>"$W/err"; check usage-arg 64 $?
"$TG" report --help >"$W/out" 2>"$W/err"; check help 0 $?
has help "$W/out" "report"

echo "$fails failures"
[ "$fails" -eq 0 ]
