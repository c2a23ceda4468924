# e2e_checks.sh: helpers shared by the fault and hostile-input scripts in
# tests/e2e (sourced, POSIX sh; they set W to their scratch folder first):
# counted checks, store queries and the loopback feed server.

passed=0; failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; }
check() { # check NAME STATUS [DETAIL]: ok when STATUS is 0
    if [ "$2" = 0 ]; then ok "$1"; else bad "$1${3:+: $3}"; fi
}
# The closing line tests/run.sh counts; exits with the verdict.
finish() {
    echo "checks: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
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
