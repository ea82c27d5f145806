#!/bin/sh
# mosaic on Debian 13 (trixie: wlroots 0.18, pixman 0.44, Xen 4.20), from a
# Debian 12 machine: a trixie root made by debootstrap (cached, see below) in
# which this checkout is built under AddressSanitizer and
# UndefinedBehaviorSanitizer into build-debian13/ and its unit, integration
# and screenshot suites run, as tests/check.sh runs them natively.
#
#   sh tests/platforms/debian13.sh [--demo] [MESON TEST ARGS...]
#
# --demo runs the cockpit demo (headless, a screenshot) in the root instead.
# The root is cached under $MOSAIC_PLATFORM_CACHE (default
# /var/cache/mosaic-platforms), keyed by this script and the version of each
# package it holds; a new key makes a new root and removes the old one. The
# checkout is mounted in a mount namespace of the run's own: nothing stays
# mounted when it ends. Runs as root (through sudo unless root); the mirror is
# $MOSAIC_DEBIAN_MIRROR (default http://deb.debian.org/debian).
set -e
cd "$(dirname "$0")/../.."
SRC=$(pwd)
CACHE=${MOSAIC_PLATFORM_CACHE:-/var/cache/mosaic-platforms}
MIRROR=${MOSAIC_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITE=trixie
# What builds mosaic and runs its tests there (tests/deps.sh's list, under
# trixie's names, without the real-Xen test's and the fuzzers' tools).
PACKAGES="meson ninja-build pkg-config gcc libc6-dev
libwlroots-0.18-dev libwayland-dev wayland-protocols libpixman-1-dev libdrm-dev
libinput-dev libxkbcommon-dev libpng-dev libxen-dev libsystemd-dev systemd
libcairo2-dev libfontconfig-dev fonts-dejavu-core wtype grim
scdoc bash-completion fish zsh xvfb xdotool weston wayland-utils python3"

log() {
	echo "debian13: $*" >&2
}

# debootstrap, the mounts and chroot need root: as tests/deps.sh, through sudo.
if [ "$(id -u)" -ne 0 ]; then
	log "running as root through sudo (debootstrap, mounts, chroot)"
	exec sudo sh "$0" "$@"
fi
sh tests/deps.sh

# The key: this script, and the candidate version in trixie of each package
# named (what debootstrap would fetch today), read from the mirror's index.
index_versions() {
	_dir=$CACHE/index
	mkdir -p "$_dir"
	_pkgs=$_dir/Packages-$SUITE
	# The index changes with every point release: fetched again after a day.
	if [ -z "$(find "$_pkgs" -mmin -1440 2>/dev/null)" ]; then
		python3 -c 'import lzma, sys, urllib.request
sys.stdout.buffer.write(lzma.decompress(urllib.request.urlopen(sys.argv[1], timeout=60).read()))' \
			"$MIRROR/dists/$SUITE/main/binary-amd64/Packages.xz" >"$_pkgs.tmp"
		mv "$_pkgs.tmp" "$_pkgs"
	fi
	# shellcheck disable=SC2086
	awk -v want="$(echo $PACKAGES)" '
		BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) need[w[i]] = 1 }
		/^Package: / { p = $2 }
		/^Version: / { if (p in need) print p "=" $2 }' "$_pkgs" | sort
}

versions=$(index_versions)
key=$( (cat "$0"; echo "$versions") | sha256sum | cut -c1-16)
ROOT=$CACHE/$SUITE-$key

mkdir -p "$CACHE"
exec 9>"$CACHE/lock"
flock 9
# A command in the root, in a mount namespace of its own (the mounts go
# when it ends), with this checkout at /src.
in_root() {
	_root=$1
	shift
	unshare --mount --propagation private sh -c '
		set -e
		root=$1 src=$2
		shift 2
		mkdir -p "$root/src" "$root/run/user/0"
		mount --bind "$src" "$root/src"
		mount -t proc proc "$root/proc"
		mount --rbind /dev "$root/dev"
		mount -t sysfs sysfs "$root/sys"
		mount -t tmpfs tmpfs "$root/tmp"
		mount -t tmpfs tmpfs "$root/run/user/0"
		exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LANG=C.UTF-8 XDG_RUNTIME_DIR=/run/user/0 TERM=dumb \
			DEBIAN_FRONTEND=noninteractive "$@"
	' sh "$_root" "$SRC" "$@"
}

if [ ! -f "$ROOT/.complete" ]; then
	log "cache miss: making $ROOT (debootstrap $SUITE, a few minutes)"
	rm -rf "$ROOT.tmp"
	# debootstrap makes the base; apt, with its own resolver, adds the rest.
	if ! debootstrap --variant=minbase "$SUITE" "$ROOT.tmp" "$MIRROR" \
		>"$CACHE/debootstrap.log" 2>&1; then
		tail -n 30 "$CACHE/debootstrap.log" >&2
		log "debootstrap failed"
		exit 1
	fi
	# shellcheck disable=SC2086
	if ! in_root "$ROOT.tmp" sh -c 'apt-get update -q &&
		apt-get install -y -q --no-install-recommends "$@" &&
		apt-get clean' sh $PACKAGES >"$CACHE/install.log" 2>&1; then
		tail -n 30 "$CACHE/install.log" >&2
		log "installing the packages failed"
		exit 1
	fi
	touch "$ROOT.tmp/.complete"
	mv "$ROOT.tmp" "$ROOT"
	for old in "$CACHE/$SUITE"-*; do
		if [ "$old" != "$ROOT" ] && [ -d "$old" ]; then
			log "removing stale root $old"
			rm -rf "$old"
		fi
	done
else
	log "cache hit: $ROOT"
fi
flock -u 9

# Inside the root: build-debian13/ in this checkout, or the demo.
if [ "$1" = "--demo" ]; then
	shift
	inner='cd /src && if [ ! -f build-debian13-demo/build.ninja ]; then
		meson setup build-debian13-demo -Dbuildtype=release >/dev/null; fi &&
		meson compile -C build-debian13-demo >/dev/null &&
		sh tests/demo/run-demo.sh build-debian13-demo --headless "$@"'
else
	inner='cd /src && if [ ! -f build-debian13/build.ninja ]; then
		meson setup build-debian13 -Db_sanitize=address,undefined \
			-Dbuildtype=debugoptimized >/dev/null; fi &&
		meson compile -C build-debian13 &&
		if [ $# -eq 0 ]; then
			set -- --suite unit --suite integration --suite screenshot; fi &&
		meson test -C build-debian13 --print-errorlogs "$@"'
fi

in_root "$ROOT" /bin/sh -c "$inner" sh "$@"
