#!/bin/sh
# End to end through the real binaries: gen, ingest (clean and with
# rejects), status, trendguard-train, predict and score, and the exit codes
# of the command-line contract; then the command line itself: misspelt
# options answered with the nearest one on every command (and on the
# options of simulate --sweep and --what-if, export --training-set and the
# trainer's distributed modes, with the pairs that do not go together and a
# rank from the environment), -h/-V and help, the man pages (rendered without
# warnings, listing what --help lists), bash and zsh completing commands,
# options and values, make install, standard input as '-', one JSON style
# documented field by field in the README (--workers' JSON from worker 0
# too), the README's command reference against --help, and two stores
# trained side by side keeping their own models. One "ok"/"FAIL" line per
# check; the last line counts them.
set -u
BUILD=${TG_BUILD:-build}
TG=$PWD/$BUILD/trendguard
TRAIN=$PWD/$BUILD/trendguard-train
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
trap 'exit 143' INT TERM
. tests/tools/e2e_checks.sh
need sqlite3; need bash; need groff; need man; need zsh; need make
# Under tests/valgrind.sh TG_BUILD holds wrappers; the build (its man pages,
# completions, objects) is two folders up.
DOCS=$BUILD
[ -d "$DOCS/man" ] || DOCS=$(dirname "$(dirname "$BUILD")")
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

# ---- the command line ---------------------------------------------------------
# The commands, as 'trendguard help' lists them.
CMDS=$("$TG" help | awk '/^commands:/ { on = 1; next } on && /^$/ { exit } on { print $1 }')
[ "$(echo "$CMDS" | wc -l)" -ge 12 ]; check "help lists the commands" $? "$CMDS"
# run WORDS...: "trendguard-train" or "trendguard CMD"; "" is the app.
run() { case $1 in train) shift; "$TRAIN" "$@" ;; app) shift; "$TG" "$@" ;; *) "$TG" "$@" ;; esac; }
one_line() { [ "$(wc -l <"$1")" = 1 ]; }

for c in app train $CMDS; do
    n=$c; [ "$c" = app ] && n=
    [ "$c" = train ] && n=
    # Its first long option, misspelt by dropping a letter.
    opt=$(run "$c" $n --help | awk '/^options:/ { on = 1; next } on && /^$/ { exit }
        on && match($0, /--[a-z-]+/) { print substr($0, RSTART + 2, RLENGTH - 2); exit }')
    [ -n "$opt" ] || opt=help
    typo=$(echo "$opt" | sed 's/^\(.\)./\1/')
    run "$c" $n "--$typo" >"$W/out" 2>"$W/err"; rc=$?
    if [ $rc = 64 ] && one_line "$W/err" && grep -q -- "unknown option --$typo; did you mean .*--$opt" "$W/err"; then
        ok "$c --$typo: suggests --$opt"
    else bad "$c --$typo: exit $rc: $(cat "$W/err")"; fi
    run "$c" $n -h >"$W/h1" 2>&1; a=$?
    run "$c" $n --help >"$W/h2" 2>&1; b=$?
    [ $a = 0 ] && [ $b = 0 ] && cmp -s "$W/h1" "$W/h2" && grep -q '^usage: ' "$W/h1"
    check "$c: -h is --help" $?
    run "$c" $n -V >"$W/out" 2>&1
    grep -q "^trendguard.* 0\." "$W/out"; check "$c: -V says the version" $? "$(cat "$W/out")"
done
for c in $CMDS; do
    "$TG" help "$c" >"$W/h1" 2>&1; "$TG" "$c" --help >"$W/h2" 2>&1
    cmp -s "$W/h1" "$W/h2"; check "help $c is $c --help" $?
done
"$TG" help >"$W/h1"; "$TG" --help >"$W/h2"
cmp -s "$W/h1" "$W/h2"; check "help is --help" $?
"$TG" statsu >"$W/out" 2>&1; exits unknown-command 64 $?
has unknown-command "$W/out" "unknown command 'statsu'; did you mean status?"
"$TG" status --jsn >"$W/out" 2>&1
has suggestion "$W/out" "trendguard status: unknown option --jsn; did you mean --json?"
"$TG" gen --out >"$W/out" 2>&1; exits missing-value 64 $?
has missing-value "$W/out" "--out needs a value (DIR)"
"$TG" gen --out --seed 3 >"$W/out" 2>&1; exits value-is-an-option 64 $?
has value-is-an-option "$W/out" "--out needs a value (DIR)"
"$TG" gen --scale smal --out "$W/x" >"$W/out" 2>&1; exits bad-choice 64 $?
has bad-choice "$W/out" "--scale takes demo, small or full, not 'smal'; did you mean small?"
"$TG" gen --seed x --out "$W/x" >"$W/out" 2>&1
has bad-number "$W/out" "--seed takes a whole number from 0 to 2147483647, not 'x'"
"$TG" status --json=yes >"$W/out" 2>&1; exits flag-with-value 64 $?
"$TG" status -json >"$W/out" 2>&1
has single-dash "$W/out" "did you mean --json?"
"$TG" gen >"$W/out" 2>&1; has required "$W/out" "--out is required (DIR)"
"$TG" gen -o "$W/short" --seed=5 >"$W/out" 2>&1; exits "short and = forms" 0 $?
# The options main's engine and distributed training brought, misspelt,
# and the pairs that do not go together.
misspelt() { # misspelt WANT WORDS...: the words (a typo last) suggest WANT
    want=$1; shift
    run "$@" >"$W/out" 2>&1; rc=$?
    [ $rc = 64 ] && grep -q -- "did you mean $want?" "$W/out"
    check "$* suggests $want" $? "exit $rc: $(cat "$W/out")"
}
misspelt --sweep app simulate --sweeep
misspelt --seeds app simulate --sweep --seedss 2
misspelt --what-if app simulate --what-fi return_fee
misspelt --training-set app export --out "$W/x" --trainingset
misspelt --valid-days app export --training-set --out "$W/x" --valid-day 9
misspelt --workers train --worker 2
misspelt --run-tracker train --run-traker 127.0.0.1:0
misspelt --world-size train --wrold-size 2
"$TG" simulate --seeds 2 >"$W/out" 2>&1; exits "--seeds without --sweep" 64 $?
has "--seeds without --sweep" "$W/out" "seeds goes with --sweep"
"$TG" simulate --rules --what-if return_fee,nope >"$W/out" 2>&1; exits "--what-if naming no what-if" 64 $?
has "--what-if naming no what-if" "$W/out" "'nope' is not a what-if of the catalogue (return_fee)"
"$TG" simulate --rules --what-if return_fee --what-if return_fee >"$W/out" 2>&1
exits "--what-if given twice" 64 $?
has "--what-if given twice" "$W/out" "separated by commas"
"$TG" export --out "$W/x" --shards 2 >"$W/out" 2>&1; exits "--shards without --training-set" 64 $?
"$TG" export --out "$W/x" --training-set --since 2026-01-01 >"$W/out" 2>&1
exits "--since with --training-set" 64 $?
"$TG" export --out "$W/x" --training-set --shards 0 >"$W/out" 2>&1; exits "export --shards 0" 64 $?
has "export --shards 0" "$W/out" "shards takes a whole number from 1 to 256, not '0'"
"$TRAIN" --workers 2 --rank 0 >"$W/out" 2>&1; exits "--workers with --rank" 64 $?
"$TRAIN" --rank 1 >"$W/out" 2>&1; exits "--rank without --shards" 64 $?
"$TRAIN" --run-tracker 127.0.0.1:0 >"$W/out" 2>&1; exits "--run-tracker without --world-size" 64 $?
"$TRAIN" --workers 65 >"$W/out" 2>&1; exits "--workers 65" 64 $?
# A worker's rank from the environment is checked as --rank is.
DMLC_TASK_ID=abc "$TRAIN" --shards "$W" --tracker 127.0.0.1:9 >"$W/out" 2>&1
exits "DMLC_TASK_ID=abc" 64 $?
has "DMLC_TASK_ID=abc" "$W/out" "DMLC_TASK_ID takes a whole number from 0 to 65535, not 'abc'"
"$TRAIN" --shards "$W" --tracker nowhere --rank 0 >"$W/out" 2>&1; exits "a tracker without a port" 64 $?

# ---- man pages: rendered without a warning, listing what --help lists --------
for m in trendguard trendguard-train; do
    groff -man -ww -z "$DOCS/man/$m.1" >"$W/out" 2>&1
    [ $? = 0 ] && [ ! -s "$W/out" ]; check "$m.1: groff -man -ww: no warning" $? "$(head -3 "$W/out")"
    MANWIDTH=80 man -l "$DOCS/man/$m.1" >"$W/$m.txt" 2>"$W/out"
    [ $? = 0 ] && [ ! -s "$W/out" ] && [ -s "$W/$m.txt" ]; check "$m.1: man -l renders it" $? "$(head -3 "$W/out")"
done
for s in NAME SYNOPSIS DESCRIPTION COMMANDS FILES ENVIRONMENT "EXIT STATUS" EXAMPLES; do
    grep -q "^$s" "$W/trendguard.txt"; check "trendguard(1) has $s" $?
done
# words FILE: the text as one line of words (wrapping and indents aside).
words() { tr -s ' \n' '  ' <"$1" | sed 's/^ //; s/ $//'; }
# The options a command's --help lists, against its part of the man page.
manopts() { # manopts FILE SECTION-START SECTION-END: the lines between
    LC_ALL=C groff -man -Tascii -P-cbou -rLL=200n "$1" 2>/dev/null |
        awk -v a="$2" -v b="$3" 'index($0, a) == 1 { on = 1; next } on && index($0, b) == 1 { exit } on'
}
helpopts() { awk -v t="$2" '$0 == t ":" { on = 1; next } on && /^$/ { exit } on' "$1"; }
for c in $CMDS; do
    [ "$c" = help ] && continue
    "$TG" "$c" --help >"$W/h" 2>&1
    helpopts "$W/h" options >"$W/a"
    manopts "$DOCS/man/trendguard.1" "   trendguard $c" "   trendguard " |
        awk '/^ *Options:/ { on = 1; next } /^ *Examples:/ { exit } on' >"$W/b"
    [ -s "$W/a" ] && [ "$(words "$W/a")" = "$(words "$W/b")" ]
    check "trendguard(1) lists the options of $c as --help does" $? "$(words "$W/a") | $(words "$W/b")"
done
"$TG" --help >"$W/h"; helpopts "$W/h" options >"$W/a"
manopts "$DOCS/man/trendguard.1" OPTIONS "COMMON OPTIONS" >"$W/b"
[ "$(words "$W/a")" = "$(words "$W/b")" ]; check "trendguard(1) lists the app's options as --help does" $?
helpopts "$W/h" "common options" >"$W/a"
manopts "$DOCS/man/trendguard.1" "COMMON OPTIONS" COMMANDS | sed 1d >"$W/b"
[ "$(words "$W/a")" = "$(words "$W/b")" ]; check "trendguard(1) lists the common options as --help does" $? "$(words "$W/a") | $(words "$W/b")"
"$TRAIN" --help >"$W/h"; helpopts "$W/h" options >"$W/a"
manopts "$DOCS/man/trendguard-train.1" OPTIONS "COMMON OPTIONS" >"$W/b"
[ -s "$W/a" ] && [ "$(words "$W/a")" = "$(words "$W/b")" ]; check "trendguard-train(1) lists its options as --help does" $?

# ---- completions in a real bash and zsh ----------------------------------------
cat >"$W/complete.bash" <<'EOS'
. "$1/completions/bash/trendguard"; . "$1/completions/bash/trendguard-train"
shift
fn=_trendguard; [ "$1" = trendguard-train ] && fn=_trendguard_train
COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()
$fn
printf '%s\n' "${COMPREPLY[@]}"
EOS
completes() { # completes NAME WANT WORDS...: bash offers WANT for WORDS
    name=$1 want=$2; shift 2
    bash "$W/complete.bash" "$DOCS" "$@" >"$W/out" 2>&1
    grep -qx -- "$want" "$W/out"; check "bash completes $name: '$*' offers $want" $? "$(tr '\n' ' ' <"$W/out")"
}
completes command gen trendguard ge
completes option --json trendguard status --js
completes value small trendguard gen --scale sm
completes value-after-= online-retail trendguard ingest --format = onl
completes "a folder" tests/fixtures trendguard gen --out tests/fix
completes "a file" tests/fixtures/ingest trendguard ingest tests/fixtures/ing
completes "after --db" --json trendguard --db x.db status --j
completes "help's command" simulate trendguard help sim
completes trainer --max-depth trendguard-train --max
completes "simulate --sweep" --sweep trendguard simulate --sw
completes "simulate --what-if" --what-if trendguard simulate --wh
completes "export --training-set" --training-set trendguard export --tr
completes "the trainer's --workers" --workers trendguard-train --wor
completes "the trainer's --shards DIR" tests/fixtures trendguard-train --shards tests/fix
bash "$W/complete.bash" "$DOCS" trendguard gen --scale '' >"$W/out" 2>&1
[ "$(sort "$W/out" | tr '\n' ' ')" = "demo full small " ]; check "bash: --scale offers exactly demo, small, full" $? "$(cat "$W/out")"
cat >"$W/complete.zsh" <<'EOS'
# What zsh lists for a line, in a pseudo-terminal as a person would see it:
# read until the list shows WANT ($4), for up to 20 s (a busy machine).
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PS1='> '; fpath=($1 \$fpath); autoload -U compinit; compinit -u -d $3"
zpty -w z "LISTMAX=1000; setopt nobeep; l() { zle list-choices }; zle -N l; bindkey '^X' l"
zpty -n -w z "$2"$'\x18'
out=; i=0
while (( i++ < 200 )); do
    while zpty -r -t z more; do out+=$more; done
    [[ $out == *$4* ]] && break
    sleep 0.1
done
sleep 0.2; while zpty -r -t z more; do out+=$more; done
print -r -- "$out"
zpty -d z
EOS
zsh -f "$W/complete.zsh" "$DOCS/completions/zsh" 'trendguard gen --scale ' "$W/zcd" small 2>&1 | tr -d '\r' >"$W/out"
tail -n 2 "$W/out" | grep -q 'demo *full *small'; check "zsh completes --scale's values" $? "$(tail -n 2 "$W/out")"
zsh -f "$W/complete.zsh" "$DOCS/completions/zsh" 'trendguard-train --max-d' "$W/zcd" max-depth 2>&1 | tr -d '\r' >"$W/out"
grep -q -- '--max-depth' "$W/out"; check "zsh completes trendguard-train's options" $? "$(tail -n 2 "$W/out")"

# ---- make install -------------------------------------------------------------
SAN=; case $DOCS in *san*) SAN=1 ;; esac
make -s install SANITIZE=$SAN DESTDIR="$W/inst" PREFIX=/usr >"$W/out" 2>&1; exits "make install" 0 $?
for f in bin/trendguard bin/trendguard-train share/trendguard/assets/nudges.json \
         share/trendguard/data share/man/man1/trendguard.1 share/man/man1/trendguard-train.1 \
         share/bash-completion/completions/trendguard share/bash-completion/completions/trendguard-train \
         share/zsh/site-functions/_trendguard share/zsh/site-functions/_trendguard-train; do
    [ -e "$W/inst/usr/$f" ]; check "make install: usr/$f" $?
done
MANPATH="$W/inst/usr/share/man" MANWIDTH=80 man trendguard-train >"$W/out" 2>&1
grep -q "trendguard-train - train" "$W/out"; check "man finds the installed trendguard-train(1)" $?
"$W/inst/usr/bin/trendguard" gen --out "$W/inst-gen" --json >"$W/out" 2>&1
exits "the installed trendguard finds its assets" 0 $?

# ---- standard input as '-' ----------------------------------------------------
export TRENDGUARD_DB="$W/s.db"
"$TG" ingest "$W/gen/products.csv" >/dev/null 2>&1
"$TG" ingest - <"$W/gen/customers.csv" >"$W/out" 2>&1; exits "ingest -" 0 $?
has "ingest -" "$W/out" "^stdin  *customers"
[ "$(sqlite3 "$W/s.db" 'SELECT count(*) FROM customers')" = "$(($(wc -l <"$W/gen/customers.csv") - 1))" ]
check "ingest - loaded every customer" $?
printf 'id,name\n' | "$TG" ingest - >"$W/out" 2>&1; exits "ingest - (unknown layout)" 65 $?
has "ingest - names stdin" "$W/out" "trendguard ingest: stdin"
"$TG" predict --model - "$W/rows.csv" <"$MODEL" >"$W/got2" 2>"$W/out"; exits "predict --model -" 0 $?
"$TG" predict --model "$MODEL" - <"$W/rows.csv" >"$W/got3" 2>"$W/out"; exits "predict -" 0 $?
cmp -s "$W/pred" "$W/got2" && cmp -s "$W/pred" "$W/got3"; check "predict: '-' gives what the files give" $?
"$TG" predict --model - <"$MODEL" >"$W/out" 2>&1; exits "predict: model and rows not both stdin" 64 $?
export TRENDGUARD_DB="$W/t.db"

# ---- two stores side by side keep their own models ----------------------------
"$TG" --db "$W/a.db" ingest "$W/gen" >/dev/null 2>&1
"$TG" --db "$W/b.db" ingest "$W/gen" >/dev/null 2>&1
"$TRAIN" --db "$W/a.db" --rounds 20 --eta 0.3 >/dev/null 2>&1; exits "train a" 0 $?
sha_a=$(sha256sum <"$W/a.db-models/model-v1.json")
"$TRAIN" --db "$W/b.db" --rounds 10 --eta 0.3 >/dev/null 2>&1; exits "train b" 0 $?
[ -f "$W/b.db-models/model-v1.json" ]; check "b's model in b.db-models" $?
[ "$(sha256sum <"$W/a.db-models/model-v1.json")" = "$sha_a" ]; check "training b left a's model alone" $?
"$TG" --db "$W/a.db" score >"$W/out" 2>&1; exits "score a after b trained" 0 $?
"$TRAIN" --db "$W/b.db" --rounds 5 --out "$W/a.db-models/model-v1.json" >"$W/out" 2>&1
exits "b may not overwrite a's model" 73 $?
has "b may not overwrite a's model" "$W/out" "not a model of"
[ "$(sha256sum <"$W/a.db-models/model-v1.json")" = "$sha_a" ]; check "a's model unchanged" $?
"$TRAIN" --db "$W/b.db" --rounds 5 --out "$W/b.db-models/model-v1.json" >"$W/out" 2>&1
exits "b may replace its own model" 0 $?
mv "$W/a.db" "$W/old-a.db"; "$TG" --db "$W/a.db" ingest "$W/gen" >/dev/null 2>&1
"$TRAIN" --db "$W/a.db" --rounds 5 >"$W/out" 2>&1; exits "a new store a.db" 0 $?
[ -f "$W/a.db-models/model-v1-2.json" ] && [ "$(sha256sum <"$W/a.db-models/model-v1.json")" = "$sha_a" ]
check "the new a.db takes a free name, the old one's model stays" $? "$(ls "$W/a.db-models")"

# ---- JSON: one compact object a command, every field in the README ------------
feed_server_start "$PWD" "$PWD/tests/fixtures/feed/good.json" 120 || bad "feed server"
jsonrun() { # jsonrun NAME ARGS...: the output is one line holding one object
    name=$1; shift
    "$@" >"$W/j.$name" 2>"$W/out"
    ok1=$(sqlite3 :memory: "SELECT json_valid(readfile('$W/j.$name')) AND json_type(readfile('$W/j.$name')) = 'object'")
    [ "$ok1" = 1 ] && one_line "$W/j.$name"; check "$name --json: one object on one line" $? "$(head -c 200 "$W/j.$name")"
}
jsonrun gen "$TG" gen --out "$W/gen2" --json
jsonrun ingest "$TG" --db "$W/j.db" ingest "$W/gen" --json
jsonrun status "$TG" --db "$W/j.db" status --json
jsonrun train "$TRAIN" --db "$W/j.db" --rounds 10 --json
# Two workers on this machine: worker 0's object is the output, the
# launcher's line goes to standard error, the model to the store's folder.
if "${TRENDGUARD_PYTHON:-/usr/bin/python3}" -c 'import xgboost.tracker' 2>/dev/null; then
    jsonrun train-workers "$TRAIN" --db "$W/j.db" --workers 2 --rounds 10 --json
    wm=$(sqlite3 :memory: "SELECT json_extract(readfile('$W/j.train-workers'), '\$.workers') || ' ' || json_extract(readfile('$W/j.train-workers'), '\$.model')")
    [ "$wm" = "2 $W/j.db-models/model-v2.json" ] && [ -f "$W/j.db-models/model-v2.json" ] &&
        grep -q "on this machine: shards exported" "$W/out"
    check "--workers 2 --json: 2 workers, the model in j.db-models, the launcher's line on stderr" $? "$wm $(cat "$W/out")"
else
    skip "trendguard-train --workers --json (python3-xgboost is missing)"
    echo '{}' >"$W/j.train-workers"
fi
jsonrun score "$TG" --db "$W/j.db" score --json
jsonrun predict "$TG" predict --model "$MODEL" "$W/rows.csv" --json
jsonrun nudge "$TG" --db "$W/j.db" nudge --process-queue --bandit --json
jsonrun pilot "$TG" --db "$W/j.db" pilot --weeks 8 --json
jsonrun report "$TG" --db "$W/j.db" report --json
jsonrun export "$TG" --db "$W/j.db" export --out "$W/ex" --json
jsonrun sessions "$TG" --db "$W/j.db" sessions --json
jsonrun simulate "$TG" --db "$W/j.db" simulate --rules --months 1 --shoppers 200 --bootstrap 20 --json
jsonrun sync "$TG" --db "$W/j.db" sync --url "$FS_BASE/fixture/good.json" --json
jsonrun sweep "$TG" --db "$W/j.db" simulate --rules --sweep --seeds 1 --months 1 --shoppers 100 --bootstrap 20 --json
jsonrun export-shards "$TG" --db "$W/j.db" export --training-set --shards 2 --out "$W/jsh" --json
kill "$FS_PID" 2>/dev/null
wi() { sqlite3 :memory: "SELECT json_type(readfile('$W/j.$1'), '\$.what_if') || ' ' || json_extract(readfile('$W/j.$1'), '\$.what_if')"; }
[ "$(wi sweep)" = "$(wi simulate)" ] && [ "$(wi sweep)" = 'object {"return_fee":false}' ]
check "sweep and simulate give what_if one shape" $? "sweep: $(wi sweep); simulate: $(wi simulate)"
# The README documents each field under <!-- json: NAME -->.
for name in gen ingest status train score predict nudge pilot report export sessions simulate sync sweep export-shards train-workers; do
    sec=$name; [ "$name" = train-workers ] && sec=train
    awk -v m="<!-- json: $sec -->" '$0 == m { on = 1; next } on && /^<!-- json: |^## / { exit } on' README.md >"$W/doc"
    missing=""
    for k in $(sqlite3 :memory: "SELECT key FROM json_each(readfile('$W/j.$name'))"); do
        awk -F'|' -v k="\`$k\`" 'index($2, k) { f = 1 } END { exit !f }' "$W/doc" || missing="$missing $k"
    done
    [ -s "$W/doc" ] && [ -z "$missing" ]; check "README documents every field of $name --json" $? "missing:$missing"
done

# ---- the README's command reference is --help ---------------------------------
for c in trendguard trendguard-train $(echo "$CMDS" | sed 's/^/trendguard_/'); do
    label=$(echo "$c" | tr _ ' ')
    awk -v m="<!-- help: $label -->" '$0 == m { on = 1; next } on && /^```$/ { if (in_) exit; in_ = 1; next } on && in_' README.md >"$W/doc"
    case $c in trendguard) "$TG" --help ;; trendguard-train) "$TRAIN" --help ;; *) "$TG" "${c#trendguard_}" --help ;; esac >"$W/h" 2>&1
    [ -s "$W/doc" ] && cmp -s "$W/doc" "$W/h"; check "README: $label --help as it is" $? "$(diff "$W/doc" "$W/h" | head -5)"
done

finish
