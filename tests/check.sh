#!/bin/sh
# Installs what is missing, builds mosaic with AddressSanitizer and
# UndefinedBehaviorSanitizer, and runs the whole test suite.
# Extra arguments go to `meson test` (e.g. --suite unit, a test name).
set -e
cd "$(dirname "$0")/.."
sh tests/deps.sh
if [ ! -f build-check/build.ninja ]; then
	meson setup build-check -Db_sanitize=address,undefined -Dbuildtype=debugoptimized
fi
meson compile -C build-check
meson test -C build-check --print-errorlogs --no-suite bench "$@"
