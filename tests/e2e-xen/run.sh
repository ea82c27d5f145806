#!/bin/sh
# The real-Xen end-to-end test: Debian's Xen hypervisor under QEMU (TCG), a Linux dom0 running
# mosaic, a Linux PV guest whose kernel runs the real display frontend (drm_xen_front) and
# modetest. See README.md.
#
# Usage: tests/e2e-xen/run.sh [options]
#   --mosaic PATH       mosaic binary to test (default: build/mosaic)
#   --mosaicctl PATH    mosaicctl binary (default: mosaicctl/mosaicctl beside mosaic)
#   --variant V         headless (default): headless output, pixman renderer, mosaicctl screenshots
#                       drm: wlroots' DRM backend on virtio-gpu + libinput on USB keyboard/tablet,
#                            pictures by QMP screendump
#   --input MODE        auto (default: on if mosaic has a vinput backend), on, off
#   --be-alloc 0|1      the guest's display buffers allocated by the guest (0, default) or by
#                       mosaic (1: modetest cannot draw then, see README.md)
#   --out DIR           where results go (default: ./e2e-xen-results)
#   --prepare-only      build the cache and stop
#   --flip-seconds N    how long the guest page-flips (default 10)
# Environment: MOSAIC_E2E_CACHE (cache dir, default /var/cache/mosaic-e2e-xen),
#   MOSAIC_E2E_TIMEOUT (seconds QEMU may run, default 600), MOSAIC_E2E_BOOT_TIMEOUT (seconds
#   until dom0 must have said a word, else the machine is booted again once; default 240),
#   MOSAIC_E2E_MIRROR,
#   MOSAIC_E2E_SECURITY_MIRROR (Debian mirrors for debootstrap).
# Exit status: 0 passed, 1 failed, 77 skipped (QEMU cannot run here).

set -u
E2E_DIR=$(cd "$(dirname "$0")" && pwd)
. "$E2E_DIR/lib.sh"
. "$E2E_DIR/prepare.sh"

SKIP=77
MOSAIC="$E2E_DIR/../../build/mosaic"
MOSAICCTL=""
VARIANT=${MOSAIC_E2E_VARIANT:-headless}
INPUT=auto
BE_ALLOC=0
OUT="$(pwd)/e2e-xen-results"
PREPARE_ONLY=0
FLIP_SECONDS=10
TIMEOUT=${MOSAIC_E2E_TIMEOUT:-600}
# The output: wide enough for both connectors side by side at 1:1 (mosaic's grid: 8 px margins).
SCREEN_W=2080
SCREEN_H=800
# The guest's input devices (xl vkb entries), served by mosaic's vinput backend: a keyboard and
# an absolute pointer in connector 0's size, for connector 0 (the guest's first device); a
# multi-touch screen in connector 1's size, for connector 1 by the displ_be convention
# (unique-id T:<connector's unique-id>).
VKB="'backend-type=linux,feature-abs-pointer=1,width=1024,height=768', \
'backend-type=linux,feature-disable-keyboard=1,feature-disable-pointer=1,feature-multi-touch=1,\
multi-touch-width=800,multi-touch-height=480,multi-touch-num-contacts=2,unique-id=T:conn1'"

while [ $# -gt 0 ]; do
	case "$1" in
	--mosaic) MOSAIC=$2; shift ;;
	--mosaicctl) MOSAICCTL=$2; shift ;;
	--variant) VARIANT=$2; shift ;;
	--input) INPUT=$2; shift ;;
	--be-alloc) BE_ALLOC=$2; shift ;;
	--out) OUT=$2; shift ;;
	--prepare-only) PREPARE_ONLY=1 ;;
	--flip-seconds) FLIP_SECONDS=$2; shift ;;
	-h | --help) sed -n '2,23p' "$0"; exit 0 ;;
	*) echo "unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
[ -n "$MOSAICCTL" ] || MOSAICCTL="$(dirname "$MOSAIC")/mosaicctl/mosaicctl"
case "$VARIANT" in headless | drm) ;; *) die "--variant is headless or drm" ;; esac
case "$BE_ALLOC" in 0 | 1) ;; *) die "--be-alloc is 0 or 1" ;; esac
# The scenario's steps (dom0.sh); the DRM variant leaves out the be-alloc guest (the headless
# one covers it: it is about the guest's buffers, not the output).
STEPS="still flip prime input reboot bealloc"
[ "$VARIANT" = drm ] && STEPS="still flip prime input reboot"

skip()
{
	log "SKIP: $*"
	exit $SKIP
}

# --- can QEMU run here at all? -----------------------------------------------------------------
[ "$(uname -m)" = x86_64 ] || skip "needs an x86_64 host (found $(uname -m))"
if ! step "host tools" prepare_host; then
	command -v qemu-system-x86_64 >/dev/null ||
		skip "qemu-system-x86_64 is missing and cannot be installed (needs root or passwordless sudo and Debian's apt)"
	die "host tools missing: $(host_missing_packages)"
fi
qemu-system-x86_64 -accel help 2>/dev/null | grep -qx tcg ||
	skip "qemu-system-x86_64 has no TCG accelerator"
log "$(qemu-system-x86_64 --version | head -n 1)"

# --- the cached images -------------------------------------------------------------------------
if ! can_be_root; then
	log "note: not root; a cache miss needs root (debootstrap, chroot)"
fi
if [ -x "$MOSAIC" ] && [ -x "$MOSAICCTL" ]; then
	# Dom0 gets mosaic's libraries from the same Debian packages as this host has.
	add_binary_packages "$MOSAIC" "$MOSAICCTL"
elif [ $PREPARE_ONLY -eq 0 ]; then
	die "no mosaic/mosaicctl at $MOSAIC (build them: meson setup build && ninja -C build)"
fi
step "prepare images (cache: $E2E_CACHE)" prepare_images || die "cannot prepare the images"
[ $PREPARE_ONLY -eq 1 ] && exit 0

if [ "$INPUT" = auto ]; then
	# mosaic serves PV input once it watches backend/vinput.
	if grep -q vinput "$MOSAIC"; then INPUT=on; else INPUT=off; fi
fi
if [ "$INPUT" = on ]; then
	log "input steps: on"
else
	log "input steps: SKIPPED (mosaic has no kbdif/vinput backend yet; --input on forces them)"
fi

rm -rf "$OUT"
mkdir -p "$OUT" || die "cannot create $OUT"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mosaic-e2e-xen.XXXXXX")
QEMU_PID=""
TAIL_PID=""
cleanup()
{
	[ -n "$QEMU_PID" ] && kill "$QEMU_PID" 2>/dev/null
	[ -n "$TAIL_PID" ] && kill "$TAIL_PID" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# --- this checkout's mosaic into dom0 ---------------------------------------------------------
overlay()
{
	_o="$WORK/overlay"
	mkdir -p "$_o/opt/e2e/lib" "$_o/usr/local/bin"
	cp "$E2E_DIR/dom0/init" "$_o/init"
	# MOSAIC_E2E_DOM0_SCRIPT: another scenario script, for experiments.
	cp "${MOSAIC_E2E_DOM0_SCRIPT:-$E2E_DIR/dom0/dom0.sh}" "$_o/opt/e2e/dom0.sh"
	cp "$E2E_DIR/dom0/xstrace.py" "$_o/opt/e2e/xstrace.py"
	# A sanitizer build in dom0 gets the suppressions the other tests use.
	[ -f "$E2E_DIR/../lsan.supp" ] && cp "$E2E_DIR/../lsan.supp" "$_o/opt/e2e/lsan.supp"
	chmod 755 "$_o/init"
	cp "$MOSAIC" "$_o/usr/local/bin/mosaic"
	cp "$MOSAICCTL" "$_o/usr/local/bin/mosaicctl"
	cp "$E2E_VMLINUZ" "$_o/opt/e2e/vmlinuz"
	# The guest's initramfs: the cached one, and this checkout's guest tools on top (the
	# kernel unpacks concatenated archives in order).
	cat "$E2E_GUEST_CPIO" "$WORK/guest-overlay.cpio" >"$_o/opt/e2e/guest.cpio"
	# Libraries come from dom0's Debian packages; one that is missing there (a build against
	# something newer, say) is copied from this host, and the log says so.
	for b in "$MOSAIC" "$MOSAICCTL"; do
		ldd "$b" | awk '/=> \// { print $1, $3 }'
	done | sort -u | while read -r soname path; do
		if [ -z "$(find "$E2E_DOM0_ROOT/lib" "$E2E_DOM0_ROOT/usr/lib" -name "$soname" 2>/dev/null | head -n 1)" ]; then
			log "dom0 lacks $soname: copying $path from this host"
			cp -L "$path" "$_o/opt/e2e/lib/"
		fi
	done
	cat >"$_o/opt/e2e/config" <<-EOF
		E2E_VARIANT=$VARIANT
		E2E_INPUT=$INPUT
		E2E_FLIP_SECONDS=$FLIP_SECONDS
		E2E_OUTPUT_SIZE=${SCREEN_W}x$SCREEN_H
		E2E_MOSAIC_ENV='${MOSAIC_E2E_MOSAIC_ENV:-}'
		E2E_VDISPL='${MOSAIC_E2E_VDISPL:-backend=0,be-alloc=$BE_ALLOC,connectors=conn0:1024x768;conn1:800x480}'
		E2E_VKB="${MOSAIC_E2E_VKB:-$VKB}"
		E2E_STEPS='${MOSAIC_E2E_STEPS:-$STEPS}'
		E2E_BE_ALLOC=$BE_ALLOC
	EOF
	# For a mosaic with layout files: the grid's places, and a layout that leaves connector 1
	# out (its flips then complete on mosaic's own 60 Hz clock).
	_screen=HEADLESS-1
	[ "$VARIANT" = drm ] && _screen=Virtual-1
	sed "s/@SCREEN@/$_screen/" "$E2E_DIR/dom0/layout.toml" >"$_o/opt/e2e/layout.toml"
	make_cpio "$_o" "$WORK/overlay.cpio" || return 1
	cat "$E2E_DOM0_CPIO" "$WORK/overlay.cpio" >"$WORK/dom0.cpio"
}
# prime-fb: the guest's PRIME client (guest/prime-fb.c), against the guest's libdrm (Debian 12's,
# as this host's).
guest_tools()
{
	_g="$WORK/guest-overlay"
	mkdir -p "$_g/usr/bin"
	# shellcheck disable=SC2046
	${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror $(pkg-config --cflags libdrm) \
		"$E2E_DIR/guest/prime-fb.c" $(pkg-config --libs libdrm) -o "$_g/usr/bin/prime-fb" ||
		return 1
	make_cpio "$_g" "$WORK/guest-overlay.cpio"
}
step "guest tools" guest_tools || die "cannot build the guest's tools (needs cc and libdrm-dev)"
step "dom0 initramfs with this checkout's mosaic" overlay || die "cannot build the dom0 initramfs"

# --- boot ------------------------------------------------------------------------------------
SERIAL="$OUT/serial.log"
set -- -machine q35 -accel tcg -cpu "${MOSAIC_E2E_CPU:-qemu64}" -smp 2 -m 3072 -nodefaults -no-reboot \
	-display none -monitor none -serial "file:$SERIAL" \
	-kernel "$E2E_XEN" \
	-append "console=com1 com1=115200 dom0_mem=1024M,max:1024M dom0_max_vcpus=2 noreboot ${MOSAIC_E2E_XEN_ARGS:-}" \
	-initrd "$E2E_VMLINUZ console=hvc0 earlyprintk=xen,$WORK/dom0.cpio" \
	-drive "file=$WORK/results.img,format=raw,if=none,id=results" \
	-device ide-hd,drive=results,bus=ide.1
if [ "$VARIANT" = drm ]; then
	# In a PV dom0 virtio must go through the DMA API: iommu_platform=on (else a black screen).
	set -- "$@" -device "virtio-gpu-pci,iommu_platform=on,xres=$SCREEN_W,yres=$SCREEN_H" \
		-device qemu-xhci -device usb-kbd -device usb-tablet \
		-qmp "unix:$WORK/qmp.sock,server=on,wait=off"
fi
# Under TCG, dom0's kernel now and then stops early in its boot and never goes on (seen once,
# after "Loading compiled-in X.509 certificates"; a normal boot reaches dom0's first line in
# well under a minute): a machine with no word from dom0 after BOOT_TIMEOUT s is booted again,
# once. Returns 2 for such a boot, else 0.
BOOT_TIMEOUT=${MOSAIC_E2E_BOOT_TIMEOUT:-240}
boot() {
	truncate -s 0 "$WORK/results.img"
	truncate -s 256M "$WORK/results.img"
	: >"$SERIAL"
	rm -f "$WORK/qmp.sock"
	log "== boot: qemu-system-x86_64 $*"
	T_BOOT=$(date +%s)
	qemu-system-x86_64 "$@" </dev/null >"$OUT/qemu.log" 2>&1 &
	QEMU_PID=$!
	# Live view of the scenario (and of anything that looks like a crash).
	tail -n +1 -f "$SERIAL" --pid=$QEMU_PID 2>/dev/null |
		grep --line-buffered -E 'E2E-|Kernel panic|BUG:|Panic on CPU|FATAL' |
		sed -u "s/^/[e2e-xen serial] /" >&2 &
	TAIL_PID=$!
	QMP_PID=""
	if [ "$VARIANT" = drm ]; then
		python3 "$E2E_DIR/qmp.py" --socket "$WORK/qmp.sock" --serial "$SERIAL" \
			--out "$OUT/screens" --size "${SCREEN_W}x$SCREEN_H" >"$OUT/qmp.log" 2>&1 &
		QMP_PID=$!
	fi

	_stuck=0
	END_SEEN=""
	while kill -0 $QEMU_PID 2>/dev/null; do
		_now=$(date +%s)
		if [ $((_now - T_BOOT)) -gt "$TIMEOUT" ]; then
			log "QEMU still running after $TIMEOUT s: stopping it"
			kill $QEMU_PID
			break
		fi
		if [ $((_now - T_BOOT)) -gt "$BOOT_TIMEOUT" ] && ! grep -q 'E2E-DOM0' "$SERIAL"; then
			log "no word from dom0 after $BOOT_TIMEOUT s; its console's last line:" \
				"$(tail -n 1 "$SERIAL" | tr -d '\r')"
			kill $QEMU_PID
			_stuck=1
			break
		fi
		if [ -z "$END_SEEN" ] && grep -q 'E2E-DOM0 END' "$SERIAL"; then
			END_SEEN=$_now
		fi
		if [ -n "$END_SEEN" ] && [ $((_now - END_SEEN)) -gt 20 ]; then
			log "dom0 finished but the machine did not power off: stopping QEMU"
			kill $QEMU_PID
			break
		fi
		sleep 1
	done
	wait $QEMU_PID 2>/dev/null
	QEMU_PID=""
	log "QEMU ran $(($(date +%s) - T_BOOT)) s"
	[ "$_stuck" = 0 ] && return 0
	# The stuck boot's helpers: the next boot starts its own.
	[ -n "$QMP_PID" ] && kill "$QMP_PID" 2>/dev/null
	kill "$TAIL_PID" 2>/dev/null
	TAIL_PID=""
	return 2
}
if ! boot "$@"; then
	cp "$SERIAL" "$OUT/serial-stuck.log"
	log "booting again (the stuck boot's console: serial-stuck.log)"
	boot "$@" || log "dom0 was stuck again"
fi

mkdir -p "$OUT/dom0"
if ! tar -C "$OUT/dom0" -xf "$WORK/results.img" 2>/dev/null; then
	log "no results on the results disk (dom0 did not get to the end?)"
fi

# --- judge ---------------------------------------------------------------------------------
SANITIZED=""
ldd "$MOSAIC" 2>/dev/null | grep -q -E 'libasan|libubsan' && SANITIZED=--sanitized
python3 "$E2E_DIR/check.py" --results "$OUT/dom0" --serial "$SERIAL" --variant "$VARIANT" \
	--screens "$OUT/screens" $SANITIZED \
	--input "$INPUT" --flip-seconds "$FLIP_SECONDS" --be-alloc "$BE_ALLOC" \
	--steps "${MOSAIC_E2E_STEPS:-$STEPS}" | tee "$OUT/report.txt"
rc=$?
# tee hides the status in a plain POSIX pipeline: read it back from the report.
if grep -q '^e2e-xen: PASS' "$OUT/report.txt"; then
	rc=0
else
	rc=1
fi
log "results in $OUT; total $(e2e_elapsed) s"
exit $rc
