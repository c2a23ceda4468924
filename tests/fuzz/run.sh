#!/bin/sh
# Builds every libFuzzer target (tests/fuzz/fuzz_NAME.c) with clang, ASan and
# UBSan against the core sources and runs each for FUZZ_SECONDS, starting from
# tests/fuzz/corpus/NAME/ plus any extra seeds the target names. Each target
# counts as one test; the last line is "N passed, N failed".
cd "$(dirname "$0")/../.." || exit 70
SECS=${FUZZ_SECONDS:-60}
OUT=build/fuzz
mkdir -p "$OUT"
if ! command -v clang >/dev/null 2>&1; then
    echo "fuzz: clang not found (apt-get install clang)"; echo "0 passed, 1 failed"; exit 1
fi
CF="-std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -g -O1 -Iinclude \
 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
 $(pkg-config --cflags sqlite3 libcjson libcurl)"
LIBS="$(pkg-config --libs sqlite3 libcjson libcurl) -lm -lpthread"
passed=0; failed=0
for src in tests/fuzz/fuzz_*.c; do
    [ -f "$src" ] || continue
    name=$(basename "$src" .c); name=${name#fuzz_}
    bin="$OUT/fuzz_$name"
    if ! clang $CF -o "$bin" "$src" src/core/*.c $LIBS 2>"$OUT/$name.build.log"; then
        echo "fuzz $name: build failed"; cat "$OUT/$name.build.log"; failed=$((failed + 1)); continue
    fi
    work="$OUT/corpus-$name"; rm -rf "$work"; mkdir -p "$work"
    [ -d "tests/fuzz/corpus/$name" ] && cp -R "tests/fuzz/corpus/$name/." "$work/"
    seeds=""
    [ -f "tests/fuzz/corpus/$name.seeds" ] && seeds=$(sed 's/#.*//' "tests/fuzz/corpus/$name.seeds")
    for s in $seeds; do [ -f "$s" ] && cp "$s" "$work/"; done
    log="$OUT/$name.log"
    maxlen=${FUZZ_MAX_LEN:-65536}
    if "$bin" -max_total_time="$SECS" -rss_limit_mb=2048 -max_len="$maxlen" \
         -timeout=10 -print_final_stats=1 -artifact_prefix="$OUT/$name-" \
         "$work" >"$log" 2>&1; then
        execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
        echo "fuzz $name: ok, ${execs:-?} runs in ${SECS}s"; passed=$((passed + 1))
    else
        echo "fuzz $name: FINDING"; tail -n 60 "$log"; failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
