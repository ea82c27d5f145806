#!/bin/sh
# Fuzzes the checks of everything a guest writes (protocol/displif.c and
# protocol/xs_value.c) with libFuzzer.
#
#   run-fuzz.sh [SECONDS [WORKDIR [RUNS]]]
#
# Builds tests/fuzz/fuzz-guest-values.c and the two modules with clang
# (-fsanitize=fuzzer,address,undefined), then runs for SECONDS (default 30)
# or RUNS executions, whichever ends first, from tests/fuzz/corpus. New
# inputs collect in WORKDIR/corpus (default: $TMPDIR/mosaic-fuzz-guest) and
# are reused next time; a crash leaves WORKDIR/crash-* and fails the script.
#
# Exits 77 (skipped) when clang or its libFuzzer runtime is missing
# (Debian 12: apt-get install clang libclang-rt-14-dev).
set -eu

seconds=${1:-30}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${2:-${TMPDIR:-/tmp}/mosaic-fuzz-guest}
runs=${3:--1}
cc=${CLANG:-clang}

if ! command -v "$cc" >/dev/null 2>&1; then
	echo "run-fuzz.sh: skipped: $cc not found (apt-get install clang libclang-rt-14-dev)"
	exit 77
fi
mkdir -p "$work/corpus"

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
	"$root"/protocol/displif.c "$root"/protocol/xs_value.c "$here/fuzz-guest-values.c" \
	-o "$work/fuzz-guest-values"

echo "run-fuzz.sh: fuzzing for ${seconds}s in $work"
ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1} \
	"$work/fuzz-guest-values" -max_total_time="$seconds" -runs="$runs" -timeout=10 \
	-rss_limit_mb=2048 -max_len=4096 -print_final_stats=1 \
	-dict="$here/fuzz-guest-values.dict" -artifact_prefix="$work/" \
	"$work/corpus" "$here/corpus"
