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
