#!/bin/sh
# Cross-builds mosaic for arm64 (aarch64) on Debian 12 and runs its unit and
# integration suites under qemu-user. Installs what is missing (tests/deps.sh
# for the tools the tests run, then the cross compiler, the arm64 libraries by
# multiarch and qemu-user-static), registers qemu with binfmt_misc, builds in
# build-arm64/ (MOSAIC_ARM64_BUILD) with tests/platforms/aarch64-linux-gnu.ini
# and runs `meson test --suite unit --suite integration`. Extra arguments go to
# `meson test` (e.g. a test name). Uses sudo unless root.
#
# No sanitizers: LeakSanitizer stops the process's threads as a debugger
# would, which qemu-user does not emulate ("LeakSanitizer has encountered a
# fatal error"), and the native build (tests/check.sh) runs them all.
#
# The tests start mosaic-sim, xensim, vguest and mosaicctl as programs of their
# own, so arm64 programs must run when exec'd, not only through meson's
# exe_wrapper: qemu's binfmt_misc entry is registered here, since nothing else
# does it where there is no systemd (systemd-binfmt reads
# /usr/lib/binfmt.d/qemu-aarch64.conf at boot; binfmt-support is not installed
# along with qemu-user-static when systemd is).
set -e
cd "$(dirname "$0")/../.."
BUILD=${MOSAIC_ARM64_BUILD:-build-arm64}
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
fi

sh tests/deps.sh

updated=""
# Installs those of the packages named that are missing, and nothing that
# would take a package away from the host.
install_missing() {
	missing=""
	for p in "$@"; do
		if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
			missing="$missing $p"
		fi
	done
	[ -z "$missing" ] && return 0
	if [ -z "$updated" ]; then
		$SUDO apt-get update -q
		updated=yes
	fi
	removed=$(apt-get -s install $missing | sed -n 's/^Remv \([^ ]*\).*/\1/p')
	if [ -n "$removed" ]; then
		echo "mosaic: installing$missing would remove:" $removed >&2
		exit 1
	fi
	echo "mosaic: installing Debian packages:$missing"
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q $missing
}

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	echo "mosaic: adding the arm64 architecture (dpkg --add-architecture arm64)"
	$SUDO dpkg --add-architecture arm64
fi

# qemu first, and registered, so that the arm64 packages' own scripts run
# their arm64 programs (glib's schema and module caches).
install_missing qemu-user-static
BINFMT=/proc/sys/fs/binfmt_misc
if [ ! -e "$BINFMT/register" ]; then
	$SUDO mount -t binfmt_misc binfmt_misc "$BINFMT"
fi
if [ ! -e "$BINFMT/qemu-aarch64" ]; then
	echo "mosaic: registering qemu-aarch64 with binfmt_misc"
	$SUDO sh -c "cat /usr/lib/binfmt.d/qemu-aarch64.conf >$BINFMT/register"
elif ! grep -qx enabled "$BINFMT/qemu-aarch64"; then
	$SUDO sh -c "echo 1 >$BINFMT/qemu-aarch64"
fi

# The libraries of tests/deps.sh's list, for arm64. libxen-dev is not
# multiarch (its arm64 headers and libraries would replace the host's): its
# arm64 runtime libraries are installed, and the package itself is unpacked
# beside the build directory, below.
install_missing gcc-aarch64-linux-gnu libc6-dev:arm64 pkgconf:arm64 \
	libwlroots-dev:arm64 libwayland-dev:arm64 libpixman-1-dev:arm64 libdrm-dev:arm64 \
	libinput-dev:arm64 libxkbcommon-dev:arm64 libpng-dev:arm64 libsystemd-dev:arm64 \
	libcairo2-dev:arm64 libfontconfig-dev:arm64 \
	libxenstore4:arm64 libxengnttab1:arm64 libxenevtchn1:arm64

# libxen-dev for arm64, unpacked (not installed) at the version of its
# runtime libraries; its pkg-config files point at where it is, and its
# libraries' links at the installed runtime libraries.
XEN_VERSION=$(dpkg-query -W -f='${Version}' libxenstore4:arm64)
XEN_DIR="$PWD/$BUILD-libxen-dev"
if [ "$(cat "$XEN_DIR/version" 2>/dev/null)" != "$XEN_VERSION" ]; then
	echo "mosaic: unpacking libxen-dev:arm64 $XEN_VERSION in $XEN_DIR"
	rm -rf "$XEN_DIR"
	mkdir -p "$XEN_DIR"
	(cd "$XEN_DIR" && apt-get download -q "libxen-dev:arm64=$XEN_VERSION")
	dpkg-deb -x "$XEN_DIR"/libxen-dev_*_arm64.deb "$XEN_DIR/root"
	rm "$XEN_DIR"/libxen-dev_*_arm64.deb
	libdir="$XEN_DIR/root/usr/lib/aarch64-linux-gnu"
	sed -i -E "s%^(prefix|includedir|libdir)=/usr%\1=$XEN_DIR/root/usr%" "$libdir"/pkgconfig/*.pc
	for link in "$libdir"/*.so; do
		ln -sf "/usr/lib/aarch64-linux-gnu/$(readlink "$link")" "$link"
	done
	echo "$XEN_VERSION" >"$XEN_DIR/version"
fi

if [ ! -f "$BUILD/build.ninja" ]; then
	meson setup "$BUILD" --cross-file tests/platforms/aarch64-linux-gnu.ini \
		-Dpkg_config_path="$XEN_DIR/root/usr/lib/aarch64-linux-gnu/pkgconfig" \
		-Dbuildtype=debugoptimized
fi
meson compile -C "$BUILD"

# An arm64 program run as the tests run them.
if ! "$BUILD/mosaicctl/mosaicctl" --version >/dev/null; then
	echo "mosaic: $BUILD/mosaicctl/mosaicctl (arm64) does not run when exec'd: see $BINFMT" >&2
	exit 1
fi

meson test -C "$BUILD" --print-errorlogs --suite unit --suite integration "$@"
