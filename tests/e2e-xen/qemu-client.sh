#!/bin/sh
# QEMU as a Wayland client of mosaic ("other VMs' windows"): a small VM, Debian's kernel (the
# real-Xen test's cached one) with a busybox initramfs of its own (qemu-vm/init, cached beside
# the images), run by QEMU with its GTK display on mosaic's socket. Prepares them, then runs
# the integration test test-apps-qemu with QEMU_KERNEL and QEMU_INITRD set.
#
# Usage: tests/e2e-xen/qemu-client.sh TEST MOSAIC MOSAICCTL
#   TEST: the test-apps-qemu binary; MOSAIC, MOSAICCTL: this build's (the cached images are the
#   ones the real-Xen test uses with them).
# Exit status: the test's; 77 skipped (QEMU cannot run here).

set -u
E2E_DIR=$(cd "$(dirname "$0")" && pwd)
. "$E2E_DIR/lib.sh"
. "$E2E_DIR/prepare.sh"

TEST=$1
MOSAIC=$2
MOSAICCTL=$3

skip()
{
	log "SKIP: $*"
	exit 77
}

[ "$(uname -m)" = x86_64 ] || skip "needs an x86_64 host (found $(uname -m))"
if ! step "host tools" prepare_host; then
	command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is missing and cannot be installed"
	die "host tools missing: $(host_missing_packages)"
fi
# QEMU's GTK display is a package of its own.
if ! dpkg-query -W -f='${Status}\n' qemu-system-gui 2>/dev/null | grep -q '^install ok installed$'; then
	as_root apt-get update -q >&2 &&
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q qemu-system-gui >&2 ||
		die "cannot install qemu-system-gui"
fi
add_binary_packages "$MOSAIC" "$MOSAICCTL"
step "prepare images (cache: $E2E_CACHE)" prepare_images || die "cannot prepare the images"

# The VM's initramfs: busybox and the init, keyed by both.
_vkey=$(e2e_hash "$E2E_DIR/qemu-vm/init" /bin/busybox --)
VM_CPIO="$E2E_CACHE/qemu-vm-$_vkey.cpio"
if [ ! -f "$VM_CPIO" ]; then
	_r=$(mktemp -d)
	mkdir -p "$_r/bin" "$_r/dev" "$_r/proc"
	cp /bin/busybox "$_r/bin/busybox" && cp "$E2E_DIR/qemu-vm/init" "$_r/init" &&
		chmod 755 "$_r/init" && make_cpio "$_r" "$VM_CPIO.tmp" || die "cannot make the VM's initramfs"
	rm -rf "$_r"
	as_root rm -f "$E2E_CACHE"/qemu-vm-*.cpio
	mv "$VM_CPIO.tmp" "$VM_CPIO" || die "cannot store $VM_CPIO"
	log "made $VM_CPIO"
fi
QEMU_KERNEL=$E2E_VMLINUZ QEMU_INITRD=$VM_CPIO exec "$TEST"
