#!/bin/sh
# Builds one libFuzzer target of tests/fuzz/ and runs it.
#
#   run-fuzz.sh [TARGET] [SECONDS [WORKDIR [RUNS]]]
#
# TARGET (default fuzz-guest-values):
#   fuzz-guest-values     the checks of everything a guest writes, one request
#                         at a time (protocol/displif.c, protocol/xs_value.c)
#   fuzz-displif-sequence whole request sequences through one vdispl device's
#                         real handling (vm-surfaces/), fake grant tables
#   fuzz-kbdif            kbdif frontend values and the event ring
#                         (protocol/kbdif.c, protocol/xs_value.c)
#   fuzz-layout           the layout file parser (layouts/), from the example,
#                         valid and broken files of tests/layouts/
#
# Builds TARGET.c and what it tests with clang (-fsanitize=fuzzer,address,
# undefined), then runs for SECONDS (default 30) or RUNS executions,
# whichever ends first, from tests/fuzz/corpus/TARGET. New inputs collect
# in WORKDIR/corpus (default: $TMPDIR/mosaic-TARGET) and are reused next time; a crash leaves
# WORKDIR/crash-* and fails the script.
#
# Exits 77 (skipped) when clang or its libFuzzer runtime is missing
# (Debian 12: apt-get install clang libclang-rt-14-dev). A crash exits 1: libFuzzer's own
# error status is 77, which meson would count as skipped.
set -eu

target=fuzz-guest-values
case ${1:-} in
fuzz-*)
	target=$1
	shift
	;;
esac
seconds=${1:-30}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${2:-${TMPDIR:-/tmp}/mosaic-$target}
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

seeds=$here/corpus/$target
dict=$here/$target.dict
source=$here/$target.c
max_len=4096
libs=
case $target in
fuzz-guest-values)
	sources="$root/protocol/displif.c $root/protocol/xs_value.c"
	;;
fuzz-displif-sequence)
	# The device's own code; XenStore, XenBus and event channels are the
	# target's fakes, grant tables fake-xen.c's.
	sources="$root/protocol/displif.c $root/protocol/xs_value.c $root/protocol/pgdir.c
		$root/protocol/edid.c $root/protocol/log.c $root/protocol/ratelimit.c
		$root/vm-surfaces/budget.c $root/vm-surfaces/buffer.c
		$root/vm-surfaces/connector.c $root/vm-surfaces/dbuf.c $root/vm-surfaces/display.c
		$root/vm-surfaces/format.c $root/vm-surfaces/host.c $root/vm-surfaces/mapper.c
		$root/vm-surfaces/mapping.c $here/fake-xen.c"
	libs="$(pkg-config --cflags --libs wlroots pixman-1 wayland-server) -pthread"
	max_len=2048
	;;
fuzz-kbdif)
	sources="$root/protocol/kbdif.c $root/protocol/xs_value.c"
	;;
fuzz-layout)
	layouts=$root/tests/layouts
	sources=$(echo "$root"/layouts/*.c)
	source=$layouts/fuzz-layout.c
	dict=$layouts/fuzz-layout.dict
	libs=-lm
	max_len=16384
	# The seeds are the layout files the tests and the examples have.
	seeds=$work/seeds
	mkdir -p "$seeds"
	rm -f "$seeds"/*
	for f in "$root"/layouts/examples/*.toml "$layouts"/valid/*.toml "$layouts"/broken/*.toml; do
		cp "$f" "$seeds/$(basename "$(dirname "$f")")-$(basename "$f")"
	done
	;;
*)
	echo "run-fuzz.sh: unknown target $target" >&2
	exit 2
	;;
esac

# shellcheck disable=SC2086 # $sources and $libs are lists
"$cc" -std=c11 -D_POSIX_C_SOURCE=200809L -DWLR_USE_UNSTABLE -g -O1 -I"$root" \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
	$sources "$source" $libs -o "$work/$target"

dict_arg=
if [ -f "$dict" ]; then
	dict_arg=-dict=$dict
fi
echo "run-fuzz.sh: $target for ${seconds}s in $work"
ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1} \
	"$work/$target" -max_total_time="$seconds" -runs="$runs" -timeout=10 -error_exitcode=1 \
	-rss_limit_mb=2048 -max_len="$max_len" -print_final_stats=1 $dict_arg \
	-artifact_prefix="$work/" "$work/corpus" "$seeds"
