#!/bin/sh
# Disk full and I/O errors under `ingest`, `score`, `export` and the
# trainer's model write, two ways: a small tmpfs that fills up (ENOSPC;
# needs root and a kernel that lets it mount: otherwise its cases count
# as skipped) and `ulimit -f` with SIGXFSZ ignored (EFBIG: every write past
# the limit fails; works unprivileged). Each time:
#   - exit 74 and one error line naming the file;
#   - the store intact (PRAGMA integrity_check) and its counts unchanged;
#   - an earlier model or export byte-identical, no temporary file left,
#     the model not registered;
#   - (tmpfs) with space again, the same command finishes the job.
# One "ok"/"FAIL" line per check; the last line counts them.
set -u
BUILD=${TG_BUILD:-build}
TG=$PWD/$BUILD/trendguard
TRAIN=$PWD/$BUILD/trendguard-train
W=$(mktemp -d)
MNT="$W/mnt"
mkdir "$MNT"
mounted=0
trap '[ $mounted = 1 ] && umount "$MNT"; rm -rf "$W"' EXIT
trap 'exit 143' INT TERM
. tests/tools/e2e_checks.sh
need sqlite3
kb() { echo $((($(stat -c %s "$1") + 1023) / 1024)); }
# The error is exit 74 and one line (progress lines aside) naming WHAT.
failed_cleanly() { # failed_cleanly NAME RC ERRFILE WHAT
    lines=$(grep -v '^round ' "$3" | grep -c .)
    [ "$2" = 74 ] && [ "$lines" = 1 ] && grep -q -- "$4" "$3"
    check "$1: exit 74, one line naming $(basename "$4")" $? "exit $2: $(head -c 400 "$3")"
}
# Runs CMD... under a file size limit of KB kilobytes, SIGXFSZ ignored.
limited() { # limited KB CMD...
    k=$1; shift
    (trap '' XFSZ; ulimit -f "$k" && exec "$@")
}
# A fresh, empty tmpfs of KB kilobytes at $MNT (0 when mounted).
small_fs() {
    [ $mounted = 1 ] && umount "$MNT" && mounted=0
    mount -t tmpfs -o "size=${1}k,mode=0700" tmpfs "$MNT" 2>/dev/null && mounted=1
}
grow_fs() { mount -o remount,size=256m "$MNT"; }

# ---- the data --------------------------------------------------------------------
"$TG" gen --out "$W/gen" --scale demo >/dev/null 2>&1
"$TG" ingest --db "$W/pc.db" "$W/gen/products.csv" "$W/gen/customers.csv" >/dev/null 2>&1
"$TG" ingest --db "$W/full.db" "$W/gen" >/dev/null 2>&1
check "ingest the demo data" $?
counts "$W/full.db" >"$W/full.counts"
counts "$W/pc.db" >"$W/pc.counts"
"$TRAIN" --db "$W/full.db" --rounds 20 --eta 0.3 --out "$W/model.json" >"$W/out" 2>&1
check "train a small model" $? "$(tail -n 2 "$W/out")"
# A trainer killed while saving left its temporary model: the next run
# removes it (its process is gone) and keeps a running trainer's.
mkdir "$W/tm"; cp "$W/full.db" "$W/tm.db"; sh -c 'exit 0' & dead=$!; wait $dead
touch "$W/tm/.tg-model-$dead.tmp.json" "$W/tm/.tg-model-$$.tmp.json"
"$TRAIN" --db "$W/tm.db" --rounds 5 --out "$W/tm/m.json" >"$W/out" 2>&1
[ ! -e "$W/tm/.tg-model-$dead.tmp.json" ] && [ -e "$W/tm/.tg-model-$$.tmp.json" ]
check "train: a killed trainer's temporary model removed, a live one's kept" $? "$(ls -A "$W/tm" | tr '\n' ' ')"
# Metrics that cannot be written: no model file, nothing registered.
regs=$(q "$W/tm.db" 'SELECT count(*) FROM model_registry')
mkdir "$W/tm/metrics.json"
"$TRAIN" --db "$W/tm.db" --rounds 5 --out "$W/tm/m2.json" --metrics "$W/tm/metrics.json" >"$W/out" 2>&1; rc=$?
[ $rc != 0 ] && [ ! -e "$W/tm/m2.json" ] && [ "$(q "$W/tm.db" 'SELECT count(*) FROM model_registry')" = "$regs" ]
check "train: metrics that cannot be written leave no model and register nothing (exit $rc)" $? "$(cat "$W/out"); $(ls -A "$W/tm" | tr '\n' ' ')"
counts "$W/full.db" >"$W/unscored.counts"
cp "$W/full.db" "$W/scored.db"
"$TG" score --db "$W/scored.db" >/dev/null 2>&1
check "score" $?
counts "$W/scored.db" >"$W/scored.counts"
"$TG" export --db "$W/full.db" --out "$W/export.first" >/dev/null 2>&1
check "export the unscored store" $?

if small_fs 1024; then
    modes="tmpfs ulimit"
else
    modes="ulimit"
    skip "tmpfs: disk full in a small tmpfs (needs root and permission to mount); ulimit -f only"
fi

# The room for one case: a tmpfs of KB kilobytes (tmpfs mode) or a limit of
# KB kilobytes per file (ulimit mode); sets dir, where the case works.
room() { # room KB
    if [ "$mode" = tmpfs ]; then small_fs "$1"; dir=$MNT
    else LIMIT=$1; dir="$W/ulimit"; mkdir -p "$dir"; fi
}
squeezed() { # squeezed CMD...: runs CMD in the room
    if [ "$mode" = tmpfs ]; then "$@"; else limited "$LIMIT" "$@"; fi
}
# The store passes integrity_check and has the counts in WANT.
unchanged() { # unchanged NAME DB WANT
    intact "$2"; check "$1: integrity" $?
    counts "$2" >"$W/got"
    cmp -s "$3" "$W/got"; check "$1: counts unchanged" $? "$(diff "$3" "$W/got" | tr '\n' ' ')"
}
# (tmpfs) With space again, CMD exits 0 and leaves the counts in WANT.
with_space() { # with_space NAME DB WANT CMD...
    [ "$mode" = tmpfs ] || return 0
    n=$1; d=$2; want=$3; shift 3
    grow_fs
    "$@" >"$W/out" 2>&1; rc=$?
    counts "$d" >"$W/got"
    [ $rc = 0 ] && cmp -s "$want" "$W/got"
    check "$n: with space again, it finishes" $? "exit $rc $(diff "$want" "$W/got" | tr '\n' ' ')"
}

for mode in $modes; do
    # ---- ingest: the trends file does not fit, both paths ----------------------
    # The bulk path (a load bigger than the store: a new file beside it,
    # given up whole) and file by file (--bulk never).
    for way in bulk never; do
        opt=""; [ $way = never ] && opt="--bulk never"
        room $(($(kb "$W/pc.db") + 1536))
        db="$dir/s.db"; cp "$W/pc.db" "$db"
        squeezed "$TG" ingest --db "$db" $opt "$W/gen" >"$W/out" 2>"$W/err"
        failed_cleanly "$mode ingest ($way)" $? "$W/err" "$db"
        unchanged "$mode ingest ($way)" "$db" "$W/pc.counts"
        [ ! -e "$db.bulk" ] && [ ! -e "$db.bulk-journal" ]
        check "$mode ingest ($way): no new file left beside the store" $? "$(ls -A "$dir" | tr '\n' ' ')"
        with_space "$mode ingest ($way)" "$db" "$W/full.counts" "$TG" ingest --db "$db" $opt "$W/gen"
        rm -f "$db" "$db-wal" "$db-shm"
    done

    # ---- score: the scores do not fit ------------------------------------------
    room $(($(kb "$W/full.db") + 1024))
    db="$dir/s.db"; cp "$W/full.db" "$db"
    squeezed "$TG" score --db "$db" --model "$W/model.json" >"$W/out" 2>"$W/err"
    failed_cleanly "$mode score" $? "$W/err" "$db"
    unchanged "$mode score" "$db" "$W/unscored.counts"
    with_space "$mode score" "$db" "$W/scored.counts" "$TG" score --db "$db" --model "$W/model.json"
    rm -f "$db" "$db-wal" "$db-shm"

    # ---- export: the scored store's files do not fit beside the earlier ones ----
    room $(($(du -sk "$W/export.first" | cut -f1) + 4096))
    out="$dir/export"; rm -rf "$out"; cp -r "$W/export.first" "$out"
    squeezed "$TG" export --db "$W/scored.db" --out "$out" >"$W/out" 2>"$W/err"
    failed_cleanly "$mode export" $? "$W/err" "$out"
    same=0
    for f in "$W/export.first"/* "$W/export.first/.trendguard-export"; do
        cmp -s "$f" "$out/$(basename "$f")" || same=1
    done
    check "$mode export: the earlier export byte-identical" $same
    [ "$(ls -A "$out")" = "$(ls -A "$W/export.first")" ]
    check "$mode export: no temporary file left" $? "$(ls -A "$out" | tr '\n' ' ')"
    (cd "$out" && sha256sum -c --quiet .trendguard-export >/dev/null 2>&1)
    check "$mode export: the manifest still vouches for every file" $?
    rm -rf "$out"

    # ---- the trainer's model write: a bigger model does not fit ----------------
    room $(($(kb "$W/model.json") + 64))
    # The earlier model is the store's own (a copy of full.db; the same data
    # and seed give the same bytes): the trainer replaces no model file the
    # store did not register.
    m="$dir/model.json"; rm -f "$W/tr.db"*; cp "$W/full.db" "$W/tr.db"
    "$TRAIN" --db "$W/tr.db" --rounds 20 --eta 0.3 --out "$m" >"$W/out" 2>&1
    regs=$(q "$W/tr.db" 'SELECT count(*) FROM model_registry')
    squeezed "$TRAIN" --db "$W/tr.db" --rounds 60 --max-depth 8 --out "$m" >"$W/out" 2>"$W/err"
    failed_cleanly "$mode train" $? "$W/err" "$m"
    cmp -s "$W/model.json" "$m"; check "$mode train: the earlier model byte-identical" $?
    [ "$(ls -A "$dir" | grep -c 'tg-model')" = 0 ]; check "$mode train: no temporary file left" $? "$(ls -A "$dir" | tr '\n' ' ')"
    [ "$(q "$W/tr.db" 'SELECT count(*) FROM model_registry')" = "$regs" ]
    check "$mode train: nothing registered" $?
    intact "$W/tr.db"; check "$mode train: the store intact" $?
    rm -f "$m"
done

finish
