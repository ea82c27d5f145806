#!/bin/sh
# Installs the Debian 12 packages that mosaic needs to build, run its demo and
# run its tests (scdoc for the manuals; bash-completion, fish and zsh for where
# mosaicctl's completions go and to try them; wayland-info for the Wayland
# globals mosaic offers); does nothing when they are all
# there. Uses sudo unless root.
# The last line is the real-Xen test's (tests/e2e-xen): QEMU (its GTK display too, for
# QEMU as a client of mosaic), and what builds
# its images from Debian packages.
set -e
PACKAGES="meson ninja-build pkg-config gcc libc6-dev
libwlroots-dev libwayland-dev wayland-protocols libpixman-1-dev libdrm-dev
libinput-dev libxkbcommon-dev libpng-dev libxen-dev libsystemd-dev systemd
libcairo2-dev libfontconfig-dev fonts-dejavu-core wtype grim
scdoc bash-completion fish zsh clang libclang-rt-14-dev xvfb xdotool weston wayland-utils
qemu-system-x86 qemu-system-gui busybox-static cpio debootstrap kmod python3"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "mosaic: installing Debian packages:$missing"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
fi
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q $missing
