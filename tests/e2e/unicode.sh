#!/bin/sh
# Names as the terminal draws them, through the real app in tmux: four
# products named with emoji joined by zero-width joiners, combining marks,
# full-width letters and right-to-left letters, loaded with `ingest` and
# scored; at 80x24 and at 100x30, on the Trending, Item, Cart and
# Dashboard screens, every column after a name starts where it does on the
# other rows, a cut name ends in an ellipsis with its emoji and marks
# whole, and nothing is shown as '?'. The search box keeps whole
# characters when it is full. Prints each check; the last line counts them.
set -u
BUILD=${TG_BUILD:-build}
TG=$PWD/$BUILD/trendguard
W=$(mktemp -d)
SOCK="tg-uni-$$"
T="tmux -L $SOCK -f /dev/null"
trap '$T kill-server 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$W"' EXIT
. tests/tools/e2e_checks.sh
need tmux; need sqlite3; need iconv
export LANG=C.UTF-8 LC_ALL=C.UTF-8

screen() { $T capture-pane -p -t app > "$W/screen" 2>/dev/null; }
wait_for() { # wait_for NAME TEXT [SECONDS]: quiet until it fails
    i=0; lim=$(( ${3:-15} * 5 * ${TG_E2E_SLOW:-1} ))
    while [ $i -lt $lim ]; do
        screen
        grep -q -- "$2" "$W/screen" && return 0
        sleep 0.2; i=$((i + 1))
    done
    bad "$1: no '$2' on screen"; cat "$W/screen"; return 1
}
keys() { for key in "$@"; do $T send-keys -t app "$key"; sleep 0.05; done; }
settle() { sleep "$(( ${TG_E2E_SLOW:-1} ))"; screen; }

# The names, their invisible parts written out.
ZWJ=$(printf '\342\200\215')
WOMAN=$(printf '\360\237\221\251'); LAPTOP=$(printf '\360\237\222\273')
MAN=$(printf '\360\237\221\250'); GIRL=$(printf '\360\237\221\247')
CODER="$WOMAN$ZWJ$LAPTOP"; FAMILY="$MAN$ZWJ$WOMAN$ZWJ$GIRL"
ACUTE=$(printf '\314\201'); GRAVE=$(printf '\314\200')
CIRC=$(printf '\314\202'); LOW=$(printf '\314\262')
ZEBRA="Ze$ACUTE${LOW}bra"
HEART=$(printf '\342\235\244\357\270\217')
N_ZWJ="$CODER Coder Tee $FAMILY Family Pack Maxi Dress"
N_MARK="Cafe$ACUTE Cre${GRAVE}me Bru${CIRC}le${ACUTE}e $ZEBRA Long Midi"
N_WIDE="ＦＵＬＬＷＩＤＴＨ　全角ドレス　ワイド"
N_RTL="שמלת ערב فستان سهرة Red $HEART Long Gown"

${CC:-cc} -O1 -o "$W/columns" tests/tools/columns.c 2>"$W/cc.log" ||
    { bad "build tests/tools/columns.c: $(cat "$W/cc.log")"; finish; }

# A demo store as the first run makes it, and the four products: a trend
# that took off in the last day, six scored lines each (risky, so the
# dashboard ranks them first).
"$TG" --db "$W/d.db" --replay /dev/null >/dev/null 2>"$W/first.log"
check "first run made the demo store" $? "$(tail -n 3 "$W/first.log")"
mkdir -p "$W/csv"
{
    echo "product_id,name,category,brand,price,fit_bias,sizes,tags,launch_date"
    for p in "U-ZWJ|$N_ZWJ" "U-MARK|$N_MARK" "U-WIDE|$N_WIDE" "U-RTL|$N_RTL"; do
        printf '%s,"%s",dresses,Ünïcode Labs,39.99,true_to_size,XS|S|M|L|XL,unicodetrend,2026-09-01\n' \
            "${p%%|*}" "${p#*|}"
    done
} > "$W/csv/products.csv"
cat > "$W/csv/tiktok_trends.csv" <<CSV
captured_at,hashtag,creator,views,likes,shares,comments
2026-10-20T12:00:00Z,unicodetrend,@e2e,1000,10,1,1
2026-10-30T12:00:00Z,unicodetrend,@e2e,2000,10,1,1
2026-10-31T12:00:00Z,unicodetrend,@e2e,900000000,10,1,1
CSV
{
    echo "line_id,order_id,customer_id,product_id,size,quantity,unit_price,discount_pct,ordered_at,channel,view_minutes,payment,ref_hashtag"
    n=0
    for c in U-ZWJ U-MARK U-WIDE U-RTL; do
        for d in 24 25 26 27 28 29; do
            n=$((n + 1))
            printf 'UL%04d,UO%04d,C%06d,%s,M,1,39.99,0,2026-10-%sT21:30:00Z,tiktok,2,paylater,unicodetrend\n' \
                $n $n $n $c $d
        done
    done
} > "$W/csv/purchases.csv"
"$TG" --db "$W/d.db" ingest "$W/csv" > "$W/ingest.log" 2>&1
check "ingest loads the four products, their trend and lines" $? "$(cat "$W/ingest.log")"
"$TG" --db "$W/d.db" score > "$W/score.log" 2>&1
check "score scores their lines" $? "$(cat "$W/score.log")"
q "$W/d.db" "UPDATE scores SET p_return = 0.97 WHERE purchase_id IN (SELECT p.id FROM purchases p JOIN products pr ON pr.id = p.product_id WHERE pr.code LIKE 'U-%')" > /dev/null
[ "$(q "$W/d.db" "SELECT name FROM products WHERE code = 'U-MARK'")" = "$N_MARK" ]
check "the names are stored byte for byte" $?

# How this tmux draws joined emoji, and the test's own ruler against it:
# each name printed in a pane, tmux's cursor against columns -w.
$T new-session -d -s ruler -x 200 -y 10 "sh" 2>/dev/null
sleep 0.3
measure() { # tmux's width of $1: the cursor after it, before the prompt
    printf '%s' "$1" > "$W/m.txt"
    $T send-keys -t ruler "clear; cat $W/m.txt; sleep 2" Enter
    sleep 0.5
    $T display -p -t ruler '#{cursor_x}'
    sleep 1.6
}
J=""; [ "$(measure "$CODER")" = 2 ] && J="-j"
for n in "$N_ZWJ" "$N_MARK" "$N_WIDE" "$N_RTL"; do
    want=$(measure "$n")
    got=$(printf '%s\n' "$n" | "$W/columns" $J -w)
    [ "$want" = "$got" ]; check "the ruler measures '$n' as tmux draws it ($want columns)" $? "ruler $got"
done
$T kill-session -t ruler 2>/dev/null

start() { # start COLS ROWS
    $T kill-session -t app 2>/dev/null
    for try in 1 2 3 4 5; do
        sleep 0.3
        $T new-session -d -s app -x "$1" -y "$2" \
            "\"$TG\" --db \"$W/d.db\" --offline --session uni$1; sleep 60" 2>/dev/null &&
            $T has-session -t app 2>/dev/null && return 0
    done
    echo "could not start tmux"
}
# aligned NAME NEEDLE FILE [-l]: NEEDLE (its last occurrence with -l)
# starts at one column on every line of FILE that has it (two at least).
aligned() {
    "$W/columns" $J ${4:-} "$2" < "$3" | grep -v '^-1$' | sort -u > "$W/cols"
    n=$(grep -c -- "$2" "$3")
    [ "$n" -ge 2 ] && [ "$(wc -l < "$W/cols")" -eq 1 ]
    check "$1: '$2' in one column on $n rows" $? "columns $(tr '\n' ' ' < "$W/cols"); $(cat "$3")"
}
# ours FILE: the four products' rows of FILE into $W/ours.
ours() {
    grep -e "Coder Tee" -e "Caf" -e "全角" -e "Red" "$1" > "$W/ours"
    [ "$(wc -l < "$W/ours")" -ge 4 ]
}
# whole SIZE WHERE: each name's row shows it whole or cut with an
# ellipsis; the emoji sequences and marked letters never split; no '?'.
whole() {
    ok_all=0
    grep -q "$CODER Coder Tee $FAMILY" "$W/ours" || ok_all=1
    grep -q "Caf" "$W/ours" && grep "Caf" "$W/ours" | grep -q "$ZEBRA\|…" || ok_all=1
    grep -q "ＦＵＬＬＷＩＤＴＨ" "$W/ours" || ok_all=1
    grep -q "שמלת ערב فستان سهرة" "$W/ours" || ok_all=1
    ! grep -q "?" "$W/ours" || ok_all=1
    ! grep -q "$ZWJ…\|$ZWJ " "$W/ours" || ok_all=1
    check "$1 $2: names whole or cut between clusters, nothing shown as '?'" $ok_all "$(cat "$W/ours")"
}

for size in 80x24 100x30; do
    cols=${size%x*}; rows=${size#*x}
    start "$cols" "$rows"
    wait_for "$size trending" "Family"
    settle
    ours "$W/screen"; check "$size trending lists the four" $? "$(cat "$W/screen")"
    grep '^ *[0-9][0-9]*  ' "$W/screen" > "$W/list"
    aligned "$size trending price" '.' "$W/list"
    aligned "$size trending phase" 'ing ' "$W/list"
    aligned "$size trending risk" '%' "$W/list"
    whole "$size" trending
    grep "Coder Tee" "$W/ours" | grep -q "…" || [ "$cols" -gt 80 ]
    check "$size trending: a name too long ends in an ellipsis" $? "$(cat "$W/ours")"

    # Each item opened from Trending: the meter starts in the right half.
    for k in 0 1 2 3; do
        keys 1 Home
        [ $k -gt 0 ] && for d in $(seq 1 $k); do keys Down; done
        keys Enter
        wait_for "$size item $k" "Regret risk"
        settle
        sed -n 3p "$W/screen" > "$W/title"
        c=$("$W/columns" $J "Regret risk" < "$W/title")
        [ "$c" = $((cols / 2)) ]; check "$size item $k: the meter beside the name starts at column $((cols / 2))" $? "at $c: $(cat "$W/title")"
        keys a
    done
    grep -q "Ünïcode Labs" "$W/screen"; check "$size item: the brand with its marks" $?

    keys 3
    wait_for "$size cart" "Cart (4)"
    settle
    ours "$W/screen"; check "$size cart holds the four" $? "$(cat "$W/screen")"
    grep '%$' "$W/screen" | grep -v Chance > "$W/list"
    aligned "$size cart price" '.' "$W/list"
    aligned "$size cart risk" '%' "$W/list"
    whole "$size" cart

    keys 5
    wait_for "$size dashboard" "Real uptake" 30
    keys Home PgDn PgDn PgDn PgDn PgDn PgDn
    wait_for "$size dashboard products" "Riskiest products" 30
    settle
    grep -E ' (dresses|tops|jeans|skirts|outerwear|shoes|accessories) +[0-9]+ ' \
        "$W/screen" > "$W/products"
    cp "$W/products" "$W/p2"
    ours "$W/p2"; check "$size dashboard ranks the four first" $? "$(cat "$W/screen")"
    aligned "$size dashboard category" 'dresses' "$W/products"
    aligned "$size dashboard mean risk" '%' "$W/products" -l
    whole "$size" dashboard
    keys q
done

# The search box: 40 two-byte letters typed into 63 bytes keep 31 whole.
start 100 30
wait_for "search start" "Trend (14 d)"
keys /
$T send-keys -t app -l "$(printf 'ü%.0s' $(seq 1 40))"
keys Enter
sleep 0.5
keys q
sleep 0.5
s=$(q "$W/d.db" "SELECT detail FROM ui_events WHERE session = 'uni100' AND kind = 'search' ORDER BY id DESC LIMIT 1")
[ "$s" = "$(printf 'ü%.0s' $(seq 1 31))" ]
check "the search box keeps whole characters when full (${#s} characters)" $? "'$s'"
printf '%s' "$s" | iconv -f UTF-8 -t UTF-8 > /dev/null 2>&1
check "the search recorded is valid UTF-8" $?

finish
