# Prepares (and caches) what the real-Xen test boots, from Debian 12 packages only:
#   - Xen's hypervisor (xen-hypervisor-4.17-amd64, gunzipped: QEMU's multiboot wants an ELF)
#   - Debian's Linux kernel (the same image for dom0 and the guest) and its modules
#   - a dom0 root filesystem (debootstrap minbase + Xen's toolstack from bookworm-security,
#     mosaic's runtime libraries, udev/seatd for the DRM variant), as an initramfs
#   - a guest initramfs: busybox, modetest, evtest, xenstore tools, drm_xen_front
#
# Sourced by run.sh (POSIX sh). Sets E2E_XEN, E2E_VMLINUZ, E2E_KVER, E2E_DOM0_ROOT,
# E2E_DOM0_CPIO, E2E_GUEST_CPIO.
#
# The cache lives outside the repository: $MOSAIC_E2E_CACHE, default /var/cache/mosaic-e2e-xen.
# Each artefact's directory is named after a hash of what it was built from (this file, the
# package lists, the Debian versions of the hypervisor, kernel and toolstack, the guest's init),
# so a change rebuilds it and an old one is removed.

E2E_MIRROR=${MOSAIC_E2E_MIRROR:-http://deb.debian.org/debian}
E2E_SECURITY_MIRROR=${MOSAIC_E2E_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
E2E_SUITE=bookworm

# The same as the last line of tests/deps.sh.
HOST_PACKAGES="qemu-system-x86 busybox-static cpio debootstrap kmod python3"

XEN_PACKAGE=xen-hypervisor-4.17-amd64
# Dom0 userspace. mosaic's runtime libraries come from Debian's packages (the binary is built
# on Debian 12 against the same versions); libasan8/libubsan1 serve sanitizer builds.
# The packages that hold the libraries of the binaries under test are checked at run time
# (binary_packages): a dom0 without one is rebuilt with it.
DOM0_PACKAGES="xen-utils-4.17 xenstore-utils kmod busybox-static libdrm-tests evtest
libwlroots10 libwayland-server0 libpixman-1-0 libpng16-16 libxkbcommon0 libinput10
libcairo2 libfontconfig1 libasan8 libubsan1 udev seatd libseat1 xkb-data"
# Packages whose version goes into the cache key (the rest follow them).
KEY_PACKAGES="xen-utils-4.17 libwlroots10 libdrm-tests"

# Kernel modules. Dom0: Xen's device drivers, the disk that carries results out, and (DRM
# variant) virtio-gpu, USB keyboard/tablet, evdev. Guest: the PV display frontend, evdev, vgem
# (buffers for the display to import: the PRIME path).
DOM0_MODULES="xenfs xen-evtchn xen-gntdev xen-gntalloc xen-privcmd
ahci sd_mod virtio_pci virtio-gpu xhci-pci usbhid hid-generic evdev"
GUEST_MODULES="drm_xen_front evdev vgem"
GUEST_BINARIES="/usr/bin/modetest /usr/bin/evtest /usr/bin/xenstore"

E2E_CACHE=${MOSAIC_E2E_CACHE:-/var/cache/mosaic-e2e-xen}

host_missing_packages()
{
	_missing=""
	for p in $HOST_PACKAGES; do
		if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
			_missing="$_missing $p"
		fi
	done
	echo "$_missing"
}

# Installs the host's tools with apt-get (apt-get update first). Returns non-zero if it can't.
prepare_host()
{
	_missing=$(host_missing_packages)
	if [ -z "$_missing" ]; then
		log "host packages present: $HOST_PACKAGES"
		return 0
	fi
	log "installing host packages:$_missing"
	if ! can_be_root; then
		log "not root and no passwordless sudo: cannot install$_missing"
		return 1
	fi
	as_root apt-get update -q >&2 || return 1
	# shellcheck disable=SC2086
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		$_missing >&2
}

# Candidate versions of packages ("name version" lines), from the local apt lists, in one call.
candidates()
{
	apt-cache policy "$@" 2>/dev/null | awk '/^[^ ]/ { sub(":$", "", $1); p = $1 }
		/Candidate:/ && $2 != "(none)" { print p, $2 }'
}

resolve_versions()
{
	KERNEL_PACKAGE=$(apt-cache depends linux-image-amd64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
	if [ -z "$KERNEL_PACKAGE" ] || [ -z "$(candidates "$XEN_PACKAGE")" ]; then
		log "apt lists lack $XEN_PACKAGE or linux-image-amd64: apt-get update"
		as_root apt-get update -q >&2 || return 1
		KERNEL_PACKAGE=$(apt-cache depends linux-image-amd64 2>/dev/null |
			awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
	fi
	_v=$(candidates "$XEN_PACKAGE" "$KERNEL_PACKAGE" $KEY_PACKAGES)
	XEN_VERSION=$(echo "$_v" | awk -v p="$XEN_PACKAGE" '$1 == p { print $2 }')
	KERNEL_VERSION=$(echo "$_v" | awk -v p="$KERNEL_PACKAGE" '$1 == p { print $2 }')
	[ -n "$XEN_VERSION" ] && [ -n "$KERNEL_VERSION" ] || return 1
	KEY_VERSIONS=$(echo "$_v" | awk -v x="$XEN_PACKAGE" -v k="$KERNEL_PACKAGE" \
		'$1 != x && $1 != k { printf " %s=%s", $1, $2 }')
	log "hypervisor $XEN_PACKAGE $XEN_VERSION, kernel $KERNEL_PACKAGE $KERNEL_VERSION,$KEY_VERSIONS"
}

# The Debian packages (on this host) that hold the shared libraries binaries need. One dpkg
# call: each library under the name ldd gives, its real path, and without /usr (usrmerge).
binary_packages()
{
	for b in "$@"; do
		ldd "$b" 2>/dev/null
	done | awk '/=> \// { print $3 }' | sort -u | while read -r lib; do
		echo "$lib"
		readlink -f "$lib"
		echo "${lib#/usr}"
	done | sort -u | xargs dpkg -S 2>/dev/null | cut -d: -f1 | tr ', ' '\n\n' | grep . | sort -u
}

# The packages of the binaries' libraries: dom0 must have them all (NEEDED_PACKAGES).
add_binary_packages()
{
	NEEDED_PACKAGES=$(binary_packages "$@" | tr '\n' ' ')
}

# Whether a built root filesystem has every package in NEEDED_PACKAGES.
rootfs_covers()
{
	[ -f "$1.packages" ] || return 1
	for p in $NEEDED_PACKAGES; do
		cut -f1 "$1.packages" | sed 's/:.*//' | grep -qx "$p" || return 1
	done
}

# Module names with their dependency closure, as files relative to the kernel tree.
module_closure()
{
	_root=$1
	shift
	for m in "$@"; do
		modprobe -d "$_root" -S "$E2E_KVER" --show-depends "$m" 2>/dev/null ||
			{ log "kernel module $m not found" && return 1; }
	done | awk '$1 == "insmod" { print $2 }' | sed "s|^$_root/||" | sort -u
}

# Copies modules (and their dependencies) from the extracted kernel into a root.
install_modules()
{
	_dest=$1
	shift
	_list=$(module_closure "$KTREE" "$@") || return 1
	for f in $_list; do
		mkdir -p "$_dest/$(dirname "$f")"
		cp "$KTREE/$f" "$_dest/$f"
	done
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		[ -f "$KTREE/lib/modules/$E2E_KVER/$f" ] && cp "$KTREE/lib/modules/$E2E_KVER/$f" \
			"$_dest/lib/modules/$E2E_KVER/"
	done
	depmod -b "$_dest" "$E2E_KVER"
}

build_boot_files()
{
	_dir=$1
	_dl="$_dir/download"
	mkdir -p "$_dl" "$_dir/xen" "$_dir/kernel"
	# apt downloads as its own user where it can (else it warns, and downloads as root).
	chown _apt "$_dl" 2>/dev/null
	(cd "$_dl" && apt-get download -q "$XEN_PACKAGE=$XEN_VERSION" \
		"$KERNEL_PACKAGE=$KERNEL_VERSION" >&2) || return 1
	dpkg -x "$_dl"/"$XEN_PACKAGE"_*.deb "$_dir/xen" || return 1
	dpkg -x "$_dl"/"$KERNEL_PACKAGE"_*.deb "$_dir/kernel" || return 1
	_xengz=$(ls "$_dir"/xen/boot/xen-*.gz | head -n 1)
	gunzip -c "$_xengz" >"$_dir/xen.elf" || return 1
	cp "$(ls "$_dir"/kernel/boot/vmlinuz-* | head -n 1)" "$_dir/vmlinuz" || return 1
	basename "$(ls -d "$_dir"/kernel/lib/modules/*)" >"$_dir/kver"
	depmod -b "$_dir/kernel" "$(cat "$_dir/kver")" || return 1
	rm -rf "$_dl" "$_dir/xen"
}

build_dom0_rootfs()
{
	_root=$1
	_list=$(printf '%s\n' $DOM0_PACKAGES | sort -u | tr '\n' ',' | sed 's/,$//')
	log "debootstrap $E2E_SUITE (minbase) with $_list"
	debootstrap --variant=minbase --include="$_list" "$E2E_SUITE" "$_root" "$E2E_MIRROR" \
		>"$_root.debootstrap.log" 2>&1 || {
		tail -n 30 "$_root.debootstrap.log" >&2
		return 1
	}
	# The toolstack must match the hypervisor: bookworm-security has the newer Xen.
	cat >"$_root/etc/apt/sources.list" <<-EOF
		deb $E2E_MIRROR $E2E_SUITE main
		deb $E2E_MIRROR $E2E_SUITE-updates main
		deb $E2E_SECURITY_MIRROR $E2E_SUITE-security main
	EOF
	printf '#!/bin/sh\nexit 101\n' >"$_root/usr/sbin/policy-rc.d"
	chmod 755 "$_root/usr/sbin/policy-rc.d"
	mount -t proc proc "$_root/proc" || return 1
	_rc=0
	log "upgrading dom0 userspace from $E2E_SUITE-security/-updates"
	chroot "$_root" apt-get update -q >"$_root.apt.log" 2>&1 &&
		chroot "$_root" env DEBIAN_FRONTEND=noninteractive apt-get -y -q \
			-o Dpkg::Options::=--force-confold upgrade >>"$_root.apt.log" 2>&1 || _rc=1
	umount "$_root/proc"
	if [ $_rc -ne 0 ]; then
		tail -n 30 "$_root.apt.log" >&2
		return 1
	fi
	chroot "$_root" dpkg-query -W >"$_root.packages"
	log "dom0 toolstack: $(grep -E '^xen-utils-4.17' "$_root.packages" | tr '\t' ' ')"
	# Smaller initramfs: no documentation, translations or package caches.
	rm -rf "$_root"/usr/share/doc/* "$_root"/usr/share/man/* "$_root"/usr/share/info/* \
		"$_root"/usr/share/locale/* "$_root"/var/cache/apt/* "$_root"/var/lib/apt/lists/* \
		"$_root"/var/cache/debconf/*-old "$_root"/usr/share/zoneinfo
	rm -f "$_root/usr/sbin/policy-rc.d"
	mkdir -p "$_root/lib/modules"
	install_modules "$_root" $DOM0_MODULES
}

# A cpio (newc) archive of a directory, as the kernel's initramfs wants it.
make_cpio()
{
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$2"
}

# Shared libraries (closure) of binaries inside a root, as paths in that root.
root_libs()
{
	_root=$1
	shift
	for b in "$@"; do
		chroot "$_root" ldd "$b"
	done | awk '/=> \// { print $3 } /^\t\/.*ld-linux/ { print $1 }' | sort -u
}

build_guest_initramfs()
{
	_root=$1
	_out=$2
	_g=$(mktemp -d)
	mkdir -p "$_g/bin" "$_g/sbin" "$_g/usr/bin" "$_g/dev" "$_g/proc" "$_g/sys" "$_g/tmp" \
		"$_g/run" "$_g/lib/modules" "$_g/etc"
	cp "$_root/bin/busybox" "$_g/bin/busybox"
	for b in $GUEST_BINARIES; do
		cp "$_root$b" "$_g$b" || return 1
	done
	for l in $(root_libs "$_root" $GUEST_BINARIES); do
		mkdir -p "$_g$(dirname "$l")"
		cp -L "$_root$l" "$_g$l" || return 1
	done
	# xenstore is one binary acting by its name.
	for n in read write ls list rm watch exists chmod; do
		ln -sf xenstore "$_g/usr/bin/xenstore-$n"
	done
	install_modules "$_g" $GUEST_MODULES || return 1
	cp "$E2E_DIR/guest/init" "$_g/init"
	chmod 755 "$_g/init"
	make_cpio "$_g" "$_out"
	_rc=$?
	rm -rf "$_g"
	return $_rc
}

# Builds what is missing; sets the E2E_* paths.
prepare_images()
{
	mkdir -p "$E2E_CACHE" || return 1
	resolve_versions || { log "cannot resolve package versions"; return 1; }
	_key=$(e2e_hash "$E2E_DIR/prepare.sh" -- "$XEN_PACKAGE=$XEN_VERSION" \
		"$KERNEL_PACKAGE=$KERNEL_VERSION" "$DOM0_PACKAGES" "$DOM0_MODULES" "$KEY_VERSIONS" \
		"$E2E_MIRROR" "$E2E_SECURITY_MIRROR")
	# Not root with a warm, root-owned cache: no lock (nothing will be written).
	_locked=""
	if (: >>"$E2E_CACHE/lock") 2>/dev/null; then
		exec 9>>"$E2E_CACHE/lock"
		flock 9
		_locked=yes
	fi
	# base-<key>-<extras>: extras names the packages added for the binaries under test. Any
	# complete entry of this key whose dom0 has every package they need will do, so that
	# sanitizer and plain builds (libubsan pulls libstdc++) share one.
	_base=""
	for d in "$E2E_CACHE/base-$_key"-*; do
		if [ -f "$d/complete" ] && rootfs_covers "$d/rootfs"; then
			_base=$d
			break
		fi
	done
	if [ -n "$_base" ]; then
		log "cache hit: $_base"
	else
		_extra=$(printf '%s\n' $NEEDED_PACKAGES | grep -vxF "$(printf '%s\n' $DOM0_PACKAGES)" |
			sort -u | tr '\n' ' ')
		_base="$E2E_CACHE/base-$_key-$(e2e_hash -- "$_extra")"
		log "cache miss: building $_base (a few minutes)"
		[ -n "$_extra" ] && log "dom0 also gets, for the binaries under test:$_extra"
		DOM0_PACKAGES="$DOM0_PACKAGES $_extra"
		as_root rm -rf "$_base"
		mkdir -p "$_base"
		step "download and unpack hypervisor and kernel" build_boot_files "$_base" || return 1
		E2E_KVER=$(cat "$_base/kver")
		KTREE="$_base/kernel"
		step "dom0 root filesystem" build_dom0_rootfs "$_base/rootfs" || return 1
		step "dom0 initramfs" make_cpio "$_base/rootfs" "$_base/dom0.cpio" || return 1
		touch "$_base/complete"
		for old in "$E2E_CACHE"/base-* "$E2E_CACHE"/guest-*; do
			case "$old" in
			"$_base" | "$_base".* | "$E2E_CACHE/base-$_key"-*) ;;
			*) [ -e "$old" ] && log "removing stale cache $old" && rm -rf "$old" ;;
			esac
		done
	fi
	E2E_KVER=$(cat "$_base/kver")
	KTREE="$_base/kernel"
	E2E_XEN="$_base/xen.elf"
	E2E_VMLINUZ="$_base/vmlinuz"
	E2E_DOM0_ROOT="$_base/rootfs"
	E2E_DOM0_CPIO="$_base/dom0.cpio"

	_gkey=$(e2e_hash "$E2E_DIR/guest/init" -- "$_base" "$GUEST_MODULES" "$GUEST_BINARIES")
	E2E_GUEST_CPIO="$E2E_CACHE/guest-$_gkey.cpio"
	if [ -f "$E2E_GUEST_CPIO" ]; then
		log "cache hit: $E2E_GUEST_CPIO"
	else
		rm -f "$E2E_CACHE"/guest-*.cpio
		step "guest initramfs" build_guest_initramfs "$E2E_DOM0_ROOT" "$E2E_GUEST_CPIO.tmp" ||
			return 1
		mv "$E2E_GUEST_CPIO.tmp" "$E2E_GUEST_CPIO"
	fi
	[ -n "$_locked" ] && flock -u 9
	log "dom0 initramfs $(du -m "$E2E_DOM0_CPIO" | cut -f1) MB, guest initramfs" \
		"$(du -m "$E2E_GUEST_CPIO" | cut -f1) MB, kernel $E2E_KVER"
}
