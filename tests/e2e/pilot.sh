#!/bin/sh
# End to end for the simulated pilot: the first run plays it, and the
# dashboard in tmux (100x30 and 80x24) opens on returns avoided above zero
# with its interval, both arms week by week, and says in words why a
# 30-day period has nothing settled; report --json carries the pilot's
# figures, the same the dashboard shows; the export's CSVs give back every
# figure through the README's measures (recomputed here in SQL from the
# files) and hold no JSON, every intervention dated within the purchases'
# days (make bench checks the same on a `small` store and at full scale:
# tests/tools/pilot_checks.sh); `trendguard pilot` itself: its JSON,
# the same seed the same rows, and its exit codes (a bad option, no store,
# the real UCI sample, which the dashboard says has no pilot and why).
# One "ok"/"FAIL" line per check; the last line counts them.
set -u
BUILD=${TG_BUILD:-build}
TG=$PWD/$BUILD/trendguard
TRAIN=$PWD/$BUILD/trendguard-train
RETAIL=${TG_RETAIL_SAMPLE:-$PWD/../shared/datasets/online_retail_sample.csv}
W=$(mktemp -d)
. tests/tools/e2e_checks.sh
. tests/tools/pilot_checks.sh
need sqlite3
need tmux
tmux_init tg-pilot
trap '$T kill-server 2>/dev/null; rm -rf "$W"' EXIT
trap 'exit 143' INT TERM
ON_FAIL='[ -f "$W/screen" ] && cat "$W/screen"'
exits() { # exits NAME EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then ok "$1: exit $2"
    else bad "$1: exit $3, expected $2"; cat "$W/err" 2>/dev/null; fi
}

# ---- the first run, and its dashboard ----------------------------------------
app() { # app COLS ROWS DB: the app in the session "app"
    $T kill-server 2>/dev/null
    sleep 0.3
    $T new-session -d -s app -x "$1" -y "$2" \
        "TRENDGUARD_SEED=1 '$TG' --db '$3' --offline 2>'$W/first.err'; sleep 60"
}
DB=$W/first.db
start=$(date +%s)
app 100 30 "$DB"
wait_for "first run opens" "Trend (14 d)" 240
keys 5
wait_for "dashboard: the pilot's tiles" "Avoided\*" 30
wait_for "dashboard: the pilot's view" "Simulated pilot: return rate by week" 30
grep -q "playing the simulated pilot" "$W/first.err"
check "the first run played the pilot" $? "$(cat "$W/first.err")"
screen
tile=$(awk '/Avoided\*/ { getline; print; exit }' "$W/screen" |
       awk '{ print $3 }')
awk -v v="$tile" 'BEGIN { exit !(v + 0 > 0) }'
check "100x30: returns avoided above zero ($tile)" $?
grep -q "[0-9.]* to [0-9.]*" "$W/screen"; check "100x30: with its interval" $?
grep -q "^ week of  *control  *treatment  *avoided" "$W/screen" &&
    [ "$(grep -c '^ 2026-[0-9-]*  *[0-9.]*%.*[0-9.]*%' "$W/screen")" -ge 4 ]
check "100x30: both arms by week" $?
grep -q "none settled: the 30-day window is still open" "$W/screen"
check "100x30: the weeks not settled say so" $?
grep -q "simulated pilot, 12 weeks: assets/simulation.json, assets/behaviour.json" "$W/screen"
check "100x30: labelled simulated, with its assumptions" $?
keys w
wait_for "30 days: nothing settled, in words" "No line of this period has settled yet" 30
wait_for "30 days: the weekly chart says why it is empty" "No line of these" 10
app 80 24 "$DB"
wait_for "80x24: opens" "Trend (14 d)" 30
keys 5
wait_for "80x24: the pilot's tiles" "Avoided\*" 30
wait_for "80x24: both arms" "week of  *control  *treatment" 30
screen
[ "$(LC_ALL=C.UTF-8 wc -L <"$W/screen")" -le 80 ]; check "80x24: nothing wider than the terminal" $?
# An interval's bounds stay apart from a minus sign, and none is cut off.
! sed -n 3,6p "$W/screen" | grep -Eq '[0-9]-[$0-9-]|[0-9]…'; check "80x24: intervals read whole" $? \
    "$(sed -n 3,6p "$W/screen")"
grep -q "Likely back" "$W/screen"; check "80x24: the returns expected of the last week" $?

# ---- report --json: the same figures -------------------------------------------
# Shoppers of the app take some of the queue's nudges: real use to show
# apart, and to recompute from the export.
sqlite3 "$DB" "UPDATE interventions SET status = 'accepted' WHERE id IN
    (SELECT id FROM interventions WHERE source = 'live' AND status = 'shown'
     AND outcome IS NOT NULL ORDER BY id LIMIT 40)"
"$TG" --db "$DB" report --json >"$W/r.json" 2>"$W/err"; exits "report --json" 0 $?
for f in control.return_rate treatment.return_rate returns_avoided.value \
    'returns_avoided.ci95[1]' net_saving.value roi.value \
    'uptake_by_nudge[0].rate' resale_recovered.value; do
    [ -n "$(json "$W/r.json" "\$.pilot.$f")" ]; check "report --json: pilot.$f" $?
done
[ "$(json "$W/r.json" '$.pilot.simulated')" = 1 ]; check "report --json: marked simulated" $?
ra=$(json "$W/r.json" '$.pilot.returns_avoided.value')
[ "$(json "$W/r.json" '$.interventions.funnel.accepted')" = 40 ]
check "report --json: real use apart, its 40 accepted" $?
near "the dashboard's tile is the report's returns avoided" "$tile" "$ra" 0.051

# ---- the export gives back every figure ------------------------------------------
"$TG" --db "$DB" export --out "$W/ex" >"$W/out" 2>"$W/err"; exits "export" 0 $?
compare demo "$W/ex" "$W/r.json"
no_json_dates_inside demo "$W/ex"
grep -q "Returns avoided =" "$W/ex/README.md"
check "the export's README gives the pilot's DAX" $?

# ---- trendguard pilot ---------------------------------------------------------------
"$TG" --db "$DB" pilot --json >"$W/p1.json" 2>"$W/err"; exits "pilot --json" 0 $?
for f in lines settled customers.control customers.treatment shown accepted \
    figures.returns_avoided.value; do
    [ -n "$(json "$W/p1.json" "\$.$f")" ]; check "pilot --json: $f" $?
done
sqlite3 "$DB" "SELECT * FROM pilot_lines ORDER BY 1" >"$W/lines1"
"$TG" --db "$DB" pilot --json >"$W/p2.json" 2>"$W/err"; exits "pilot again" 0 $?
sqlite3 "$DB" "SELECT * FROM pilot_lines ORDER BY 1" >"$W/lines2"
cmp -s "$W/lines1" "$W/lines2" &&
    [ "$(json "$W/p1.json" '$.figures')" = "$(json "$W/p2.json" '$.figures')" ]
check "the same seed: the same rows and figures" $?
[ "$(sqlite3 "$DB" "SELECT count(*) FROM pilot_runs")" = 1 ]
check "a rerun replaces the pilot" $?
"$TG" --db "$DB" pilot --weeks 0 >"$W/out" 2>"$W/err"; exits "pilot --weeks 0" 64 $?
"$TG" --db "$DB" pilot --holdout 1.5 >"$W/out" 2>"$W/err"; exits "pilot --holdout 1.5" 64 $?
"$TG" --db "$W/none.db" pilot >"$W/out" 2>"$W/err"; exits "pilot without a store" 66 $?

# ---- the real UCI sample: no pilot, and the dashboard says why --------------------
"$TG" --db "$W/uci.db" ingest --format online-retail "$RETAIL" >"$W/out" 2>"$W/err"
"$TG" --db "$W/uci.db" pilot >"$W/out" 2>"$W/err"; exits "pilot on real purchases" 66 $?
grep -q "a store of real purchases cannot play a pilot" "$W/err"
check "pilot on real purchases: says why" $? "$(cat "$W/err")"
app 100 30 "$W/uci.db"
wait_for "UCI: opens" "Trending" 30
keys 5
wait_for "UCI: the dashboard says what is missing" "No simulated pilot: this store holds real" 30
screen
! grep -q "Avoided\*.*0\.0\|£0\.00" "$W/screen"; check "UCI: no zeros for what is missing" $?

echo "took $(( $(date +%s) - start )) s"
finish
