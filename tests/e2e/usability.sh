#!/bin/sh
# Usability testing end to end: a scripted session (--replay) recorded
# with --record and checked with the real player: `asciinema cat` draws
# the screens the app drew (Trending, an item's "Regret risk" meter, seen
# in a terminal at the moment of a marker), every line of the file is
# valid JSON, times never go back, the markers match the session's events
# one for one, `sessions --cast` writes the same file again and says when
# a session was not recorded; a hostile session name leaves the header
# safe; --record refuses a folder or a FIFO; the record_dir setting
# records a live session in tmux (REC in the status line, a resize as an
# "r" event); and the task figures on scripted sessions with known
# answers.
# One "ok"/"FAIL" line per check; the last line counts them.
set -u
BUILD=${TG_BUILD:-build}
TG=$PWD/$BUILD/trendguard
W=$(mktemp -d)
. tests/tools/e2e_checks.sh
need sqlite3
need asciinema
need python3
tmux_init tg-usab
trap '$T kill-server 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$W"' EXIT
trap 'exit 143' INT TERM
ON_FAIL='[ -f "$W/screen" ] && cat "$W/screen"'
DB=$W/d.db
# A demo store with its model, created the way first run does.
"$TG" --db "$DB" --replay /dev/null >/dev/null 2>"$W/first-run.log" ||
    { bad "first run"; cat "$W/first-run.log"; finish; }

# cast_check FILE SESSION: every line JSON, the header, times in order, and
# the markers against `sessions --session SESSION --json`, one for one.
cast_check() {
    "$TG" sessions --db "$DB" --session "$2" --json >"$W/events.json" &&
        python3 - "$1" "$W/events.json" <<'PY'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
assert lines[-1] == "", "the file ends with a line end"
head = json.loads(lines[0])
assert head["version"] == 2 and head["width"] > 0 and head["height"] > 0, head
prev, markers, outputs = 0.0, [], 0
for n, line in enumerate(lines[1:-1], 2):
    t, kind, data = json.loads(line)
    assert t >= prev, "line %d: time %s after %s" % (n, t, prev)
    prev = t
    assert kind in ("o", "m", "r"), kind
    if kind == "m":
        markers.append(data)
    outputs += kind == "o"
events = json.load(open(sys.argv[2], encoding="utf-8"))["events"]
want = [(e["kind"] + " " + (e.get("detail") or e.get("screen") or "")).strip()[:120]
        for e in events]
assert outputs > 0, "no output"
assert markers == want, "markers %s != events %s" % (markers, want)
print("%d lines, %d markers, %d output events, %.2f s" % (len(lines) - 1, len(markers), outputs, prev))
PY
}

# ---- a scripted session, recorded ---------------------------------------------------
cat >"$W/keys" <<'KEYS'
Idle
Down
Enter
Idle
Right
x
Esc
3
q
KEYS
LINES=30 COLUMNS=100 TERM=xterm-256color "$TG" --db "$DB" --session rec1 \
    --replay "$W/keys" --record "$W/rec1.cast" >/dev/null 2>"$W/err"
check "a replayed session with --record: exit 0" $? "$(tail -n 3 "$W/err")"
out=$(cast_check "$W/rec1.cast" rec1 2>&1)
check "the recording: valid JSON lines, times in order, markers = events ($out)" $? "$out"
head -n 1 "$W/rec1.cast" | grep -q '"width":100,"height":30,.*"title":"rec1"'
check "the header: 100x30, the session's name" $? "$(head -n 1 "$W/rec1.cast")"
grep -q '"m", "dead_key x"' "$W/rec1.cast"
check "a key that did nothing is a dead_key marker" $? "$(grep '"m"' "$W/rec1.cast")"

# pane CMD: CMD in the session "app" of a fresh server, a 100x30 pane.
pane() {
    $T kill-server 2>/dev/null
    for try in 1 2 3 4 5; do
        sleep 0.3
        $T new-session -d -s app -x 100 -y 30 "$1" 2>/dev/null &&
            $T has-session -t app 2>/dev/null && return 0
    done
    bad "could not start tmux"
}
# The real player: asciinema cat needs a terminal; it runs in one.
play() { # play FILE: what asciinema cat FILE wrote in $W/played.raw
    rm -f "$W/played"
    pane "asciinema cat '$1' >'$W/played.raw' 2>'$W/played.err'; echo rc=\$? >'$W/played'; sleep 60"
    i=0; while [ ! -s "$W/played" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
}
# The whole file: what the player wrote has both screens.
play "$W/rec1.cast"
grep -q "rc=0" "$W/played" && grep -aq "Trend (14 d)" "$W/played.raw" &&
    grep -aq "Regret risk" "$W/played.raw"
check "asciinema cat plays it: the Trending screen and the item's meter" $? \
    "$(cat "$W/played" "$W/played.err" 2>&1 | head -c 300)"
# Up to the marker of the 'x' pressed on the item: the player's terminal
# shows the Item screen with its meter, as the app drew it.
n=$(grep -n '"m", "key x"' "$W/rec1.cast" | cut -d: -f1)
head -n "$n" "$W/rec1.cast" >"$W/upto.cast"
pane "asciinema cat '$W/upto.cast'; sleep 60"
wait_for "played up to a marker: the item's Regret risk meter" "Regret risk .*[0-9]*% "
on_screen "2 Item"; check "played up to a marker: the tab bar on Item" $?

# ---- the store's copy ------------------------------------------------------------------
"$TG" sessions --db "$DB" --cast rec1 "$W/again.cast" >"$W/out" 2>&1 &&
    cmp -s "$W/again.cast" "$W/rec1.cast"
check "sessions --cast writes the same file again" $? "$(cat "$W/out")"
"$TG" --db "$DB" --session plain --replay "$W/keys" >/dev/null 2>&1
"$TG" sessions --db "$DB" --cast plain "$W/no.cast" >"$W/out" 2>&1; rc=$?
[ $rc = 66 ] && grep -q "session 'plain' was not recorded" "$W/out" && [ ! -e "$W/no.cast" ]
check "sessions --cast of a session not recorded: says so (66)" $? "exit $rc: $(cat "$W/out")"
"$TG" sessions --db "$DB" --cast nosuch "$W/no.cast" >"$W/out" 2>&1; rc=$?
[ $rc = 66 ] && grep -q "no session 'nosuch'" "$W/out"
check "sessions --cast of no such session (66)" $? "exit $rc: $(cat "$W/out")"

# ---- hostile names, files that are not files ----------------------------------------
EVIL=$(printf 'p\033]0;pwned\007\377\302\233q')
LINES=30 COLUMNS=100 "$TG" --db "$DB" --session "$EVIL" --replay "$W/keys" \
    --record "$W/evil.cast" >/dev/null 2>&1
out=$(cast_check "$W/evil.cast" "$EVIL" 2>&1)
check "a hostile session's recording is valid ($out)" $? "$out"
python3 - "$W/evil.cast" <<'PY'
import json, sys
head = json.loads(open(sys.argv[1], encoding="utf-8").readline())
bad = [c for c in head["title"] if ord(c) < 32 or 127 <= ord(c) < 160]
assert not bad and head["title"] == "p\\x1b]0;pwned\\x07\\xff\\u009bq", head["title"]
PY
check "its title shows the escape visibly, with no control character" $?
mkdir "$W/adir"; mkfifo "$W/fifo"
for f in adir fifo; do
    "$TG" --db "$DB" --replay "$W/keys" --record "$W/$f" >"$W/out" 2>&1; rc=$?
    [ $rc = 64 ] && grep -q "record .*$f" "$W/out"
    check "--record onto a $f: refused (64) at once" $? "exit $rc: $(cat "$W/out")"
done

# ---- task figures on scripted sessions with known answers ------------------------------
script() { # script NAME KEYS...: a key script of one key a line
    f=$W/$1.keys; shift
    printf '%s\n' "$@" >"$f"
}
script ok Idle Down Enter Idle a 3 c Enter q     # buys: 4 keys from the item
script cancel Idle Down Enter Idle a 3 c Esc q   # cancels the checkout
script wander Idle Down Enter Idle x x q         # two dead keys, never buys
script none Idle Down Down q                     # never opens an item
for k in ok cancel wander none; do
    LINES=30 COLUMNS=100 "$TG" --db "$DB" --session "task-$k" --replay "$W/$k.keys" >/dev/null 2>&1 ||
        bad "task session $k"
done
cat >"$W/tasks.txt" <<'TASKS'
# A task a line: NAME | START | DONE | GIVE-UP...
Buy an item | screen@item | checkout | checkout_cancel
Browse, "quoted" | key@trending:Down | screen@item
TASKS
"$TG" sessions --db "$DB" --tasks "$W/tasks.txt" --csv >"$W/tasks.csv" 2>&1
check "sessions --tasks --csv: exit 0" $? "$(cat "$W/tasks.csv")"
row() { grep "^$1,task-$2," "$W/tasks.csv" | cut -d, -f3-; } # outcome,seconds,keys,...
# outcome,seconds,keys,screens,errors,dead_ends,nudges_shown,accepted,declined
fig() { row "$1" "$2" | awk -F, -v f="$3" '{ print $f }'; }
[ "$(fig "Buy an item" ok 1)" = completed ] && [ "$(fig "Buy an item" ok 3)" = 4 ] &&
    [ "$(fig "Buy an item" ok 4)" = 2 ]
check "a task completed in 4 keys and 2 screens (item, cart)" $? "$(row "Buy an item" ok)"
[ "$(fig "Buy an item" cancel 1)" = gave_up ] && [ "$(fig "Buy an item" cancel 3)" = 4 ]
check "a checkout cancelled: gave up after 4 keys" $? "$(row "Buy an item" cancel)"
[ "$(fig "Buy an item" wander 1)" = abandoned ] && [ "$(fig "Buy an item" wander 3)" = 3 ] &&
    [ "$(fig "Buy an item" wander 6)" = 2 ]
check "a task abandoned when the session ended, its 2 dead keys counted" $? "$(row "Buy an item" wander)"
[ "$(fig "Buy an item" none 1)" = not_started ] && [ -z "$(fig "Buy an item" none 2)" ]
check "a task never started: no figures" $? "$(row "Buy an item" none)"
grep -q '^"Browse, ""quoted""",task-ok,completed,[0-9.]*,2,1,' "$W/tasks.csv"
check "a task name with a comma and quotes, quoted as CSV; Down Enter: 2 keys" $? "$(grep Browse "$W/tasks.csv")"
"$TG" sessions --db "$DB" --tasks "$W/tasks.txt" --json >"$W/tasks.json" 2>&1 &&
    python3 - "$W/tasks.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1], encoding="utf-8"))["tasks"][0]
s = {x["session"]: x for x in t["sessions"]}
assert s["task-ok"]["outcome"] == "completed" and s["task-ok"]["keys"] == 4, s["task-ok"]
m = t["summary"]
assert m["completed"] >= 1 and m["gave_up"] >= 1 and m["abandoned"] >= 1, m
assert m["keys"]["n"] == m["completed"] and m["keys"]["median"] == 4, m
PY
check "sessions --tasks --json: the attempts and the summary (median keys 4)" $?
"$TG" sessions --db "$DB" --tasks "$W/tasks.txt" >"$W/tasks.out" 2>&1 &&
    grep -q "^Task 1: Buy an item (start screen@item; done checkout; give up checkout_cancel)" "$W/tasks.out" &&
    grep -q "completed: time on task median" "$W/tasks.out"
check "sessions --tasks: the table" $? "$(head -n 20 "$W/tasks.out")"
printf 'Buy | screen@item\n' >"$W/bad.txt"
"$TG" sessions --db "$DB" --tasks "$W/bad.txt" >"$W/out" 2>&1; rc=$?
[ $rc = 65 ] && grep -q "bad.txt:1: a task is NAME | START | DONE" "$W/out"
check "a bad task file: the line named (65)" $? "exit $rc: $(cat "$W/out")"
printf 'Buy\033]0;x | a | b\n' >"$W/bad.txt"
"$TG" sessions --db "$DB" --tasks "$W/bad.txt" >"$W/out" 2>&1; rc=$?
[ $rc = 65 ] && ! grep -q "$(printf '\033')" "$W/out"
check "a task file with an escape: refused, nothing of it reaches the terminal (65)" $? "exit $rc: $(cat -v "$W/out")"

# ---- every session into a folder (the record_dir setting), live in tmux -----------------
mkdir -p "$XDG_CONFIG_HOME/trendguard"
printf 'record_dir = %s/casts\n' "$W" >"$XDG_CONFIG_HOME/trendguard/config"
cat >"$W/run.sh" <<RUN
"$TG" --db "$DB" --session live --offline
echo "EXITED \$?"
sleep 60
RUN
pane "sh $W/run.sh"
wait_for "live: the trending screen" "Trend (14 d)"
wait_for "live: REC in the status line while recording" "REC |"
$T send-keys -t app Down; sleep 0.3
$T resize-window -t app -x 90 -y 28 2>/dev/null || $T resize-pane -t app -x 90 -y 28
sleep 0.5
$T send-keys -t app Enter
wait_for "live: an item" "Regret risk"
$T send-keys -t app q
wait_for "live: quits with 0" "EXITED 0"
[ -f "$W/casts/live.cast" ]; check "live: recorded into the folder as live.cast" $? "$(ls -la "$W/casts" 2>&1)"
out=$(cast_check "$W/casts/live.cast" live 2>&1)
check "live: valid, in order, markers = events ($out)" $? "$out"
grep -q '"r", "90x28"' "$W/casts/live.cast"
check "live: the resize is an \"r\" event" $? "$(grep -c . "$W/casts/live.cast") lines"
play "$W/casts/live.cast"
grep -q "rc=0" "$W/played" && grep -aq "Regret risk" "$W/played.raw"
check "live: asciinema cat plays it" $? "$(cat "$W/played" "$W/played.err" 2>&1 | head -c 300)"
# A replay reads no settings: nothing goes into the folder.
"$TG" --db "$DB" --session quiet --replay "$W/keys" >/dev/null 2>&1
[ ! -e "$W/casts/quiet.cast" ]; check "a replay is not recorded by the setting" $?
rm -f "$XDG_CONFIG_HOME/trendguard/config"

finish
