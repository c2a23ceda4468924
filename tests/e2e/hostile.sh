#!/bin/sh
# Hostile input through the real binaries:
#   - CSV: SQL metacharacters and a 10 KB string in every field of every
#     TrendBuy file: stored exactly as text, or rejected with the column
#     named and the raw line kept byte for byte; every table still there;
#     a NUL byte and Latin-1 bytes: the row rejected with its reason, the
#     raw text kept with \xNN; numbers (1e400, 2^53+1, 2^53-1, 1e3):
#     rejected or exact;
#   - feed: 100,000 levels of nesting, 1e400, 2^53+1 and a fraction a
#     double cannot hold: refused or rejected, the store unchanged;
#     file://, gopher://, dict:// and ftp:// refused (64), 169.254.169.254
#     in any spelling and redirects to all of them refused (69), allowed
#     with --allow-link-local;
#   - model: 100,000 levels of nesting: a clean error (65), no crash;
#   - files that are not files (a FIFO, a device, a folder, a 2 GB sparse
#     file, a dangling symlink) as a model, an input, a store or the
#     registered model: a clear error at once (66, or 65 for the size);
#   - a store's schema version negative, huge, newer or missing: 65 with
#     advice that can work;
#   - two columns of one name (ingest, predict): refused with both named;
#     report --html never replaces a link, device or FIFO;
#   - ESC, BEL, C1 controls and bytes that are not UTF-8 in file names and
#     arguments: printed visibly, JSON still valid UTF-8;
#   - spreadsheet formulas (=, +, -, @, tab, CR) in product text and feed
#     hashtags: exported as text with a ', numbers untouched;
#   - export --out: files go only into DIR (.. in the path, a symlink or a
#     forged manifest in DIR write nothing outside it);
#   - the app's search box: SQL metacharacters and 10 KB of typing: no
#     crash, the literal text searched, no results or the literal match;
#   - a session named with a terminal's title escape (ESC ] 0; ... BEL)
#     and a byte that is not UTF-8: `sessions` prints it visibly (no
#     control byte reaches the terminal), --json stays valid UTF-8.
# One "ok"/"FAIL" line per check; the last line counts them.
set -u
BUILD=${TG_BUILD:-build}
TG=$PWD/$BUILD/trendguard
TRAIN=$PWD/$BUILD/trendguard-train
GOOD=$PWD/tests/fixtures/ingest/good
W=$(mktemp -d)
SOCK="tg-hostile-$$"
T="tmux -L $SOCK -f /dev/null"
FS_PID=
trap '[ -n "$FS_PID" ] && kill "$FS_PID" 2>/dev/null; $T kill-server 2>/dev/null; rm -rf "$W"' EXIT
trap 'exit 143' INT TERM
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
. tests/tools/e2e_checks.sh
need sqlite3
hex() { od -An -v -tx1 | tr -d ' \n' | tr a-f A-F; }
tables() { q "$1" "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master WHERE type IN ('table', 'view', 'trigger') ORDER BY name)"; }

# ---- CSV: every field --------------------------------------------------------------
DB="$W/csv.db"
"$TG" ingest --db "$DB" "$GOOD" >"$W/out" 2>&1
check "ingest the fixtures" $? "$(cat "$W/out")"
before=$(tables "$DB")
SQLV="x'); DROP TABLE products; -- \" OR 1=1; DELETE FROM customers WHERE ''='"
BIGV=$(awk 'BEGIN { s = ""; while (length(s) < 10240) s = s "A'\''\");DROP TABLE purchases;--"; print substr(s, 1, 10240) }')
# Where a text column lands when it is stored.
stored_in() { # stored_in FILE COLUMN -> "table column key-column"
    case "$1.$2" in
    products.name) echo "products name code" ;;
    products.brand) echo "products brand code" ;;
    customers.country) echo "customers country code" ;;
    tiktok_trends.creator) echo "trend_snapshots creator captured_at" ;;
    *) echo "" ;;
    esac
}
n_stored=0; n_rejected=0
for kind in sql big; do
    if [ $kind = sql ]; then val=$SQLV; else val=$BIGV; fi
    csvval=\"$(printf '%s' "$val" | sed 's/"/""/g')\"
    for f in products customers tiktok_trends purchases returns truth; do
        hdr=$(head -n 1 "$GOOD/$f.csv")
        row=$(sed -n 2p "$GOOD/$f.csv")
        ncol=$(echo "$hdr" | awk -F, '{ print NF }')
        c=1
        while [ $c -le "$ncol" ]; do
            col=$(echo "$hdr" | cut -d, -f$c)
            # A fresh key per case (a time for the trends), then the value.
            key=$(echo "$row" | awk -F, -v k="$kind" -v c=$c '{
                if ($1 ~ /^20/) printf "2026-07-%02dT%02d:00:00Z", (k == "sql" ? 1 : 2), c
                else printf "%s%s%02d", $1, (k == "sql" ? "S" : "B"), c }')
            line=$(echo "$row" | awk -F, -v OFS=, -v key="$key" -v c=$c '{ $1 = key; $c = "@V@"; print }')
            file="$W/${f}_${kind}_$col.csv"
            { echo "$hdr"; printf '%s\n' "$line" | awk -v v="$csvval" '{ i = index($0, "@V@"); print substr($0, 1, i - 1) v substr($0, i + 3) }'; } >"$file"
            "$TG" ingest --db "$DB" "$file" >"$W/out" 2>&1; rc=$?
            name="csv $kind in $f.$col"
            base=$(basename "$file")
            if [ $rc = 0 ]; then
                set -- $(stored_in "$f" "$col")
                if [ $# = 3 ]; then
                    kv=$key; [ "$3" = captured_at ] && kv=$(q "$DB" "SELECT CAST(strftime('%s', '$key') AS INTEGER)")
                    got=$(q "$DB" "SELECT hex($2) FROM $1 WHERE $3 = '$kv'")
                    [ "$got" = "$(printf '%s' "$val" | hex)" ]
                    check "$name: stored exactly as text" $? "$(echo "$got" | head -c 80)"
                    n_stored=$((n_stored + 1))
                else bad "$name: loaded, but the test does not know where to look"; fi
            elif [ $rc = 65 ]; then
                r=$(q "$DB" "SELECT column_name || ': ' || reason FROM rejects WHERE file LIKE '%$base'")
                raw=$(q "$DB" "SELECT hex(raw) FROM rejects WHERE file LIKE '%$base'")
                want=$(sed -n 2p "$file" | tr -d '\n' | hex)
                case "$r" in *"$col"*|*"${col%s}"*) named=0 ;; *) named=1 ;; esac
                [ $named = 0 ] && [ "$raw" = "$want" ]
                check "$name: rejected naming the column, raw kept ($(echo "$r" | cut -c1-60))" $? \
                    "reason '$(echo "$r" | head -c 200)'; raw $( [ "$raw" = "$want" ] && echo same || echo differs)"
                n_rejected=$((n_rejected + 1))
            else bad "$name: exit $rc: $(tail -n 1 "$W/out" | head -c 300)"; fi
            c=$((c + 1))
        done
    done
done
echo "# csv: $n_stored values stored as text, $n_rejected rejected with a reason"
[ "$(tables "$DB")" = "$before" ]; check "csv: every table, view and trigger still there" $?
intact "$DB"; check "csv: integrity" $?
[ "$(q "$DB" "SELECT count(*) FROM customers")" -ge 3 ]; check "csv: no customer deleted" $?

# A NUL byte and Latin-1 in a name: the row is rejected with the reason and
# its raw text keeps the bytes as \xNN; the file's good row loads.
printf 'product_id,name,category,brand,price,fit_bias,sizes,tags,launch_date\nP0000801,nul\000byte,dresses,B,10,runs_small,S,midisummer,2026-05-01\nP0000802,caf\351 cr\350me,dresses,B,10,runs_small,S,midisummer,2026-05-01\nP0000803,Caf\303\251 Cr\303\250me,dresses,B,10,runs_small,S,midisummer,2026-05-01\n' >"$W/bytes.csv"
"$TG" ingest --db "$DB" "$W/bytes.csv" >"$W/out" 2>&1
check "csv bytes: exit 65 (rows rejected, the rest loaded)" $((${?} != 65)) "$(cat "$W/out")"
r=$(q "$DB" "SELECT reason || ' | ' || raw FROM rejects WHERE file LIKE '%bytes.csv' AND line = 2")
case "$r" in *"NUL byte"*'nul\x00byte'*) ok "csv: a NUL byte is rejected, raw kept as \\x00 ($r)" ;; *) bad "csv: NUL byte: '$r'" ;; esac
r=$(q "$DB" "SELECT reason || ' | ' || raw FROM rejects WHERE file LIKE '%bytes.csv' AND line = 3")
case "$r" in *"UTF-8"*'caf\xe9 cr\xe8me'*) ok "csv: Latin-1 is rejected as not UTF-8, raw kept as \\xNN ($r)" ;; *) bad "csv: Latin-1: '$r'" ;; esac
[ "$(q "$DB" "SELECT hex(name) FROM products WHERE code = 'P0000803'")" = "$(printf 'Caf\303\251 Cr\303\250me' | hex)" ]
check "csv: the UTF-8 row beside them loads exactly" $?

# Numbers: rejected, or exact.
printf 'captured_at,hashtag,creator,views,likes,shares,comments\n2026-08-01T00:00:00Z,midisummer,@n,1e400,1,1,1\n2026-08-02T00:00:00Z,midisummer,@n,9007199254740993,1,1,1\n2026-08-03T00:00:00Z,midisummer,@n,9007199254740991,1,1,1\n2026-08-04T00:00:00Z,midisummer,@n,1e3,1,1,1\n2026-08-05T00:00:00Z,midisummer,@n,-1,1,1,1\n2026-08-06T00:00:00Z,midisummer,@n,12.5,1,1,1\n' >"$W/numbers.csv"
printf 'line_id,p_return\nL0000001,1e400\n' >"$W/truth_big.csv"
"$TG" ingest --db "$DB" "$W/numbers.csv" "$W/truth_big.csv" >"$W/out" 2>&1
views() { q "$DB" "SELECT views FROM trend_snapshots WHERE captured_at = CAST(strftime('%s', '$1') AS INTEGER)"; }
reason() { q "$DB" "SELECT reason FROM rejects WHERE file LIKE '%$1' AND line = $2"; }
for case in "2:1e400" "3:9007199254740993" "6:-1" "7:12.5"; do
    l=${case%%:*}; v=${case#*:}
    r=$(reason numbers.csv "$l")
    [ -n "$r" ] && [ -z "$(views 2026-08-0$((l - 1))T00:00:00Z)" ]
    check "csv: views $v rejected ($r)" $?
done
[ "$(views 2026-08-03T00:00:00Z)" = 9007199254740991 ]; check "csv: views 2^53-1 stored exactly" $?
[ "$(views 2026-08-04T00:00:00Z)" = 1000 ]; check "csv: views 1e3 stored as 1000" $?
r=$(reason truth_big.csv 2); [ -n "$r" ]; check "csv: p_return 1e400 rejected ($r)" $?
# A fraction a double cannot hold must not become a whole number (the
# double nearest 4503599627370497.5 is a whole one).
printf 'captured_at,hashtag,creator,views,likes,shares,comments\n2026-08-09T00:00:00Z,midisummer,@n,4503599627370497.5,1,1,1\n' >"$W/inexact.csv"
"$TG" ingest --db "$DB" "$W/inexact.csv" >"$W/out" 2>&1; rc=$?
v=$(views 2026-08-09T00:00:00Z); r=$(reason inexact.csv 2)
[ $rc = 65 ] && [ -z "$v" ] && [ -n "$r" ]
check "csv: views 4503599627370497.5 rejected, not rounded to a count ($r)" $? "exit $rc; stored as '$v'"

# ---- feed --------------------------------------------------------------------------
FIX="$W/feeds"; mkdir "$FIX"
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "["; for (i = 0; i < 100000; i++) printf "]"; print "" }' >"$FIX/deep_arrays.json"
awk 'BEGIN { printf "{\"format\":\"trendguard-feed\",\"version\":1,\"snapshots\":[{\"hashtag\":\"deep\",\"captured_at\":\"2026-05-01T00:00:00Z\",\"views\":1,\"x\":"
             for (i = 0; i < 100000; i++) printf "{\"a\":"; printf "1"; for (i = 0; i < 100000; i++) printf "}"; print "}]}" }' >"$FIX/deep_objects.json"
item() { printf '{"hashtag":"%s","captured_at":"2026-05-01T00:00:00Z","views":%s}' "$1" "$2"; }
{ printf '{"format":"trendguard-feed","version":1,"snapshots":['
  item numhuge 1e400; printf ,; item numbig 9007199254740993; printf ,
  item nummax 9007199254740991; printf ,; item numexp 1e3; printf ']}\n'; } >"$FIX/numbers.json"
{ printf '{"format":"trendguard-feed","version":1,"snapshots":['
  item numfrac 4503599627370497.5; printf ']}\n'; } >"$FIX/inexact.json"
feed_server_start "$W" "$FIX/deep_arrays.json" 600
check "start the feed server" $? "$(cat "$W/fs.out")"
BASE=$FS_BASE
PORT=${BASE##*:}
# The server serves /tiktok.json (the file it was started with) and the
# fixtures by name from tests/fixtures/feed relative to its folder: link
# ours there.
mkdir -p "$W/tests/fixtures"; ln -s "$FIX" "$W/tests/fixtures/feed"
FDB="$W/feed.db"; cp "$DB" "$FDB"
sig() { q "$FDB" "SELECT (SELECT count(*) FROM trend_snapshots) || ' ' || (SELECT count(*) FROM hashtags) || ' ' || (SELECT count(*) FROM ingest_files) || ' ' || (SELECT count(*) FROM feed_sources)"; }
s0=$(sig)
"$TG" sync --db "$FDB" --url "$BASE/tiktok.json" >"$W/out" 2>&1; rc=$?
[ $rc = 65 ] && grep -q "nested deeper than 64 levels" "$W/out"
check "feed: 100,000 nested arrays refused (65), no crash" $? "exit $rc: $(head -c 300 "$W/out")"
"$TG" sync --db "$FDB" --url "$BASE/fixture/deep_objects.json" >"$W/out" 2>&1; rc=$?
[ $rc = 65 ] && grep -q "nested deeper than 64 levels" "$W/out"
check "feed: 100,000 nested objects refused (65), no crash" $? "exit $rc: $(head -c 300 "$W/out")"
[ "$(sig)" = "$s0" ]; check "feed: refused documents leave the store as it was" $?
"$TG" sync --db "$FDB" --url "$BASE/fixture/numbers.json" >"$W/out" 2>&1; rc=$?
fv() { q "$FDB" "SELECT s.views FROM trend_snapshots s JOIN hashtags h ON h.id = s.hashtag_id WHERE h.name = '$1'"; }
rj() { q "$FDB" "SELECT reason FROM rejects WHERE column_name LIKE '%views' AND raw LIKE '%$1%'"; }
[ $rc = 65 ]; check "feed numbers: bad items rejected, the rest loaded (65)" $? "exit $rc: $(cat "$W/out")"
[ -z "$(fv numhuge)" ] && [ -n "$(rj numhuge)" ]; check "feed: views 1e400 rejected ($(rj numhuge))" $?
[ -z "$(fv numbig)" ] && [ -n "$(rj numbig)" ]; check "feed: views 2^53+1 rejected ($(rj numbig))" $?
[ "$(fv nummax)" = 9007199254740991 ]; check "feed: views 2^53-1 stored exactly" $?
[ "$(fv numexp)" = 1000 ]; check "feed: views 1e3 stored as 1000" $?
s1=$(sig)
"$TG" sync --db "$FDB" --url "$BASE/fixture/inexact.json" >"$W/out" 2>&1; rc=$?
[ $rc = 65 ] && grep -q "fraction a double cannot hold" "$W/out" && [ "$(sig)" = "$s1" ]
check "feed: 4503599627370497.5 refused, not rounded to a count" $? "exit $rc: $(cat "$W/out")"

# Spreadsheet formulas: text from a CSV or the feed that begins with =, +,
# -, @, a tab or CR is exported quoted with a ' before it (read as text);
# numbers, negative ones too, stay numbers.
{ printf '{"format":"trendguard-feed","version":1,"snapshots":['
  item '=1+1' 10; printf ,; item '@evil' 11; printf ,; item '+x' 12; printf ,
  item '-y' 13; printf ']}\n'; } >"$FIX/formulas.json"
cp "$FDB" "$W/fm.db"
"$TG" sync --db "$W/fm.db" --url "$BASE/fixture/formulas.json" >"$W/out" 2>&1; rc=$?
mkdir "$W/fm"; cp "$GOOD"/*.csv "$W/fm/"
printf '%s\n' 'P009001,"=HYPERLINK(""http://evil.example"",""click"")",dresses,"+cmd|'"'"' /C calc'"'"'!A0",19.99,true_to_size,S|M,midisummer,2026-05-01' \
    'P009002,@SUM(A1),dresses,-2+3,9.99,true_to_size,S|M,midisummer,2026-05-01' >>"$W/fm/products.csv"
"$TG" ingest --db "$W/fm.db" "$W/fm/products.csv" >>"$W/out" 2>&1
"$TG" export --db "$W/fm.db" --out "$W/fmx" >>"$W/out" 2>&1; rc=$?
check "formulas: sync, ingest and export ran (exit $rc)" $rc "$(tail -n 5 "$W/out")"
# What each file must hold, a field per line (TAB and CR written as such).
cat >"$W/fm.want" <<'WANT'
dim_trend.csv "'=1+1"
dim_trend.csv "'@evil"
dim_trend.csv "'+x"
dim_trend.csv "'-y"
dim_product.csv "'=HYPERLINK(""http://evil.example"",""click"")"
dim_product.csv "'+cmd|' /C calc'!A0"
dim_product.csv "'@SUM(A1)"
dim_product.csv "'-2+3"
WANT
while read -r file want; do
    grep -qF -- ",$want," "$W/fmx/$file"
    check "formulas: $file has $want" $? "$(grep -F -e P0090 -e "'" "$W/fmx/$file")"
done <"$W/fm.want"
! cut -d, -f1 "$W/fmx/fact_purchase_lines.csv" "$W/fmx/dim_date.csv" | grep -q "'"
check "formulas: keys and numbers never get a '" $?
grep -q '^-1,' "$W/fmx/dim_product.csv"; check "formulas: the key -1 stays a number" $?
grep -q "OWASP" "$W/fmx/README.md"; check "formulas: the export's README says what the ' is" $?

# Schemes and addresses.
for u in "file:///etc/passwd" "gopher://127.0.0.1:$PORT/" "dict://127.0.0.1:$PORT/" "ftp://127.0.0.1:$PORT/x"; do
    "$TG" sync --db "$FDB" --url "$u" >"$W/out" 2>&1; rc=$?
    [ $rc = 64 ] && grep -q "only http:// and https://" "$W/out"
    check "sync refuses $u (64)" $? "exit $rc: $(cat "$W/out")"
done
for u in "http://169.254.169.254/latest/meta-data/" "http://2852039166/" "http://0xa9fea9fe/" \
         "http://169.254.43518/" "http://[::ffff:169.254.169.254]/" "http://[fe80::1]/" \
         "https://169.254.169.254/" "http://user:pw@169.254.169.254/"; do
    "$TG" sync --db "$FDB" --timeout 5 --url "$u" >"$W/out" 2>&1; rc=$?
    [ $rc = 69 ] && grep -q "link-local" "$W/out" && ! grep -q "pw@" "$W/out"
    check "sync refuses $u (69)" $? "exit $rc: $(cat "$W/out")"
done
for r in redirect-file redirect-gopher redirect-metadata; do
    "$TG" sync --db "$FDB" --timeout 5 --url "$BASE/$r" >"$W/out" 2>&1; rc=$?
    # (A route the server lacks is exit 69 too: the message must be the
    # refusal's.)
    [ $rc = 69 ] && grep -q "redirect to .*refused" "$W/out"
    check "sync refuses /$r (69)" $? "exit $rc: $(cat "$W/out")"
done
# Allowed when asked: through the loopback server as a proxy (it answers
# 404 to any absolute URI), the metadata URL is requested, not refused.
http_proxy="$BASE" "$TG" sync --db "$FDB" --timeout 5 --allow-link-local \
    --url "http://169.254.169.254/latest/meta-data/" >"$W/out" 2>&1; rc=$?
[ $rc = 69 ] && ! grep -q "refused" "$W/out" && grep -q "404" "$W/out"
check "sync --allow-link-local requests 169.254.169.254" $? "exit $rc: $(cat "$W/out")"
[ "$(sig)" = "$s1" ]; check "feed: refusals leave the store as it was" $?
kill "$FS_PID" 2>/dev/null; wait "$FS_PID" 2>/dev/null; FS_PID=

# ---- model -------------------------------------------------------------------------
printf 'age,size\n1,2\n' >"$W/rows.csv"
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "{\"learner\":"; printf "1"; for (i = 0; i < 100000; i++) printf "}"; print "" }' >"$W/deep_model.json"
"$TG" predict --model "$W/deep_model.json" "$W/rows.csv" >"$W/out" 2>&1; rc=$?
[ $rc = 65 ] && grep -q "nested deeper than 64 levels" "$W/out"
check "model: 100,000 nested objects: a clean error (65)" $? "exit $rc: $(head -c 300 "$W/out")"
"$TG" predict --model "$FIX/deep_arrays.json" "$W/rows.csv" >"$W/out" 2>&1; rc=$?
[ $rc = 65 ]; check "model: 100,000 nested arrays: a clean error (65)" $? "exit $rc: $(head -c 300 "$W/out")"
"$TG" score --db "$DB" --model "$W/deep_model.json" >"$W/out" 2>&1; rc=$?
[ $rc = 65 ]; check "score --model with 100,000 levels: a clean error (65)" $? "exit $rc: $(head -c 300 "$W/out")"

# ---- files that are not files ------------------------------------------------------
# Every file read must be a regular file, size-checked before it is read:
# anything else is a clear error at once, never a wait or a whole read.
mkfifo "$W/fifo.json" "$W/fifo.csv"
mkdir "$W/dir.json"
truncate -s 2G "$W/sparse.json"
ln -s "$W/nowhere.json" "$W/dangling.json"
# not_file WHAT CODE SAYS CMD...: exits CODE within 5 s, saying SAYS.
not_file() {
    what=$1 code=$2 says=$3; shift 3
    timeout 5 "$@" >"$W/out" 2>&1; rc=$?
    [ $rc = "$code" ] && grep -qi -- "$says" "$W/out"
    check "$what: exit $code at once, '$says'" $? "exit $rc: $(head -c 300 "$W/out")"
}
for cmdname in predict score; do
    case $cmdname in
    predict) set -- "$TG" predict "$W/rows.csv" --model ;;
    score) set -- "$TG" score --db "$DB" --model ;;
    esac
    not_file "$cmdname --model FIFO" 66 "is a pipe (FIFO), not a regular file" "$@" "$W/fifo.json"
    not_file "$cmdname --model /dev/zero" 66 "is a character device" "$@" /dev/zero
    not_file "$cmdname --model a folder" 66 "is a folder" "$@" "$W/dir.json"
    not_file "$cmdname --model a 2 GB sparse file" 65 "more than the" "$@" "$W/sparse.json"
    not_file "$cmdname --model a dangling symlink" 66 "no such" "$@" "$W/dangling.json"
done
not_file "ingest FIFO" 66 "is a pipe (FIFO)" "$TG" ingest --db "$W/f.db" "$W/fifo.csv"
not_file "ingest /dev/zero" 66 "is a character device" "$TG" ingest --db "$W/f.db" /dev/zero
not_file "ingest a dangling symlink" 66 "no such file" "$TG" ingest --db "$W/f.db" "$W/dangling.json"
# A FIFO among good files: nothing is loaded.
mkdir "$W/mixed"; cp "$GOOD"/*.csv "$W/mixed/"; mkfifo "$W/mixed/zz.csv"
not_file "ingest a folder with a FIFO in it" 66 "zz.csv: is a pipe" "$TG" ingest --db "$W/mixed.db" "$W/mixed"
[ "$(q "$W/mixed.db" "SELECT count(*) FROM products" 2>/dev/null || echo 0)" = 0 ]
check "the folder's good files were not loaded before the FIFO" $?
not_file "--db FIFO" 66 "is a pipe (FIFO)" "$TG" status --db "$W/fifo.json"
not_file "--db /dev/zero" 66 "is a character device, not a store file" "$TG" status --db /dev/zero
# A registered model replaced by a FIFO: score refuses it at once.
cp tests/fixtures/models/tiny.json "$W/reg.json"
cp "$DB" "$W/reg.db"
"$TG" score --db "$W/reg.db" --model "$W/reg.json" >"$W/out" 2>&1
rm "$W/reg.json"; mkfifo "$W/reg.json"
not_file "score with the registered model now a FIFO" 66 "is a pipe (FIFO)" "$TG" score --db "$W/reg.db"
# Standard input is still read when asked for.
timeout 5 "$TG" predict --model tests/fixtures/models/tiny.json <"$W/rows.csv" >"$W/out" 2>&1; rc=$?
[ $rc = 0 ] && [ "$(cat "$W/out")" = 0.651354909 ]
check "predict still reads standard input" $? "exit $rc: $(head -c 300 "$W/out")"
printf 'age,size\n1,2\n' | timeout 5 "$TG" predict --model tests/fixtures/models/tiny.json >"$W/out" 2>&1; rc=$?
[ $rc = 0 ] && [ "$(cat "$W/out")" = 0.651354909 ]
check "predict still reads standard input from a pipe" $? "exit $rc: $(head -c 300 "$W/out")"

# ---- leftovers ---------------------------------------------------------------------
# Two columns of one name: refused with both named, in ingest and predict.
printf 'product_id,name,category,price,sizes,Name\nP1,a,tops,1,S,b\n' >"$W/dup.csv"
"$TG" ingest --db "$W/dup.db" "$W/dup.csv" >"$W/out" 2>&1; rc=$?
[ $rc = 65 ] && grep -q "columns 2 and 6 are both named 'name'" "$W/out"
check "ingest: two columns named name refused (65), both named" $? "exit $rc: $(cat "$W/out")"
printf 'age,size,AGE\n1,2,3\n' >"$W/dup2.csv"
"$TG" predict --model tests/fixtures/models/tiny.json "$W/dup2.csv" >"$W/out" 2>&1; rc=$?
[ $rc = 65 ] && grep -q "columns 1 and 3 are both named 'age'" "$W/out"
check "predict: two columns named age refused (65), both named" $? "exit $rc: $(cat "$W/out")"
# report --html replaces only a regular file.
echo precious >"$W/target.html"; ln -s "$W/target.html" "$W/link.html"
"$TG" report --db "$DB" --html "$W/link.html" >"$W/out" 2>&1; rc=$?
[ $rc = 64 ] && [ -L "$W/link.html" ] && [ "$(cat "$W/target.html")" = precious ] &&
    grep -q "is a symbolic link" "$W/out"
check "report --html refuses to replace a symlink (64), the target untouched" $? "exit $rc: $(cat "$W/out")"
"$TG" report --db "$DB" --html /dev/null >"$W/out" 2>&1; rc=$?
[ $rc = 64 ] && [ -c /dev/null ] && grep -q "is a character device" "$W/out"
check "report --html refuses to replace a device (64)" $? "exit $rc: $(cat "$W/out")"
"$TG" report --db "$DB" --html "$W/fifo.json" >"$W/out" 2>&1; rc=$?
[ $rc = 64 ] && [ -p "$W/fifo.json" ]; check "report --html refuses to replace a FIFO (64)" $? "exit $rc: $(cat "$W/out")"
"$TG" report --db "$DB" --html "$W/new.html" >"$W/out" 2>&1; rc=$?
[ $rc = 0 ] && [ -f "$W/new.html" ]; check "report --html writes a new file" $? "exit $rc: $(cat "$W/out")"
# A length limit is counted, and said, in bytes: 200 characters of 2 bytes
# are over the 300 of a name.
long=$(awk 'BEGIN { while (i++ < 200) printf "\303\251" }')
printf 'product_id,name,category,price,sizes\nP2,%s,tops,1,S\n' "$long" >"$W/long.csv"
"$TG" ingest --db "$W/long.db" "$W/long.csv" >"$W/out" 2>&1
r=$(q "$W/long.db" "SELECT reason FROM rejects")
case $r in *"bytes of UTF-8"*) true ;; *) false ;; esac
check "a length limit says bytes ($r)" $?

# ---- untrusted text on a terminal and in JSON --------------------------------------
# Paths and arguments from outside are printed with control characters and
# bytes that are not UTF-8 made visible; JSON stays valid UTF-8.
ESCN=$(printf 'p\033]0;owned\007\233\377.csv')
mkdir "$W/esc"; cp "$GOOD/products.csv" "$W/esc/$ESCN"
"$TG" ingest --db "$W/esc.db" "$W/esc" >"$W/out" 2>&1; rc=$?
[ $rc = 0 ] && ! LC_ALL=C grep -q "$(printf '[\033\007\233\377]')" "$W/out" && grep -qF '\x1b]0;owned\x07' "$W/out"
check "ingest prints a file named with ESC, BEL, C1 and a bad byte made visible" $? "exit $rc: $(od -c "$W/out" | head -5)"
"$TG" ingest --json --db "$W/esc2.db" "$W/esc" >"$W/out" 2>&1; rc=$?
[ $rc = 0 ] && iconv -f UTF-8 -t UTF-8 "$W/out" >/dev/null 2>&1 && sqlite3 :memory: "SELECT json_valid(readfile('$W/out'))" | grep -q 1
check "ingest --json with such a file name is valid UTF-8 and valid JSON" $? "exit $rc: $(od -c "$W/out" | head -5)"
for a in "$(printf '/tmp/\033[2J\033]0;x\007.db')" "$(printf '/tmp/\302\233\377.db')"; do
    "$TG" status --db "$a" >"$W/out" 2>&1; rc=$?
    [ $rc = 66 ] && ! LC_ALL=C grep -q "$(printf '[\033\007\233\377]')" "$W/out"
    check "an error naming a path with controls shows them visibly (66)" $? "exit $rc: $(od -c "$W/out" | head -3)"
done
"$TG" status "$(printf '\033[31mred')" >"$W/out" 2>&1; rc=$?
[ $rc = 64 ] && ! LC_ALL=C grep -q "$(printf '\033')" "$W/out"
check "a usage error quoting an argument with ESC shows it visibly (64)" $? "exit $rc: $(od -c "$W/out" | head -3)"

# Controls in a CSV cell (ESC, BEL, C1 CSI, NEL) reject the row with its
# reason: no store text can carry them to a terminal.
printf 'product_id,name,category,price,sizes\nPC1,a\033[2Jb,tops,1,S\nPC2,bell\007,tops,1,S\nPC3,c1 \302\233 31m,tops,1,S\nPC4,nel\302\205,tops,1,S\nPC5,fine,tops,1,S\n' >"$W/ctl.csv"
"$TG" ingest --db "$W/ctl.db" "$W/ctl.csv" >"$W/out" 2>&1; rc=$?
[ $rc = 65 ] && [ "$(q "$W/ctl.db" "SELECT count(*) FROM rejects WHERE reason = 'name has a control character'")" = 4 ] &&
    [ "$(q "$W/ctl.db" "SELECT group_concat(code) FROM products")" = PC5 ]
check "csv: ESC, BEL, C1 CSI and NEL in a name: 4 rows rejected with the reason, the good one loaded" $? "exit $rc: $(q "$W/ctl.db" "SELECT line, reason FROM rejects")"

# ---- store metadata out of range ---------------------------------------------------
for v in -1 -5 -2147483648 99 2147483647 0; do
    cp "$DB" "$W/v.db"; sqlite3 "$W/v.db" "PRAGMA user_version = $v"
    timeout 10 "$TG" status --db "$W/v.db" >"$W/out" 2>&1; rc=$?
    case $v in
    -*) says="is not one TrendGuard writes" ;;
    0) says="has tables but no schema version" ;;
    *) says="newer than this build's" ;;
    esac
    [ $rc = 65 ] && grep -q -- "$says" "$W/out" && ! grep -q "read-write to migrate" "$W/out"
    check "store schema version $v: 65, '$says'" $? "exit $rc: $(head -c 300 "$W/out")"
    timeout 10 "$TG" sessions --db "$W/v.db" >"$W/out" 2>&1; rc=$?
    [ $rc = 65 ] && ! grep -q "read-write to migrate" "$W/out"
    check "store schema version $v read-only: 65, no advice that cannot work" $? "exit $rc: $(head -c 300 "$W/out")"
done

# ---- export --out ------------------------------------------------------------------
mkdir -p "$W/ex/a" "$W/ex/b"
( cd "$W/ex/a" && "$TG" export --db "$DB" --out ../b/../c ) >"$W/out" 2>&1; rc=$?
[ $rc = 0 ] && [ -f "$W/ex/c/dim_date.csv" ] && [ -z "$(ls -A "$W/ex/a")" ] && [ -z "$(ls -A "$W/ex/b")" ]
check "export --out ../b/../c writes into that folder only" $? "exit $rc: $(cat "$W/out"); $(ls -R "$W/ex" | tr '\n' ' ')"
# A symlink in DIR with an export file's name, pointing outside.
mkdir "$W/ex/link"; echo precious >"$W/ex/outside.txt"
ln -s ../outside.txt "$W/ex/link/dim_date.csv"
"$TG" export --db "$DB" --out "$W/ex/link" >"$W/out" 2>&1; rc=$?
[ $rc = 65 ] && [ "$(cat "$W/ex/outside.txt")" = precious ] && [ "$(ls -A "$W/ex/link")" = dim_date.csv ]
check "export refuses a symlink in DIR, the target untouched" $? "exit $rc: $(cat "$W/out")"
# A forged manifest listing files outside DIR with their true hashes.
mkdir "$W/ex/forged"; echo victim >"$W/ex/victim.csv"
h=$(sha256sum <"$W/ex/victim.csv" | cut -d' ' -f1)
printf '%s  ../victim.csv\n%s  /%s\n' "$h" "$h" "$W/ex/victim.csv" >"$W/ex/forged/.trendguard-export"
"$TG" export --db "$DB" --out "$W/ex/forged" >"$W/out" 2>&1; rc=$?
[ "$(cat "$W/ex/victim.csv")" = victim ] && [ "$(ls -A "$W/ex" | tr '\n' ' ')" = "a b c forged link outside.txt victim.csv " ]
check "export with a forged manifest writes nothing outside DIR (exit $rc)" $? "$(ls -A "$W/ex" | tr '\n' ' ')"

# ---- the app's search box ----------------------------------------------------------
ADB="$W/app.db"
"$TG" gen --out "$W/gen" --scale demo >/dev/null 2>&1
"$TG" ingest --db "$ADB" "$W/gen" >/dev/null 2>&1
"$TRAIN" --db "$ADB" --rounds 10 --eta 0.3 >/dev/null 2>&1
# A product named with SQL metacharacters, on a live trend: the one that
# gained the most views in the newest snapshots (Trending lists only the
# items of trends that are hot).
tag=$(q "$ADB" "SELECT h.name FROM trend_state ts JOIN hashtags h ON h.id = ts.hashtag_id WHERE ts.captured_at = (SELECT MAX(captured_at) FROM trend_snapshots) AND h.id IN (SELECT hashtag_id FROM product_tags WHERE rank = 0) ORDER BY ts.views_24h DESC LIMIT 1")
cat >"$W/evil.csv" <<'EOF'
product_id,name,category,brand,price,fit_bias,sizes,tags,launch_date
P9999999,"Robert'); DROP TABLE products;-- Dress",dresses,"O'Brien ""%_""",19.99,true_to_size,S|M|L,@TAG@,2026-05-01
EOF
sed -i "s/@TAG@/$tag/" "$W/evil.csv"
"$TG" ingest --db "$ADB" "$W/evil.csv" >"$W/out" 2>&1
check "app store: a product named with SQL metacharacters" $? "$(cat "$W/out")"
# 10 KB of typing into the search box, replayed: no crash, the box keeps
# what fits, literally.
{ echo /; printf '%s\n' "$BIGV" | fold -w 1 | sed 's/^ $/Space/'; echo Enter; echo Down; echo Enter; echo Esc; } >"$W/keys"
"$TG" --db "$ADB" --replay "$W/keys" --session big >/dev/null 2>"$W/err"; rc=$?
check "app: 10 KB typed into the search box (replay): exit 0" $rc "$(tail -n 3 "$W/err")"
s=$(q "$ADB" "SELECT detail FROM ui_events WHERE session = 'big' AND kind = 'search'")
want=$(printf '%s' "$BIGV" | tr -d '#' | cut -c1-63)
[ "$s" = "$want" ]; check "app: the search recorded is the literal text that fits (${#s} bytes)" $? "'$s'"
[ "$(tables "$ADB" | wc -w)" -gt 20 ] && [ "$(q "$ADB" 'PRAGMA integrity_check')" = ok ]
check "app: every table still there" $?
# A key script with a key it does not know: a clean error, no crash.
printf 'Down\nNoSuchKey\n' >"$W/badkeys"
"$TG" --db "$ADB" --replay "$W/badkeys" >/dev/null 2>"$W/err"; rc=$?
[ $rc = 65 ] && grep -q "unknown key 'NoSuchKey'" "$W/err" && [ "$(wc -l <"$W/err")" = 1 ]
check "app: --replay with an unknown key: a clean error (65)" $? "exit $rc: $(head -c 300 "$W/err")"
# tmux: type the metacharacters and read the screen.
cat >"$W/run.sh" <<EOF
"$TG" --db "$ADB" --session tmux
echo "EXITED \$?"
sleep 60
EOF
screen() { $T capture-pane -p -t app >"$W/screen" 2>/dev/null; }
wait_for() { # wait_for NAME TEXT
    i=0
    while [ $i -lt $((75 * ${TG_E2E_SLOW:-1})) ]; do
        screen
        if grep -qF -- "$2" "$W/screen"; then ok "$1"; return 0; fi
        sleep 0.2; i=$((i + 1))
    done
    bad "$1: no '$2' on screen"; cat "$W/screen"; return 1
}
typed() { # types TEXT literally, then Enter
    $T send-keys -t app -l -- "$1"; sleep 0.2; $T send-keys -t app Enter
}
started=0
for try in 1 2 3 4 5; do
    sleep 0.3
    $T new-session -d -s app -x 120 -y 30 "sh $W/run.sh" 2>/dev/null &&
        $T has-session -t app 2>/dev/null && { started=1; break; }
done
if [ $started = 1 ]; then
    wait_for "app: trending screen" "Trend (14 d)"
    $T send-keys -t app /; sleep 0.2
    typed "'; DROP TABLE products; --"
    wait_for "app: the search shows the text literally" "Search: '; DROP TABLE products; --"
    wait_for "app: no item matches it" "No trending item matches"
    $T send-keys -t app x; sleep 0.3
    $T send-keys -t app /; sleep 0.2
    typed "%_%"
    wait_for "app: the search shows %_% literally" "Search: %_%"
    wait_for "app: % and _ are not wildcards" "No trending item matches"
    $T send-keys -t app x; sleep 0.3
    $T send-keys -t app /; sleep 0.2
    typed "DROP TABLE products;--"
    wait_for "app: the product named with SQL is found literally" "Robert'); DROP TABLE products;-- Dress"
    $T send-keys -t app Enter
    wait_for "app: its item screen opens" "Regret risk"
    $T send-keys -t app q
    wait_for "app: quits with 0" "EXITED 0"
else
    bad "app: could not start tmux"
fi
[ "$(q "$ADB" "SELECT count(*) FROM products WHERE code = 'P9999999'")" = 1 ] &&
    [ "$(q "$ADB" 'PRAGMA integrity_check')" = ok ]
check "app: the products table and the product still there" $?

# ---- session names from participants -------------------------------------------
EVIL=$(printf 'lab\033]0;pwned\007\377-1')
printf 'Down\nq\n' >"$W/twokeys"
"$TG" --db "$ADB" --replay "$W/twokeys" --session "$EVIL" >/dev/null 2>"$W/err"
check "sessions: a session named with ESC ] 0; ... BEL and a bad byte is recorded" $? "$(head -c 300 "$W/err")"
# no_controls FILE: no byte below 0x20 but the line feed, no DEL, no C1.
no_controls() { ! LC_ALL=C grep -q "$(printf '[\001-\011\013-\037\177]')" "$1" && ! LC_ALL=C grep -qaP '\xc2[\x80-\x9f]' "$1"; }
utf8_json() { python3 -c 'import sys, json; json.loads(sys.stdin.buffer.read().decode("utf-8"))' <"$1"; }
"$TG" sessions --db "$ADB" >"$W/list" 2>&1
no_controls "$W/list" && grep -qF 'lab\x1b]0;pwned\x07\xff-1' "$W/list"
check "sessions: the name printed visibly, no control byte" $? "$(od -c "$W/list" | head -n 5)"
"$TG" sessions --db "$ADB" --session "$EVIL" >"$W/events" 2>&1
no_controls "$W/events" && grep -q "quit" "$W/events"
check "sessions --session: the events printed with no control byte" $? "$(od -c "$W/events" | head -n 5)"
"$TG" sessions --db "$ADB" --json >"$W/list.json" 2>&1 && utf8_json "$W/list.json"
check "sessions --json: valid UTF-8 JSON" $? "$(head -c 300 "$W/list.json")"
"$TG" sessions --db "$ADB" --session "$EVIL" --json >"$W/events.json" 2>&1 && utf8_json "$W/events.json"
check "sessions --session --json: valid UTF-8 JSON" $? "$(head -c 300 "$W/events.json")"
"$TG" sessions --db "$ADB" --session "$(printf 'no\033]0;such\007')" >"$W/out" 2>&1; rc=$?
[ $rc = 66 ] && no_controls "$W/out"
check "sessions: an unknown hostile name is named visibly (66)" $? "exit $rc: $(od -c "$W/out" | head -n 3)"

finish
