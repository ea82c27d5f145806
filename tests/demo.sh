#!/bin/sh
# The cockpit demo: installs what is missing, builds, then runs the simulated
# hypervisor, mosaic, three virtual guests ("cluster", "infotainment",
# "rear-seat") and a status bar of dom0's, placed by tests/demo/demo.toml. In a desktop session mosaic opens a window until you close it
# or press Ctrl-C; otherwise (or with --headless) it runs headless for a few
# seconds and writes a screenshot to mosaic-demo.png. When mosaic exits,
# crashes or does not answer (--timeout SECONDS, 30 by default), it prints
# mosaic's log and exits with status 1.
set -e
cd "$(dirname "$0")/.."
sh tests/deps.sh
if [ ! -f build-demo/build.ninja ]; then
	meson setup build-demo -Dbuildtype=release
fi
meson compile -C build-demo
exec sh tests/demo/run-demo.sh build-demo "$@"
