#!/bin/sh
# End to end through the real binaries: gen, ingest (clean and with
# rejects), status, trendguard-train, predict and score, and the exit codes
# of the command-line contract. One "ok"/"FAIL" line per check; the last
# line counts them.
set -u
BUILD=${TG_BUILD:-build}
TG=$PWD/$BUILD/trendguard
TRAIN=$PWD/$BUILD/trendguard-train
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
trap 'exit 143' INT TERM
. tests/tools/e2e_checks.sh
need sqlite3
exits() { # exits NAME EXPECTED_EXIT ACTUAL_EXIT
    if [ "$2" = "$3" ]; then ok "$1: exit $2"; else bad "$1: exit $3, expected $2"; cat "$W/out"; fi
}
has() { # has NAME FILE TEXT
    if grep -q -- "$3" "$2"; then ok "$1: says '$3'"; else bad "$1: no '$3' in:"; cat "$2"; fi
}
export TRENDGUARD_DB="$W/t.db"

"$TG" --version >"$W/out" 2>&1; exits version 0 $?
has version "$W/out" "trendguard 0."
"$TG" frobnicate >"$W/out" 2>&1; exits unknown-command 64 $?
"$TG" gen --scale huge --out "$W/x" >"$W/out" 2>&1; exits bad-scale 64 $?
"$TG" gen --out "$W/gen" --seed 5 >"$W/out" 2>&1; exits gen 0 $?
"$TG" status >"$W/out" 2>&1; exits status-no-store 66 $?
has status-no-store "$W/out" "no store here"

"$TG" ingest "$W/gen" >"$W/out" 2>&1; exits ingest 0 $?
has ingest "$W/out" "purchases"
"$TG" ingest "$W/gen" >"$W/out" 2>&1; exits ingest-again 0 $?
has ingest-again "$W/out" "already loaded"
"$TG" ingest tests/fixtures/ingest/bad/returns.csv >"$W/out" 2>&1; exits ingest-rejects 65 $?
has ingest-rejects "$W/out" "rejected"
"$TG" ingest "$W/nothing.csv" >"$W/out" 2>&1; exits ingest-missing 66 $?
"$TG" ingest --format nope x >"$W/out" 2>&1; exits ingest-usage 64 $?
"$TG" status --json >"$W/out" 2>&1; exits status 0 $?
has status "$W/out" '"purchases":'

"$TRAIN" --rounds 30 --eta 0.3 --metrics "$W/m.json" >"$W/out" 2>&1; exits train 0 $?
has train "$W/out" "hold-out: accuracy"
has train-metrics "$W/m.json" '"oracle"'
"$TRAIN" --max-depth 99 >"$W/out" 2>&1; exits train-usage 64 $?
"$TRAIN" --db "$W/none.db" >"$W/out" 2>&1; exits train-no-store 66 $?
MODEL="$W/t.db-models/model-v1.json"
[ -f "$MODEL" ]; check "train: the model written as $(basename "$MODEL")" $?

"$TG" score >"$W/out" 2>&1; exits score 0 $?
has score "$W/out" "interventions* queued"
# predict on the features of three lines gives the probabilities score stored.
cols=$(sqlite3 "$W/t.db" "SELECT group_concat(value, ',') FROM json_each((SELECT features FROM model_registry WHERE version=1))")
sqlite3 -header -csv "$W/t.db" "SELECT $cols FROM v_training_set ORDER BY purchase_id LIMIT 3" >"$W/rows.csv"
"$TG" predict --model "$MODEL" "$W/rows.csv" >"$W/pred" 2>"$W/out"; exits predict 0 $?
sqlite3 "$W/t.db" "SELECT printf('%.6f', p_return) FROM scores ORDER BY purchase_id LIMIT 3" >"$W/want"
awk '{ printf "%.6f\n", $1 }' "$W/pred" >"$W/got"
[ "$(wc -l <"$W/want")" = 3 ] && cmp -s "$W/want" "$W/got"
check "predict gives the 3 probabilities score stored" $? "$(paste "$W/want" "$W/got" | tr '\n' ' ')"
"$TG" predict --model "$MODEL" --contribs "$W/rows.csv" >"$W/contribs" 2>"$W/out"; exits contribs 0 $?
n=$(head -n 1 "$W/contribs" | tr ',' '\n' | wc -l)
nf=$(echo "$cols" | tr ',' '\n' | wc -l)
[ "$n" = $((nf + 1)) ]; check "contribs: $nf features + bias" $? "$n values"
printf 'trend_growth_24h\nabc\n' | "$TG" predict --model "$MODEL" >"$W/out" 2>&1; exits predict-bad 65 $?
sed 's/^[^,]*,/oops,/' "$W/rows.csv" | sed '1s/^oops,/trend_growth_24h,/' | "$TG" predict --model "$MODEL" >"$W/out" 2>&1
exits predict-bad-cell 65 $?
has predict-bad-cell "$W/out" "line 2: trend_growth_24h: 'oops' is not a number"
"$TG" predict --model "$W/none.json" "$W/rows.csv" >"$W/out" 2>&1; exits predict-no-model 66 $?
echo '{"learner": 5}' >"$W/bad.json"
"$TG" predict --model "$W/bad.json" "$W/rows.csv" >"$W/out" 2>&1; exits predict-broken-model 65 $?

finish
