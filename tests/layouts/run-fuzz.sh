#!/bin/sh
# Fuzzes the layout parser (layout_config_parse) with libFuzzer.
#
#   run-fuzz.sh [SECONDS [WORKDIR]]
#
# Builds tests/layouts/fuzz-layout.c and layouts/*.c with clang
# (-fsanitize=fuzzer,address,undefined), then runs for SECONDS (default 30)
# over the examples, tests/layouts/valid and the broken corpus as seeds. New inputs collect in
# WORKDIR/corpus (default: $TMPDIR/mosaic-fuzz-layout) and are reused next
# time; a crash leaves WORKDIR/crash-* and fails the script.
#
# Exits 77 (skipped) when clang or its libFuzzer runtime is missing
# (Debian 12: apt-get install clang libclang-rt-14-dev).
set -eu

seconds=${1:-30}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${2:-${TMPDIR:-/tmp}/mosaic-fuzz-layout}
cc=${CLANG:-clang}

if ! command -v "$cc" >/dev/null 2>&1; then
	echo "run-fuzz.sh: skipped: $cc not found (apt-get install clang libclang-rt-14-dev)"
	exit 77
fi
mkdir -p "$work/corpus" "$work/seeds"

# A one-line fuzz target tells whether the libFuzzer runtime is installed.
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' \
	>"$work/probe.c"
if ! "$cc" -fsanitize=fuzzer "$work/probe.c" -o "$work/probe" >"$work/probe.log" 2>&1; then
	echo "run-fuzz.sh: skipped: $cc cannot link -fsanitize=fuzzer" \
		"(apt-get install libclang-rt-14-dev)"
	sed 's/^/  /' "$work/probe.log"
	exit 77
fi

"$cc" -std=c11 -D_POSIX_C_SOURCE=200809L -g -O1 -I"$root" \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
	"$root"/layouts/*.c "$here/fuzz-layout.c" -lm -o "$work/fuzz-layout"

rm -f "$work"/seeds/*
for f in "$root"/layouts/examples/*.toml "$here"/valid/*.toml "$here"/broken/*.toml; do
	cp "$f" "$work/seeds/$(basename "$(dirname "$f")")-$(basename "$f")"
done

echo "run-fuzz.sh: fuzzing for ${seconds}s in $work"
# Leak checking stays on: a leak on an error path is a bug here.
ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1} \
	"$work/fuzz-layout" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
	-max_len=16384 -print_final_stats=1 -dict="$here/fuzz-layout.dict" \
	-artifact_prefix="$work/" "$work/corpus" "$work/seeds"
