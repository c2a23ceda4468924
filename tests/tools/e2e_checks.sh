# e2e_checks.sh: helpers shared by the scripts in tests/e2e (sourced,
# POSIX sh; they set W to their scratch folder first): counted checks,
# store queries, the loopback feed server and, for the app in tmux, the
# screen. tests/run.sh counts what these print (tests/tools/counts.sh):
# one "ok   NAME", "FAIL NAME" or "SKIP NAME" line per check, and the
# closing line finish prints.

passed=0; failed=0; skipped=0
# The app keeps its settings under XDG_CONFIG_HOME: a test's own, so that
# no test reads the user's or leaves its choices to the next one.
export XDG_CONFIG_HOME="$W/config"
ok() { passed=$((passed + 1)); echo "ok   $1"; }
# bad NAME: a failed check; ON_FAIL, when set, is run after it (a script
# sets it to print what it was looking at, such as the app's screen).
bad() {
    failed=$((failed + 1)); echo "FAIL $1"
    [ -z "${ON_FAIL:-}" ] || eval "$ON_FAIL"
    return 0
}
# skip NAME: a check that could not run here (a tool missing): counted as
# skipped, which CI refuses unless it expects it (.ci/run).
skip() { skipped=$((skipped + 1)); echo "SKIP $1"; }
check() { # check NAME STATUS [DETAIL]: ok when STATUS is 0
    if [ "$2" = 0 ]; then ok "$1"; else bad "$1${3:+: $3}"; fi
}
# The closing line tests/run.sh counts; exits with the verdict.
finish() {
    if [ "$skipped" -gt 0 ]; then
        echo "checks: $passed passed, $failed failed, $skipped skipped"
    else
        echo "checks: $passed passed, $failed failed"
    fi
    [ "$failed" -eq 0 ]
    exit
}
# need TOOL: the script cannot check anything without TOOL (scripts/deps.sh
# installs it): one failed check and the closing line when it is missing.
need() {
    command -v "$1" >/dev/null 2>&1 && return 0
    bad "$1 is missing (scripts/deps.sh installs it)"
    finish
}

q() { sqlite3 "$@" 2>&1; }
# Every table's row count, one "name count" a line.
counts() { # counts DB
    [ -f "$1" ] || { echo "no store"; return; }
    sel=$(sqlite3 "$1" "SELECT group_concat('SELECT ''' || name || ''', count(*) FROM \"' || name || '\"', ' UNION ALL ') FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    sqlite3 -separator ' ' "$1" "$sel ORDER BY 1"
}
# PRAGMA integrity_check is ok and no foreign key dangles.
intact() { # intact DB
    [ "$(q "$1" 'PRAGMA integrity_check')" = ok ] &&
        [ -z "$(q "$1" 'PRAGMA foreign_key_check')" ]
}

# Builds tests/tools/feed_server.c and starts it for SECONDS, serving FILE
# as /tiktok.json and DIR/tests/fixtures/feed/NAME as /fixture/NAME. Sets
# FS_PID and FS_BASE (http://127.0.0.1:PORT); the caller kills FS_PID.
feed_server_start() { # feed_server_start DIR FILE SECONDS
    ${CC:-cc} -O2 -DFEED_SERVER_MAIN -Iinclude -o "$W/feed_server" \
        tests/tools/feed_server.c -lpthread >"$W/fs.out" 2>&1 || return 1
    (cd "$1" && exec "$W/feed_server" --seconds "$3" "$2") >"$W/fs.out" 2>&1 &
    FS_PID=$!
    i=0
    while [ $i -lt 50 ] && ! grep -q '^port ' "$W/fs.out"; do
        sleep 0.1; i=$((i + 1))
    done
    FS_BASE="http://127.0.0.1:$(sed -n 's/^port //p' "$W/fs.out")"
    grep -q '^port ' "$W/fs.out"
}

# ---- the app in tmux ----------------------------------------------------------
# tmux_init NAME: the script's own tmux server (socket NAME-PID: a suite
# running beside this one never shares it); sets T, the tmux command. The
# app runs in the session "app" of that server.
tmux_init() { SOCK="$1-$$"; T="tmux -L $SOCK -f /dev/null"; }
screen() { $T capture-pane -p -t app >"$W/screen" 2>/dev/null; }
# keys KEY...: sent to the app one after another.
keys() { for k in "$@"; do $T send-keys -t app "$k"; sleep 0.05; done; }
# The meter's percentage on the Item screen.
meter() { screen; sed -n 's/.*Regret risk .* \([0-9]*\)% [a-z]*$/\1/p' "$W/screen" | head -n 1; }
# on_screen TEXT: the screen shows TEXT (a grep regular expression) now.
on_screen() { screen; grep -q -- "$1" "$W/screen"; }
# wait_for NAME TEXT [SECONDS]: a check, ok once the screen shows TEXT
# within SECONDS (15) times TG_E2E_SLOW (tests/valgrind.sh: 8).
wait_for() {
    i=0; lim=$(( ${3:-15} * 5 * ${TG_E2E_SLOW:-1} ))
    while [ $i -lt $lim ]; do
        if on_screen "$2"; then ok "$1"; return 0; fi
        sleep 0.2; i=$((i + 1))
    done
    bad "$1: no '$2' on screen"; return 1
}
# wait_gone TEXT [SECONDS]: 0 once the screen no longer shows TEXT.
wait_gone() {
    i=0; lim=$(( ${2:-15} * 5 * ${TG_E2E_SLOW:-1} ))
    while [ $i -lt $lim ]; do
        on_screen "$1" || return 0
        sleep 0.2; i=$((i + 1))
    done
    return 1
}
