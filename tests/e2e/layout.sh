#!/bin/sh
# The architecture as the built objects show it (nm: what each file
# defines and what it calls): the command line in src/cmd, the app in
# src/tui, the core in src/core; no file of the app calls a function
# defined in a screen file (scr_*.c) other than its own; no two files of
# the app or the command line call each other in a circle; no file outside
# src/core calls SQLite (or hands SQL text to the store); no file outside
# src/tui draws with curses. Prints each check; the last line counts them.
set -u
BUILD=${TG_BUILD:-build}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
. tests/tools/e2e_checks.sh
need nm; need tsort

# The objects of the build; under tests/valgrind.sh TG_BUILD names its
# wrappers (build/valgrind/bin), two folders below the build.
OBJ=$BUILD/obj
[ -d "$OBJ" ] || OBJ=$(dirname "$(dirname "$BUILD")")/obj
obj() { echo "$OBJ/${1%.c}.o"; }
# defs FILE.c: the functions and data FILE defines for other files (not
# the compiler's own, such as a sanitizer's __odr_asan.NAME).
defs() { nm -g --defined-only "$(obj "$1")" | awk '$3 !~ /^__/ { print $3 }'; }
# uses FILE.c: the names FILE takes from other files.
uses() { nm -u "$(obj "$1")" | awk '{ print $2 }'; }

# The layout.
[ -f src/cmd/main.c ] && [ -z "$(ls src/cmd | grep -v '^cmd_.*\.c$\|^main\.c$\|^commands\.h$\|^demo\.[ch]$')" ]
check "src/cmd holds main.c, the commands (cmd_*.c) and the demo" $? "$(ls src/cmd)"
[ -z "$(find src -name 'cmd_*.c' ! -path 'src/cmd/*')" ]
check "no command outside src/cmd" $? "$(find src -name 'cmd_*.c' ! -path 'src/cmd/*')"
ls src/tui/scr_*.c >/dev/null 2>&1 && [ -f src/tui/session.h ] && [ -f src/tui/screen.h ]
check "src/tui holds the screens, the session and the screen interface" $?
[ ! -d src/app ]; check "no src/app any more" $?

missing=""
for f in src/cmd/*.c src/tui/*.c src/cli/*.c src/train/*.c src/core/*.c; do
    [ -f "$(obj "$f")" ] || missing="$missing $f"
done
[ -z "$missing" ]; check "every source is built (make unit first)" $? "$missing"

# Screens never call each other: nothing of a screen file is used by
# another screen file, and a screen file offers nothing but its screen.
for s in src/tui/scr_*.c; do
    name=$(basename "$s" .c)
    extra=$(defs "$s" | grep -v "^$name\$")
    [ -z "$extra" ]; check "$s defines nothing for others but $name" $? "$extra"
    defs "$s" > "$W/defs"
    callers=""
    for f in src/tui/*.c; do
        [ "$f" = "$s" ] && continue
        case $f in src/tui/scr_*) ;; *) continue ;; esac
        uses "$f" | grep -qxF -f "$W/defs" && callers="$callers $f"
    done
    [ -z "$callers" ]; check "no other screen uses $s" $? "used by$callers"
done

# No circle of files calling each other in the app and the command line:
# tsort refuses a graph with a loop. An edge "A B" is A calling into B.
: > "$W/owner"
for f in src/tui/*.c src/cmd/*.c src/cli/*.c; do
    defs "$f" | sed "s|\$| $f|" >> "$W/owner"
done
: > "$W/edges"
for f in src/tui/*.c src/cmd/*.c src/cli/*.c; do
    uses "$f" | awk -v me="$f" 'NR == FNR { own[$1] = $2; next }
        ($1 in own) && own[$1] != me { print me, own[$1] }' "$W/owner" - >> "$W/edges"
    echo "$f $f" >> "$W/edges"
done
sort -u "$W/edges" | tsort > /dev/null 2> "$W/loop"
[ ! -s "$W/loop" ]; check "no files of src/tui, src/cmd and src/cli call each other in a circle" $? "$(cat "$W/loop")"
up=$(grep '^src/tui/scr_[a-z_]*\.c src/tui/\(loop\|chrome\|term\|replay\|preload\)\.c$' "$W/edges")
[ -z "$up" ]; check "screens never call the loop or the background loads" $? "$up"
up=$(grep '^src/tui/session[a-z_]*\.c src/tui/\(scr_[a-z_]*\|loop\|chrome\)\.c$' "$W/edges")
[ -z "$up" ]; check "the session never calls a screen or the loop" $? "$up"
grep -qx 'src/tui/scr_item.c src/tui/session_cart.c' "$W/edges"
check "(the calls are read: the Item screen calls the session's cart)" $?
printf 'a b\nb a\n' | tsort > /dev/null 2>&1
[ $? -ne 0 ]; check "(tsort finds a circle when there is one)" $?

# Only the core talks SQL.
for f in src/cmd/*.c src/tui/*.c src/cli/*.c src/train/*.c; do
    uses "$f" | grep -x 'sqlite3_.*\|store_prepare\|store_exec\|store_count\|store_db' > "$W/sql"
    [ ! -s "$W/sql" ]; check "$f calls no SQLite" $? "$(tr '\n' ' ' < "$W/sql")"
done
# Only the app draws.
drawers=$(grep -l '#include <n\?curses.h>' $(find src include -name '*.[ch]' ! -path 'src/tui/*'))
[ -z "$drawers" ]; check "no file outside src/tui uses curses" $? "$drawers"

finish
