#!/bin/sh
# Installs what is missing, builds mosaic with AddressSanitizer and
# UndefinedBehaviorSanitizer, and runs the whole test suite; then builds it
# with ThreadSanitizer and runs the unit, integration and screenshot suites
# again (mosaic composes and encodes screenshots on threads of its own);
# then the real-Xen suite in a release build; then the other platforms:
# Debian 13 with wlroots 0.18 (tests/platforms/debian13.sh) and arm64 under
# qemu-user (tests/platforms/arm64.sh).
# Extra arguments go to `meson test` (e.g. --suite unit, a test name); with
# them, only the first build runs them.
set -e
cd "$(dirname "$0")/.."
sh tests/deps.sh
if [ ! -f build-check/build.ninja ]; then
	meson setup build-check -Db_sanitize=address,undefined -Dbuildtype=debugoptimized
fi
meson compile -C build-check
meson test -C build-check --print-errorlogs --no-suite bench --no-suite soak "$@"
if [ $# -gt 0 ]; then
	exit 0
fi
# TSan does not model the fences of the rings shared with guests (other
# processes, which it cannot see anyway): -Wno-tsan.
if [ ! -f build-tsan/build.ninja ]; then
	meson setup build-tsan -Db_sanitize=thread -Dbuildtype=debugoptimized -Dc_args=-Wno-tsan
fi
meson compile -C build-tsan
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
	meson test -C build-tsan --print-errorlogs --suite unit --suite integration --suite screenshot
# The real-Xen suite once more, built as users build it (no sanitizer): its
# timing checks (the guest's flip rate on and off screen) must hold where
# mosaic is fast, not only where a sanitizer slows it down.
if [ ! -f build-release/build.ninja ]; then
	meson setup build-release -Dbuildtype=release
fi
meson compile -C build-release
meson test -C build-release --print-errorlogs --suite e2e-xen
# The other platforms (README, "Platforms"): wlroots 0.18 in a Debian 13
# root, and an arm64 cross build under qemu-user.
sh tests/platforms/debian13.sh
sh tests/platforms/arm64.sh
