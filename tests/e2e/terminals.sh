#!/bin/sh
# Hostile terminals for the app, in tmux: TERM=dumb and vt100, sizes 1x1,
# 20x5 and 300x100, a storm of resizes, Ctrl-Z and fg, SIGTERM and a crash
# signal; after each the terminal is as it was (stty -a before and after).
# One "ok"/"FAIL" line per check; the last line counts them.
set -u
BUILD=${TG_BUILD:-build}
TG=$PWD/$BUILD/trendguard
W=$(mktemp -d)
. tests/tools/e2e_checks.sh
tmux_init tg-term
trap '$T kill-server 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$W"' EXIT
trap 'exit 143' INT TERM
ON_FAIL='[ -f "$W/screen" ] && cat "$W/screen"'
sane() { # sane NAME: stty the same before and after
    sleep 0.3
    if [ -s "$W/stty.before" ] && cmp -s "$W/stty.before" "$W/stty.after"; then
        ok "$1: terminal restored"
    else bad "$1: stty differs"; diff "$W/stty.before" "$W/stty.after"; fi
}
# The app's process id: the first process under the pane that is not a
# shell (tmux may start run.sh under sh -c).
app_pid() {
    ap=$($T display -p -t app '#{pane_pid}' 2>/dev/null)
    while [ -n "$ap" ]; do
        case $(ps -o comm= -p "$ap") in
        sh|dash|bash) ap=$(pgrep -P "$ap" | head -n 1) ;;
        *) echo "$ap"; return 0 ;;
        esac
    done
    return 1
}
# The app's normal screen: the tab bar (" TrendGuard  1 Trending ...", cut
# to the width), the trending list's header, the key hints.
normal_screen=' TrendGuard  1\|1 Tren\|Trend (14 d)\|Dashboard'

"$TG" --db "$W/d.db" --replay /dev/null >/dev/null 2>"$W/first-run.log" ||
    { bad "first run"; cat "$W/first-run.log"; }

# fg_start NAME COLS ROWS ENV...: the app in the foreground of a pane of
# that size, inside a shell that records stty before and after and the exit
# code. The session is named term-NAME.
fg_start() {
    name=$1; cols=$2; rows=$3; shift 3
    $T kill-server 2>/dev/null
    rm -f "$W/stty.before" "$W/stty.after" "$W/screen"
    cat > "$W/run.sh" <<EOF
trap 'true' INT TERM
stty -a > "$W/stty.before"
env $* "$TG" --db "$W/d.db" --session term-$name --offline
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

# Tiny and huge windows: the too-small message (src/tui/loop.c,
# draw_too_small), wrapped to the width, and nothing of the normal screen.
fg_start tiny 20 5
wait_for "20x5 says its size" "^20x5; TrendGuard"
on_screen "^needs at least" && on_screen "^80x24" && ! on_screen "$normal_screen"
check "20x5 says it needs at least 80x24, and draws nothing else" $?
$T send-keys -t app Down Enter 5
$T send-keys -t app q
wait_for "20x5 quits with q" "EXITED 0"
sane 20x5
fg_start one 1 1
sleep 1.5
# One cell shows no message; the app is still there, and says its size
# once the window grows, while still too small.
[ "$($T display -p -t app '#{pane_width}x#{pane_height}')" = 1x1 ] && [ -n "$(app_pid)" ] &&
    ! on_screen EXITED
check "1x1: the app keeps running in one cell" $?
$T resize-window -t app -x 40 -y 10
wait_for "1x1 grown to 40x10 says its size" "^The terminal is 40x10;"
on_screen "least 80x24" && ! on_screen "$normal_screen"
check "40x10 says it needs at least 80x24, and draws nothing else" $?
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
rm -f "$W/stty.before" "$W/stty.after"
$T send-keys -t app "stty -a > $W/stty.before; $TG --db $W/d.db --offline --session term-tstp" Enter
wait_for "tstp start" "Trend (14 d)"
$T send-keys -t app C-z
wait_for "Ctrl-Z suspends to the shell" "Stopped"
! on_screen "Trend (14 d)"; check "Ctrl-Z: the app's screen is gone" $?
$T send-keys -t app "stty -a > $W/stty.after; fg" Enter
wait_for "fg redraws" "Trend (14 d)"
sane "Ctrl-Z"
$T send-keys -t app q
sleep 0.5
rm -f "$W/stty.after"
# The command line typed shows "echo DONE": its output is a line of its own.
$T send-keys -t app "stty -a > $W/stty.after; echo DONE" Enter
wait_for "after fg, q" "^DONE$"
sane "fg then q"
fi

# SIGTERM and a crash signal restore the terminal too.
fg_start sigterm 100 30
wait_for "sigterm start" "Trend (14 d)"
kill -TERM "$(app_pid)"
wait_for "SIGTERM exits 143" "EXITED 143"
sane SIGTERM
fg_start crash 100 30
wait_for "crash start" "Trend (14 d)"
kill -SEGV "$(app_pid)"
wait_for "a crash dies with its signal" "EXITED 139"
sane "crash"

finish
