#!/bin/sh
# make mutate: plants each bug of tests/mutate/mutants.txt, one at a time,
# in a copy of the working tree, builds it and runs the suite until a test
# fails (the bug is caught) or none does (it survived). Prints a line per
# bug and "mutate: C caught of N planted"; writes build/mutate.txt.
#   MUTATE_E2E=0   run the unit tests only (survivors are then unit-only)
#   MUTATE_ONLY=K  plant only the bugs whose "what:" contains K
#   MUTATE_TIMEOUT seconds a test may take (default 900)
set -u
cd "$(dirname "$0")/../.." || exit 70
top=$PWD
list=$top/tests/mutate/mutants.txt
e2e=${MUTATE_E2E:-1}
only=${MUTATE_ONLY:-}
limit=${MUTATE_TIMEOUT:-900}
W=$(mktemp -d "${TMPDIR:-/tmp}/tgmutate.XXXXXX") || exit 74
trap 'rm -rf "$W"' EXIT INT TERM

# The copy: every file git knows or would add, with ../shared beside it.
mkdir "$W/tree"
git ls-files -z --cached --others --exclude-standard |
    xargs -0 tar -cf - | tar -xf - -C "$W/tree" || exit 74
[ -d "$top/../shared" ] && ln -s "$(cd "$top/../shared" && pwd)" "$W/shared"
cd "$W/tree" || exit 74
echo "mutate: building the unmutated copy"
if ! make -j2 unit >"$W/build.log" 2>&1; then
    tail -n 20 "$W/build.log"; echo "mutate: the copy does not build"; exit 70
fi
# The suite must pass before anything is planted.
units=$(ls build/tests/test_* | grep -v '\.d$')

# Runs the tests; prints the first that fails, or nothing.
first_failure() {
    for t in $units; do
        timeout "$limit" "$t" >"$W/t.log" 2>&1 || { basename "$t"; return; }
    done
    [ "$e2e" = 0 ] && return
    for t in tests/e2e/*.sh; do
        TG_BUILD=build timeout "$limit" sh "$t" >"$W/t.log" 2>&1 ||
            { echo "e2e/$(basename "$t" .sh)"; return; }
    done
}

echo "mutate: checking that the unmutated suite passes"
f=$(first_failure)
if [ -n "$f" ]; then
    tail -n 30 "$W/t.log"; echo "mutate: $f fails before any bug is planted"
    exit 1
fi

# Applies one mutant to FILE: the line holding FROM becomes TO, with its
# indentation. Exit 1 unless exactly one line matched.
plant() { # plant FILE FROM TO
    FROM=$2 TO=$3 perl -e '
        my ($n, @out) = (0);
        open(my $f, "<", $ARGV[0]) or exit 2;
        while (my $l = <$f>) {
            if (index($l, $ENV{FROM}) >= 0) {
                $n++;
                my ($lead) = $l =~ /^(\s*)/;
                $l = $lead . $ENV{TO} . "\n";
            }
            push @out, $l;
        }
        close $f;
        exit 1 if $n != 1;
        open($f, ">", $ARGV[0]) or exit 2;
        print $f @out;
        close $f;' "$1"
}

planted=0; caught=0; survived=""; report="$W/report"
: >"$report"
run_one() { # run_one WHAT FILE FROM TO
    case "$1" in *"$only"*) ;; *) return ;; esac
    cp "$2" "$W/orig"
    if ! plant "$2" "$3" "$4"; then
        echo "mutate: '$1': its line is not (once) in $2" | tee -a "$report"
        return
    fi
    planted=$((planted + 1))
    if ! make -j2 unit >"$W/build.log" 2>&1; then
        result="did not build (not counted)"; planted=$((planted - 1))
    else
        f=$(first_failure)
        if [ -n "$f" ]; then result="caught by $f"; caught=$((caught + 1))
        else result="SURVIVED"; survived="$survived
  $1 ($2)"
        fi
    fi
    cp "$W/orig" "$2"; touch "$2"
    printf '%-40s %s\n' "$result" "$1" | tee -a "$report"
}

what=""; file=""; from=""
while IFS= read -r line; do
    case "$line" in
    what:*) what=$(printf '%s\n' "${line#what:}" | sed 's/^ *//') ;;
    file:*) file=$(printf '%s\n' "${line#file:}" | sed 's/^ *//') ;;
    from:*) from=$(printf '%s\n' "${line#from:}" | sed 's/^ *//') ;;
    to:*)
        to=$(printf '%s\n' "${line#to:}" | sed 's/^ *//')
        run_one "$what" "$file" "$from" "$to" ;;
    esac
done <"$list"

summary="mutate: $caught caught of $planted planted"
[ "$e2e" = 0 ] && summary="$summary (unit tests only)"
echo "$summary" | tee -a "$report"
[ -n "$survived" ] && echo "survived:$survived" | tee -a "$report"
mkdir -p "$top/build" && cp "$report" "$top/build/mutate.txt"
[ -z "$survived" ]
