#!/bin/bash
# The first run as a new user has it (make bench runs it): `trendguard`
# with no store builds the demo store (generate, ingest, train the demo
# model, score, decide the queue) and opens the app; timed from the start
# to the app's first frame (the app's own --timings, into a virtual 100x30
# screen), three times in fresh folders, the best kept. Records
# first_run_seconds (the issue's goal, 10 s, as its reference: no other
# program does this) with its peak memory, and the demo model's hold-out
# accuracy and AUC, so that a faster first run is seen not to cost the
# model.
#   tests/bench/first_run.sh
set -u
cd "$(dirname "$0")/../.." || exit 70
BUILD=${BUILD:-build}
JSON=${BENCH_JSON:-$BUILD/bench.json}
REC=$BUILD/bench/bench_record
OUT=$BUILD/bench/first-run
export TRENDGUARD_SHARE=${TRENDGUARD_SHARE:-$PWD}
rm -rf "$OUT"
mkdir -p "$OUT" || exit 74
printf 'q\n' >"$OUT/keys.txt"
best=""; best_kib=0
for run in 1 2 3; do
    W=$OUT/run-$run
    mkdir -p "$W"
    LINES=30 COLUMNS=100 TERM=xterm-256color /usr/bin/time -f '%M' \
        -o "$W/peak" "$BUILD/trendguard" --db "$W/trendguard.db" --offline \
        --replay "$OUT/keys.txt" --timings "$W/timings.json" \
        >/dev/null 2>"$W/log" ||
        { echo "bench: the first run failed; see $W/log"; exit 1; }
    ms=$(sed -n 's/.*"first_frame_ms":\([0-9.]*\).*/\1/p' "$W/timings.json")
    [ -n "$ms" ] || { echo "bench: no first frame in $W/timings.json"; exit 1; }
    secs=$(awk -v m="$ms" 'BEGIN { printf "%.2f", m / 1000 }')
    if [ -z "$best" ] || awk -v a="$secs" -v b="$best" 'BEGIN{exit !(a<b)}'; then
        best=$secs; best_kib=$(tail -n 1 "$W/peak")
    fi
done
DB=$OUT/run-1/trendguard.db
metric() {
    sqlite3 "$DB" "SELECT printf('%.4f', json_extract(metrics, '\$.$1'))
                   FROM model_registry ORDER BY version DESC LIMIT 1"
}
ACC=$(metric accuracy); AUC=$(metric auc)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0) printf "%.2f", b / a; else print "-" }'; }
row() { printf '%-34s %12s %-10s %-28s %12s %8s\n' "$@"; }
row "first run to the app (best of 3)" "$best" s "target" 10 "$(ratio "$best" 10)"
row "  peak memory" "$((best_kib / 1024))" MiB "" "" ""
row "  demo model: accuracy / AUC" "$ACC / $AUC" "" "" "" ""
if [ -x "$REC" ]; then
    $REC "$JSON" first_run_seconds "$best" s "target" 10
    $REC "$JSON" first_run_peak_mb "$((best_kib / 1024))" MiB
    $REC "$JSON" first_run_model_accuracy "$ACC" ""
    $REC "$JSON" first_run_model_auc "$AUC" ""
fi
rm -rf "$OUT"/run-2 "$OUT"/run-3
