#!/bin/sh
# End to end on loopback: the training set exported as shards (every
# mature line once, customers whole, the hold-out decided once, checksums,
# XGBoost's own reader), then trendguard-train on 1, 2 and 3 workers
# against the one-machine trainer with the same parameters and seed; the
# reported hold-out figures recomputed from the saved model's predictions
# over every shard; and the failures: a worker killed mid-training, a
# tracker that cannot be reached, a worker that never joins, tampered or
# missing shards, bad options. Demo scale. Prints "checks: N passed, N
# failed".
set -u
BUILD=${TG_BUILD:-build}
TG=$PWD/$BUILD/trendguard
TRAIN=$PWD/$BUILD/trendguard-train
PY=${TRENDGUARD_PYTHON:-/usr/bin/python3}
W=$(mktemp -d)
BG=""
# Under make valgrind every process is many times slower: waits grow by
# TG_E2E_SLOW (start-up and exit, not the timeouts being tested) and
# training takes fewer, larger steps (the same for every run compared).
SLOW=${TG_E2E_SLOW:-1}
PARAMS=""
[ "${TG_E2E_VALGRIND:-0}" = 1 ] && PARAMS="--rounds 60 --eta 0.3"
trap 'for p in $BG; do kill -9 $p 2>/dev/null; done; rm -rf "$W"' EXIT
. tests/tools/e2e_checks.sh

json() { # json FILE PATH: a value of a JSON file
    sqlite3 :memory: "SELECT json_extract(readfile('$1'), '\$.$2')"
}
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
within() { awk -v x="$1" -v lim="$2" 'BEGIN { exit !(x <= lim) }'; }
close_to() { # close_to A B TOL
    awk -v a="$1" -v b="$2" -v t="$3" \
        'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && d <= t) }'
}
# wait_for PID SECONDS: its exit code in rc, or 124 when it is still
# running after SECONDS (then it is killed).
wait_for() {
    wf0=$(now)
    while kill -0 "$1" 2>/dev/null && within "$(since "$wf0")" "$2"; do
        sleep 0.1
    done
    if kill -0 "$1" 2>/dev/null; then
        kill -9 "$1" 2>/dev/null; wait "$1" 2>/dev/null; rc=124
    else
        wait "$1"; rc=$?
    fi
}
# wait_text FILE TEXT SECONDS: 0 once FILE holds TEXT.
wait_text() {
    i=0
    while [ $i -lt $(($3 * 10)) ] && ! grep -q "$2" "$1" 2>/dev/null; do
        sleep 0.1; i=$((i + 1))
    done
    grep -q "$2" "$1" 2>/dev/null
}
# tracker NAME WORLD TIMEOUT: starts --run-tracker on a free port, its
# output in W/NAME.out; sets TPID and PORT.
tracker() {
    "$TRAIN" --run-tracker 127.0.0.1:0 --world-size "$2" --timeout "$3" \
        >"$W/$1.out" 2>&1 &
    TPID=$!; BG="$BG $TPID"
    wait_text "$W/$1.out" DMLC_TRACKER_PORT= $((30 * SLOW))
    PORT=$(sed -n 's/^DMLC_TRACKER_PORT=//p' "$W/$1.out")
}
store() { cp "$W/t.db" "$W/$1.db"; }

"$TG" gen --out "$W/gen" --scale demo --seed 1 >/dev/null 2>&1 &&
    "$TG" ingest --db "$W/t.db" "$W/gen" >/dev/null 2>&1
check "demo store" $?
"$PY" -c 'import xgboost.tracker' 2>/dev/null
check "python3-xgboost is installed for $PY (scripts/deps.sh)" $?

# ---- the export -----------------------------------------------------------
SH=$W/sh
"$TG" export --db "$W/t.db" --training-set --shards 3 --out "$SH" >"$W/out" 2>&1
check "export --training-set --shards 3" $? "$(cat "$W/out")"
M=$SH/manifest.json
mature=$(q "$W/t.db" "SELECT count(*) FROM v_training_set WHERE mature = 1")
[ "$(($(json "$M" rows.train) + $(json "$M" rows.valid)))" = "$mature" ]
check "the shards hold every mature line ($mature)" $?
sqlite3 :memory: "SELECT json_extract(s.value, '\$.' || f.k || '.sha256')
    || '  ' || json_extract(s.value, '\$.' || f.k || '.file')
    FROM json_each(readfile('$M'), '\$.shards') s,
         (SELECT 'train' AS k UNION ALL SELECT 'valid' UNION ALL
          SELECT 'lines') f
    UNION ALL SELECT json_extract(readfile('$M'), '\$.featmap.sha256')
    || '  featmap.txt'" >"$W/sums"
[ "$(wc -l <"$W/sums")" = 10 ] && (cd "$SH" && sha256sum -c --quiet "$W/sums")
check "the manifest's SHA-256 match every file" $?
for k in 0 1 2; do
    sqlite3 "$W/lines.db" ".import --csv $SH/shard-$k.lines.csv l$k"
done
split=$(sqlite3 "$W/lines.db" "ATTACH '$W/t.db' AS s;
    WITH l AS (SELECT purchase_id, 0 AS k, \"set\" AS st FROM l0
               UNION ALL SELECT purchase_id, 1, \"set\" FROM l1
               UNION ALL SELECT purchase_id, 2, \"set\" FROM l2)
    SELECT (SELECT count(*) FROM (SELECT p.customer_id FROM l
            JOIN s.purchases p ON p.id = l.purchase_id
            GROUP BY p.customer_id HAVING count(DISTINCT l.k) > 1)),
           (SELECT count(DISTINCT purchase_id) FROM l),
           (SELECT count(*) FROM l JOIN s.v_training_set v
            ON v.purchase_id = l.purchase_id
            WHERE (v.ordered_at >
                   CAST(strftime('%s', '$(json "$M" holdout.cut)') AS INTEGER))
                  <> (l.st = 'valid'))")
[ "$split" = "0|$mature|0" ]
check "no customer in two shards; each line once; the hold-out by one cut" $? "$split"
nfeat=$(wc -l <"$SH/featmap.txt")
"$PY" -c "
import sys, xgboost
for k in range(3):
    for part in ('train', 'valid'):
        d = xgboost.DMatrix('$SH/shard-%d.%s.libsvm?format=libsvm' % (k, part))
        print(d.num_row(), d.num_col())
" 2>"$W/py.err" | awk -v nf="$nfeat" '{ n += $1; if ($2 != nf) bad = 1 } END { print n, bad + 0 }' >"$W/xgb"
[ "$(cat "$W/xgb")" = "$mature 0" ]
check "XGBoost's Python package reads the shards directly" $? "$(cat "$W/xgb" "$W/py.err")"
"$TG" export --db "$W/t.db" --training-set --shards 3 --out "$W/sh2" >/dev/null 2>&1
cmp -s "$M" "$W/sh2/manifest.json"
check "the same store exports the same bytes" $?

# ---- one machine against 1, 2 and 3 workers -------------------------------
store one
t0=$(now)
# Passive: libgomp's spinning threads make a busy machine many times
# slower (the model is the same bytes either way).
OMP_WAIT_POLICY=PASSIVE "$TRAIN" --db "$W/one.db" --out "$W/one.json" \
    --metrics "$W/one.m.json" $PARAMS \
    >"$W/one.out" 2>&1
check "one machine trains" $? "$(tail -n 3 "$W/one.out")"
echo "one machine: $(since "$t0") s"
for n in 1 2 3; do
    store "w$n"
    t0=$(now)
    "$TRAIN" --db "$W/w$n.db" --workers $n --timeout 60 --out "$W/w$n.json" \
        --metrics "$W/w$n.m.json" $PARAMS >"$W/w$n.out" 2>&1
    check "--workers $n trains" $? "$(tail -n 5 "$W/w$n.out")"
    echo "$n workers: $(since "$t0") s"
done
cmp -s "$W/one.json" "$W/w1.json"
check "one worker writes the one-machine model byte for byte" $?
a1=$(json "$W/one.m.json" accuracy); u1=$(json "$W/one.m.json" auc)
for n in 2 3; do
    a=$(json "$W/w$n.m.json" accuracy); u=$(json "$W/w$n.m.json" auc)
    echo "$n workers: accuracy $a (one machine $a1), AUC $u ($u1)"
    close_to "$a" "$a1" 0.005
    check "$n workers: accuracy within 0.005 of one machine" $? "$a vs $a1"
    close_to "$u" "$u1" 0.003
    check "$n workers: AUC within 0.003 of one machine" $? "$u vs $u1"
    [ "$(json "$W/w$n.m.json" n_valid)" = "$(json "$W/one.m.json" n_valid)" ] &&
        [ "$(json "$W/w$n.m.json" workers)" = $n ] &&
        [ "$(q "$W/w$n.db" "SELECT count(*) FROM model_registry")" = 1 ]
    check "$n workers: the whole hold-out evaluated, the model registered once" $?
    for k in oracle.accuracy oracle.auc baselines.majority.accuracy \
             baselines.product_prior_rate.threshold \
             baselines.product_prior_rate.accuracy \
             baselines.product_prior_rate.auc; do
        [ "$(json "$W/w$n.m.json" $k)" = "$(json "$W/one.m.json" $k)" ] ||
            echo "$k: $(json "$W/w$n.m.json" $k) vs $(json "$W/one.m.json" $k)"
    done >"$W/refs"
    [ ! -s "$W/refs" ]
    check "$n workers: the oracle and baselines are one machine's" $? "$(cat "$W/refs")"
done

# The 3 workers' figures, recomputed here from the saved model's
# predictions (trendguard predict, bit for bit libxgboost's) on every
# shard's hold-out, in the hold-out's order.
cut -d' ' -f2 "$SH/featmap.txt" | paste -sd, - >"$W/valid.csv"
for k in 0 1 2; do
    awk -v k=$k 'NR > 1 && $2 == "valid" { print $3, k }' FS=, \
        "$SH/shard-$k.lines.csv" >"$W/rows$k"
    awk -v nf="$nfeat" '{ for (j = 0; j < nf; j++) v[j] = ""
           for (i = 2; i <= NF; i++) { split($i, kv, ":"); v[kv[1]] = kv[2] }
           s = v[0]; for (j = 1; j < nf; j++) s = s "," v[j]
           print $1, s }' "$SH/shard-$k.valid.libsvm" | paste -d' ' "$W/rows$k" -
done | sort -n -k1,1 >"$W/valid.rows"
cut -d' ' -f4 "$W/valid.rows" >>"$W/valid.csv"
"$TG" predict --model "$W/w3.json" "$W/valid.csv" >"$W/p" 2>"$W/p.err"
check "predict the whole hold-out with the 3-worker model" $? "$(cat "$W/p.err")"
cut -d' ' -f3 "$W/valid.rows" | paste -d' ' "$W/p" - >"$W/py"
t=$(json "$W/w3.m.json" threshold)
mine=$(awk -v t="$t" '{ t9 = sprintf("%.9g", t) + 0; n++
         if ((($1 + 0 >= t9) ? 1 : 0) == $2) ok++ }
       END { printf "%.12f", ok / n }' "$W/py")
close_to "$mine" "$(json "$W/w3.m.json" accuracy)" 1e-12
check "the reported accuracy is the one over every shard's predictions" $? "$mine vs $(json "$W/w3.m.json" accuracy)"
mine=$(sort -g -k1,1 "$W/py" | awk '
    { p[NR] = $1; y[NR] = $2 }
    END { i = 1
          while (i <= NR) { j = i; while (j < NR && p[j + 1] == p[i]) j++
                            r = (i + j) / 2
                            for (k = i; k <= j; k++) if (y[k] == 1) { rs += r; np++ }
                            i = j + 1 }
          nn = NR - np
          printf "%.12f", (rs - np * (np + 1) / 2) / (np * nn) }')
close_to "$mine" "$(json "$W/w3.m.json" auc)" 1e-12
check "the reported AUC is the one over every shard's predictions" $? "$mine vs $(json "$W/w3.m.json" auc)"

# ---- failures ---------------------------------------------------------------
# A worker killed mid-training: the others end with 69 within the timeout,
# and the tracker ends too. Rank 2 finds the tracker in the environment.
store kill
tracker tk 3 10
long="--db $W/kill.db --shards $SH --timeout 10 --nthread 1 --eta 0.01 --rounds 5000"
"$TRAIN" $long --tracker "127.0.0.1:$PORT" --rank 0 >"$W/k0.out" 2>&1 &
K0=$!
"$TRAIN" $long --tracker "127.0.0.1:$PORT" --rank 1 >"$W/k1.out" 2>&1 &
K1=$!
DMLC_TRACKER_URI=127.0.0.1 DMLC_TRACKER_PORT=$PORT DMLC_TASK_ID=2 \
    DMLC_NUM_WORKER=3 "$TRAIN" $long >"$W/k2.out" 2>&1 &
K2=$!
BG="$BG $K0 $K1 $K2"
wait_text "$W/k0.out" "^round 25 " $((90 * SLOW))
check "3 workers under way (round 25)" $? "$(cat "$W/k0.out" "$W/tk.out")"
kill -9 $K1
t0=$(now)
wait_for $K0 $((20 * SLOW)); r0=$rc; wait_for $K2 $((20 * SLOW)); r2=$rc
el=$(since "$t0")
[ $r0 = 69 ] && [ $r2 = 69 ]
check "killing worker 1 ends workers 0 and 2 with 69" $? "exit $r0 and $r2"
within "$el" $((10 + 2 * SLOW))
check "... within the 10 s timeout (${el} s)" $?
grep -q "another worker stopped" "$W/k0.out" && grep -q "another worker stopped" "$W/k2.out"
check "... saying a worker stopped" $? "$(cat "$W/k0.out" "$W/k2.out")"
wait_for $TPID $((15 * SLOW))
[ $rc = 69 ]
check "the tracker ends when a worker reports its failure" $? "exit $rc"
[ "$(q "$W/kill.db" "SELECT count(*) FROM model_registry")" = 0 ]
check "nothing registered by the failed run" $?

# A worker that hangs (stopped, its sockets open): the others give up at
# the timeout with 69.
store hang
tracker th 3 5
long="--db $W/hang.db --shards $SH --timeout 5 --nthread 1 --eta 0.01 --rounds 5000"
for r in 0 1 2; do
    "$TRAIN" $long --tracker "127.0.0.1:$PORT" --rank $r >"$W/h$r.out" 2>&1 &
    eval "H$r=\$!"; BG="$BG $!"
done
wait_text "$W/h0.out" "^round 25 " $((90 * SLOW))
kill -STOP $H1
t0=$(now)
wait_for $H0 $((20 * SLOW)); r0=$rc; wait_for $H2 $((20 * SLOW)); r2=$rc
el=$(since "$t0")
kill -9 $H1; kill -CONT $H1; wait $H1 2>/dev/null
[ $r0 = 69 ] && [ $r2 = 69 ] && within "$el" $((5 + 3 * SLOW)) &&
    grep -q "no word from the other workers for 5 s" "$W/h0.out" "$W/h2.out"
check "a stopped worker: the others end with 69 at the 5 s timeout (${el} s)" $? "$r0 $r2 $(cat "$W/h0.out" "$W/h2.out" | grep -v '^round')"
wait_for $TPID $((15 * SLOW))

# The same through --workers: the run ends with 69 and says how each ended.
store kill2
"$TRAIN" --db "$W/kill2.db" --workers 3 --timeout 10 --eta 0.01 \
    --rounds 5000 >"$W/l.out" 2>&1 &
L=$!; BG="$BG $L"
wait_text "$W/l.out" "^round 25 " $((90 * SLOW))
victim=$(ps -o pid=,args= --ppid $L | awk '/--rank 1 / { print $1 }')
[ -n "$victim" ] && kill -9 $victim
t0=$(now)
wait_for $L $((25 * SLOW)); el=$(since "$t0")
[ $rc = 69 ] && within "$el" $((10 + 2 * SLOW))
check "--workers 3: a killed worker ends the run with 69 within the timeout (${el} s)" $? "exit $rc"
grep -q "worker 0 exit 69, worker 1 was ended by signal 9, worker 2 exit 69" "$W/l.out"
check "... naming how each worker ended" $? "$(tail -n 3 "$W/l.out")"

# A tracker that cannot be reached; a worker that never joins.
t0=$(now)
"$TRAIN" --db "$W/t.db" --shards "$SH" --tracker 127.0.0.1:1 --rank 0 \
    --timeout 4 >"$W/out" 2>&1
rc=$?; el=$(since "$t0")
[ $rc = 69 ] && within "$el" $((4 + 2 * SLOW)) &&
    grep -q "cannot be reached" "$W/out"
check "an unreachable tracker: 69 within the timeout (${el} s)" $? "$rc $(cat "$W/out")"
tracker tj 3 4
for r in 0 2; do
    "$TRAIN" --db "$W/t.db" --shards "$SH" --tracker "127.0.0.1:$PORT" \
        --rank $r --timeout 4 >"$W/j$r.out" 2>&1 &
    eval "J$r=\$!"; BG="$BG $!"
done
t0=$(now)
wait_for $J0 $((15 * SLOW)); r0=$rc; wait_for $J2 $((15 * SLOW)); r2=$rc
el=$(since "$t0")
[ $r0 = 69 ] && [ $r2 = 69 ] && within "$el" $((4 + 2 * SLOW)) &&
    grep -q "not all 3 workers joined" "$W/j0.out"
check "a worker that never joins: the others end with 69 (${el} s)" $? "$r0 $r2 $(cat "$W/j0.out")"
wait_for $TPID $((15 * SLOW))
[ $rc = 69 ] && grep -q "2 of 3 workers joined" "$W/tj.out"
check "... and the tracker gives up" $? "$rc $(cat "$W/tj.out")"

# Shards that do not match the manifest are refused.
cp -r "$SH" "$W/tam"
awk 'NR == 5 { $1 = 1 - $1 } { print }' "$SH/shard-1.train.libsvm" \
    >"$W/tam/shard-1.train.libsvm"
"$TRAIN" --db "$W/t.db" --shards "$W/tam" --tracker 127.0.0.1:1 --rank 1 \
    >"$W/out" 2>&1
[ $? = 65 ] && grep -q "shard-1.train.libsvm: its SHA-256" "$W/out"
check "a tampered shard is refused (65)" $? "$(cat "$W/out")"
t0=$(now)
"$TRAIN" --db "$W/t.db" --workers 3 --shards "$W/tam" >"$W/out" 2>&1
rc=$?
[ $rc = 65 ] && within "$(since "$t0")" $((3 * SLOW))
check "--workers refuses it before starting anything (65)" $? "$rc $(cat "$W/out")"
cp "$SH/shard-1.train.libsvm" "$W/tam/"
truncate -s -1 "$W/tam/shard-2.valid.libsvm"
"$TRAIN" --db "$W/t.db" --shards "$W/tam" --tracker 127.0.0.1:1 --rank 2 \
    >"$W/out" 2>&1
[ $? = 65 ] && grep -q "the manifest says" "$W/out"
check "a truncated shard is refused (65)" $? "$(cat "$W/out")"
rm "$W/tam/shard-0.lines.csv"
"$TRAIN" --db "$W/t.db" --shards "$W/tam" --tracker 127.0.0.1:1 --rank 0 \
    >"$W/out" 2>&1
check "a missing shard file (66)" "$([ $? = 66 ]; echo $?)" "$(cat "$W/out")"

# Options.
usage() { # usage NAME ARGS...: exit 64
    name=$1; shift
    "$@" >"$W/out" 2>&1
    check "$name (64)" "$([ $? = 64 ]; echo $?)" "$(cat "$W/out")"
}
usage "--rank without --shards" "$TRAIN" --db "$W/t.db" --rank 0
usage "--workers with --rank" "$TRAIN" --db "$W/t.db" --workers 2 --rank 0
usage "a worker without a tracker" env -u DMLC_TRACKER_URI "$TRAIN" \
    --db "$W/t.db" --shards "$SH" --rank 0
usage "a tracker address without a port" "$TRAIN" --db "$W/t.db" \
    --shards "$SH" --rank 0 --tracker 127.0.0.1
usage "a world size the shards do not have" "$TRAIN" --db "$W/t.db" \
    --shards "$SH" --rank 0 --world-size 2 --tracker 127.0.0.1:1
usage "--workers 2 on 3 shards" "$TRAIN" --db "$W/t.db" --workers 2 \
    --shards "$SH"
usage "--valid-days with shards" "$TRAIN" --db "$W/t.db" --shards "$SH" \
    --rank 0 --tracker 127.0.0.1:1 --valid-days 10
usage "--run-tracker without --world-size" "$TRAIN" --run-tracker 127.0.0.1:0
usage "export --shards without --training-set" "$TG" export --db "$W/t.db" \
    --out "$W/x" --shards 2
TRENDGUARD_PYTHON=$W/no-python "$TRAIN" --db "$W/t.db" --workers 2 \
    >"$W/out" 2>&1
rc=$?
[ $rc = 69 ] && grep -q "for the tracker" "$W/out"
check "no Python for the tracker: a clear error (69)" $? "$rc $(cat "$W/out")"
finish
