#!/bin/sh
# End to end through the real binaries: `trendguard export` of a demo store
# (scored, nudged) and of the real Online Retail sample: clean runs, row
# counts against the store, keys that join, the same bytes twice, --since,
# and the exit codes for bad inputs. Needs the sqlite3 shell (the joins
# are checked in it). One "ok"/"FAIL" line per check; the last line counts
# them.
set -u
BUILD=${TG_BUILD:-build}
TG=$PWD/$BUILD/trendguard
TRAIN=$PWD/$BUILD/trendguard-train
RETAIL=${TG_RETAIL_SAMPLE:-$PWD/../shared/datasets/online_retail_sample.csv}
[ -f "$RETAIL" ] || RETAIL=/work/shared/datasets/online_retail_sample.csv
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
trap 'exit 143' INT TERM
. tests/tools/e2e_checks.sh
need sqlite3
exits() { # exits NAME EXPECTED_EXIT ACTUAL_EXIT
    if [ "$2" = "$3" ]; then ok "$1: exit $2"; else bad "$1: exit $3, expected $2"; cat "$W/out"; fi
}
equal() { # equal NAME EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then ok "$1: $2"; else bad "$1: $3, expected $2"; fi
}

# Data rows of an export CSV: records end with CRLF and the store's text
# holds no CR (ingest turns line breaks into spaces); less the header.
rows() { echo $(($(tr -cd '\r' <"$1" | wc -c) - 1)); }
# Rows of a store table.
count() { # count DB TABLE
    sqlite3 "$1" "SELECT count(*) FROM $2"
}

# The counts of an export in DIR against the store DB.
export_counts() { # export_counts NAME DB DIR
    equal "$1 purchase lines" "$(count "$2" purchases)" "$(rows "$3/fact_purchase_lines.csv")"
    equal "$1 returns" "$(count "$2" returns)" "$(rows "$3/fact_returns.csv")"
    equal "$1 scores" "$(count "$2" scores)" "$(rows "$3/fact_scores.csv")"
    equal "$1 interventions" "$(count "$2" interventions)" "$(rows "$3/fact_interventions.csv")"
    equal "$1 products" $(($(count "$2" products) + 1)) "$(rows "$3/dim_product.csv")"
    equal "$1 customers" $(($(count "$2" customers) + 1)) "$(rows "$3/dim_customer.csv")"
    equal "$1 hashtags" $(($(count "$2" hashtags) + 1)) "$(rows "$3/dim_trend.csv")"
    [ -f "$3/README.md" ]; check "$1: README.md written" $?
    (cd "$3" && sha256sum -c --quiet .trendguard-export); check "$1: the manifest vouches for every file" $?
}

# Loads an export into a scratch database and counts the fact keys that
# join no dimension row (0 expected).
orphans() { # orphans DIR
    rm -f "$W/joins.db"
    for f in "$1"/*.csv; do
        sqlite3 "$W/joins.db" ".import --csv '$f' $(basename "$f" .csv)"
    done
    q=""
    for fact in fact_purchase_lines fact_returns fact_interventions fact_scores; do
        for k in product customer trend; do
            q="$q + (SELECT count(*) FROM $fact f WHERE f.${k}_key NOT IN (SELECT ${k}_key FROM dim_$k))"
        done
        q="$q + (SELECT count(*) FROM $fact f WHERE f.date_key NOT IN (SELECT date_key FROM dim_date))"
    done
    for fact in fact_returns fact_interventions fact_scores; do
        q="$q + (SELECT count(*) FROM $fact f WHERE f.purchase_line_key <> '' AND f.purchase_line_key NOT IN (SELECT purchase_line_key FROM fact_purchase_lines))"
    done
    q="$q + (SELECT count(*) FROM fact_interventions WHERE decided_date_key <> '' AND decided_date_key NOT IN (SELECT date_key FROM dim_date))"
    sqlite3 "$W/joins.db" "SELECT 0 $q"
}

# ---- a demo store, scored and nudged -----------------------------------------
DB="$W/demo.db"
"$TG" gen --out "$W/gen" --scale demo >"$W/out" 2>&1; exits gen 0 $?
"$TG" ingest --db "$DB" "$W/gen" >"$W/out" 2>&1; exits ingest 0 $?
"$TRAIN" --db "$DB" --rounds 10 --eta 0.3 >"$W/out" 2>&1; exits train 0 $?
"$TG" score --db "$DB" >"$W/out" 2>&1; exits score 0 $?
"$TG" nudge --db "$DB" --process-queue >"$W/out" 2>&1; exits nudge 0 $?
"$TG" export --db "$DB" --out "$W/demo" >"$W/out" 2>&1; exits export 0 $?
export_counts demo "$DB" "$W/demo"
equal "demo joins" 0 "$(orphans "$W/demo")"
[ "$(rows "$W/demo/fact_scores.csv")" -gt 0 ]; check "demo: scores exported" $?
sed -n 2p "$W/demo/fact_purchase_lines.csv" | grep -q ',20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-9:]*Z,'
check "demo: ISO timestamps in fact_purchase_lines" $?

# The same bytes again, into the same folder (allowed: the manifest vouches
# for every file) and into another.
cp -r "$W/demo" "$W/demo.first"
"$TG" export --db "$DB" --out "$W/demo" >"$W/out" 2>&1; exits export-again 0 $?
"$TG" export --db "$DB" --out "$W/demo2/" >"$W/out" 2>&1; exits export-elsewhere 0 $?
again=""; elsewhere=""
for f in "$W/demo.first"/* "$W/demo.first/.trendguard-export"; do
    b=$(basename "$f")
    cmp -s "$f" "$W/demo/$b" || again="$again $b"
    cmp -s "$f" "$W/demo2/$b" || elsewhere="$elsewhere $b"
done
[ -z "$again" ]; check "export-again: the same bytes in every file" $? "differs:$again"
[ -z "$elsewhere" ]; check "export-elsewhere: the same bytes in every file" $? "differs:$elsewhere"

# --since: the lines from that day on.
"$TG" export --db "$DB" --out "$W/since" --since 2026-09-01 >"$W/out" 2>&1; exits since 0 $?
want=$(sqlite3 "$DB" "SELECT count(*) FROM purchases WHERE ordered_at >= strftime('%s', '2026-09-01')")
[ "$want" -gt 0 ]; check "since: the store has lines from 2026-09-01 ($want)" $?
equal "since lines" "$want" "$(rows "$W/since/fact_purchase_lines.csv")"
equal "since joins" 0 "$(orphans "$W/since")"
first=$(sed -n '2p' "$W/since/dim_date.csv" | cut -d, -f1)
[ "$first" -ge 20260901 ] 2>/dev/null; check "since: dim_date starts on or after 2026-09-01" $? "$first"

# ---- bad inputs --------------------------------------------------------------
"$TG" export --db "$DB" >"$W/out" 2>&1; exits no-out 64 $?
"$TG" export --db "$DB" --out "$W/x" --since 2026-13-01 >"$W/out" 2>&1; exits bad-month 64 $?
"$TG" export --db "$DB" --out "$W/x" --since 20260901 >"$W/out" 2>&1; exits bad-date 64 $?
"$TG" export --db "$DB" --out "$W/x" --since 2026-09-01T10:00 >"$W/out" 2>&1; exits date-time 64 $?
"$TG" export --db "$DB" --out "$W/x" extra >"$W/out" 2>&1; exits extra-arg 64 $?
"$TG" export --db "$W/none.db" --out "$W/x" >"$W/out" 2>&1; exits no-store 66 $?
[ ! -e "$W/x" ]; check "a refused export creates no folder" $?
mkdir "$W/foreign" && echo "mine" >"$W/foreign/dim_trend.csv"
"$TG" export --db "$DB" --out "$W/foreign" >"$W/out" 2>&1; exits foreign-file 65 $?
grep -q "dim_trend.csv" "$W/out"; check "foreign-file: the file is named" $? "$(cat "$W/out")"
equal "foreign-file kept" mine "$(cat "$W/foreign/dim_trend.csv")"
equal "foreign-file nothing written" 1 "$(ls -A "$W/foreign" | wc -l)"
echo changed >>"$W/demo/dim_date.csv"
"$TG" export --db "$DB" --out "$W/demo" >"$W/out" 2>&1; exits changed-file 65 $?
: >"$W/plain"
"$TG" export --db "$DB" --out "$W/plain/sub" >"$W/out" 2>&1; exits cannot-create 74 $?

# ---- the real Online Retail sample -------------------------------------------
if [ -f "$RETAIL" ]; then
    OR="$W/retail.db"
    "$TG" ingest --db "$OR" --format online-retail "$RETAIL" >"$W/out" 2>&1
    rc=$?; [ $rc = 0 ] || [ $rc = 65 ]; check "retail ingest: exit 0 or 65" $? "exit $rc"
    "$TG" export --db "$OR" --out "$W/retail" >"$W/out" 2>&1; exits retail-export 0 $?
    export_counts retail "$OR" "$W/retail"
    equal "retail joins" 0 "$(orphans "$W/retail")"
    [ "$(rows "$W/retail/fact_purchase_lines.csv")" -gt 1000 ]; check "retail: more than 1000 lines" $?
else
    bad "no Online Retail sample at $RETAIL"
fi

finish
