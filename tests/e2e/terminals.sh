#!/bin/sh
# Hostile terminals for the app, in tmux: TERM=dumb and vt100, sizes 1x1,
# 20x5 and 300x100, a storm of resizes, Ctrl-Z and fg, SIGTERM and a crash
# signal; after each the terminal is as it was (stty -a before and after).
# Prints each check; the last line counts them.
set -u
BUILD=${TG_BUILD:-build}
TG=$PWD/$BUILD/trendguard
W=$(mktemp -d)
SOCK="tg-term-$$"
T="tmux -L $SOCK -f /dev/null"
trap '$T kill-server 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$W"' EXIT
passed=0; failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; [ -f "$W/screen" ] && cat "$W/screen"; }
screen() { $T capture-pane -p -t app > "$W/screen" 2>/dev/null; }
wait_for() { # wait_for NAME TEXT [SECONDS]
    i=0; lim=$(( ${3:-15} * 5 * ${TG_E2E_SLOW:-1} ))
    while [ $i -lt $lim ]; do
        screen
        if grep -q -- "$2" "$W/screen"; then ok "$1"; return 0; fi
        sleep 0.2; i=$((i + 1))
    done
    bad "$1: no '$2' on screen"; return 1
}
sane() { # sane NAME: stty the same before and after
    sleep 0.3
    if cmp -s "$W/stty.before" "$W/stty.after"; then ok "$1: terminal restored"
    else bad "$1: stty differs"; diff "$W/stty.before" "$W/stty.after"; fi
}

"$TG" --db "$W/d.db" --replay /dev/null >/dev/null 2>"$W/first-run.log" ||
    { bad "first run"; cat "$W/first-run.log"; }

# fg_start NAME COLS ROWS ENV...: the app in the foreground of a pane of
# that size, inside a shell that records stty before and after and the exit
# code.
fg_start() {
    name=$1; cols=$2; rows=$3; shift 3
    $T kill-server 2>/dev/null
    cat > "$W/run.sh" <<EOF
trap 'true' INT TERM
stty -a > "$W/stty.before"
env $* "$TG" --db "$W/d.db" --session $name --offline
echo "EXITED \$?"
stty -a > "$W/stty.after"
sleep 60
EOF
    for try in 1 2 3 4 5; do
        sleep 0.3
        $T new-session -d -s app -x "$cols" -y "$rows" "sh $W/run.sh" 2>/dev/null &&
            $T has-session -t app 2>/dev/null && return 0
    done
    echo "could not start tmux"
}

# TERM=dumb cannot address the cursor: a clear message, exit 69.
TERM=dumb "$TG" --db "$W/d.db" > "$W/out" 2>&1
rc=$?
[ $rc = 69 ] && grep -q "TERM" "$W/out" && ok "TERM=dumb: clear error, exit 69" ||
    bad "TERM=dumb: exit $rc: $(cat "$W/out")"
TERM=no-such-terminal script -qec "$TG --db $W/d.db" /dev/null > "$W/out" 2>&1
grep -q "not known" "$W/out" && ok "unknown TERM: clear error" ||
    bad "unknown TERM: $(cat "$W/out")"

# vt100: no colours, so the monochrome theme; it runs and quits.
fg_start vt100 80 24 TERM=vt100
wait_for "vt100 draws" "Trend (14 d)"
$T send-keys -t app q
wait_for "vt100 quits" "EXITED 0"
sane vt100

# Tiny and huge windows.
fg_start tiny 20 5
wait_for "20x5 says it is too small" "TrendGuard"
$T send-keys -t app Down Enter 5
$T send-keys -t app q
wait_for "20x5 quits with q" "EXITED 0"
sane 20x5
fg_start one 1 1
sleep 1.5
$T resize-window -t app -x 100 -y 30
wait_for "1x1 survives, then draws when grown" "Trend (14 d)"
$T send-keys -t app q
wait_for "1x1 quits" "EXITED 0"
fg_start huge 300 100
wait_for "300x100 draws" "Trend (14 d)"
$T send-keys -t app 5
wait_for "300x100 dashboard" "Riskiest products" 30
$T send-keys -t app q
wait_for "300x100 quits" "EXITED 0"

# A storm of resizes, then it still answers keys.
fg_start storm 100 30
wait_for "storm start" "Trend (14 d)"
for s in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
    $T resize-window -t app -x $((40 + s * 7)) -y $((10 + s))
    $T resize-window -t app -x $((200 - s * 5)) -y $((50 - s))
done
$T resize-window -t app -x 100 -y 30
# tmux applies the sizes to the pane when it gets to them: a key typed
# before then meets a too-small screen, as it should. Wait for the redraw.
wait_for "the storm settles at 100x30" "5 Dashboard .* ? help"
$T send-keys -t app '?'
wait_for "after a resize storm it answers keys" "this help"
$T send-keys -t app q
wait_for "storm quits" "EXITED 0"
sane storm

# Ctrl-Z and fg from an interactive shell. Not under valgrind
# (tests/valgrind.sh sets TG_E2E_VALGRIND): a program run by valgrind does
# not stop on the SIGTSTP a terminal sends (`valgrind cat` does not either).
if [ -z "${TG_E2E_VALGRIND:-}" ]; then
$T kill-server 2>/dev/null; sleep 0.3
$T new-session -d -s app -x 100 -y 30 "bash --norc --noprofile"
sleep 0.5
$T send-keys -t app "stty -a > $W/stty.before; $TG --db $W/d.db --offline --session tstp" Enter
wait_for "tstp start" "Trend (14 d)"
$T send-keys -t app C-z
wait_for "Ctrl-Z suspends to the shell" "Stopped"
$T send-keys -t app "stty -a > $W/stty.after; fg" Enter
wait_for "fg redraws" "Trend (14 d)"
sane "Ctrl-Z"
$T send-keys -t app q
sleep 0.5
$T send-keys -t app "stty -a > $W/stty.after; echo DONE" Enter
wait_for "after fg, q" "DONE"
sane "fg then q"
fi

# SIGTERM and a crash signal restore the terminal too.
fg_start sigterm 100 30
wait_for "sigterm start" "Trend (14 d)"
pkill -TERM -f "session sigterm"
wait_for "SIGTERM exits 143" "EXITED 143"
sane SIGTERM
fg_start crash 100 30
wait_for "crash start" "Trend (14 d)"
pkill -SEGV -f "session crash"
wait_for "a crash dies with its signal" "EXITED 139"
sane "crash"

echo "checks: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
