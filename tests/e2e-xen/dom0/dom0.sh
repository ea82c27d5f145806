#!/bin/sh
# The scenario, run in dom0 by /init. It orchestrates and collects; the host judges.
#
# Every step logs "E2E-DOM0 <seconds> ..." on the console (the host shows these lines live) and
# records facts as "key value" lines in /results/results.txt. Screenshots, mosaicctl listings,
# XenStore dumps, a XenStore state trace, mosaic's log and the guest's console end up in
# /results, which is written as a tar archive to the results disk (/dev/sda) at the end.
#
# /opt/e2e/config sets: E2E_VARIANT (headless|drm), E2E_INPUT (on|off), E2E_FLIP_SECONDS,
# E2E_OUTPUT_SIZE, E2E_VDISPL, E2E_VKB.

. /opt/e2e/config

R=/results
mkdir -p $R /var/log/xen/console /var/lib/xen /var/lib/xenstored /run/xen /run/xenstored \
	/run/user/0
chmod 700 /run/user/0
T0=$(cut -d' ' -f1 /proc/uptime)
export XDG_RUNTIME_DIR=/run/user/0
export MOSAIC_CONTROL=/run/mosaic.sock
export LD_LIBRARY_PATH=/opt/e2e/lib
GUEST=guest
MOSAIC_PID=""
BG_PIDS=""
SEQ=0

now()
{
	awk -v t0="$T0" '{ printf "%.1f", $1 - t0 }' /proc/uptime
}

elog()
{
	echo "E2E-DOM0 $(now) $*" | tee -a $R/dom0.log
}

result()
{
	echo "$*" >>$R/results.txt
	elog "result: $*"
}

# wait_until SECONDS COMMAND...: polls every 0.2 s.
wait_until()
{
	_limit=$(($1 * 5))
	shift
	_i=0
	while [ $_i -lt $_limit ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
		_i=$((_i + 1))
	done
	return 1
}

mosaic_alive()
{
	[ -n "$MOSAIC_PID" ] && kill -0 "$MOSAIC_PID" 2>/dev/null
}

check_mosaic()
{
	if ! mosaic_alive; then
		wait "$MOSAIC_PID" 2>/dev/null
		result "mosaic.died $1 status=$?"
		return 1
	fi
}

# A domain's id by name, from XenStore (xl is heavy to start under emulation).
domid_of()
{
	for _x in $(xenstore-list /local/domain 2>/dev/null); do
		if [ "$(xenstore-read "/local/domain/$_x/name" 2>/dev/null)" = "$1" ]; then
			echo "$_x"
			return 0
		fi
	done
	return 1
}

xs_dump()
{
	{
		echo "# $(now) s: $1"
		xenstore-ls -f /local/domain/0/backend 2>&1
		for d in $(xenstore-list /local/domain 2>/dev/null); do
			[ "$d" = 0 ] && continue
			xenstore-ls -f /local/domain/$d/device 2>&1
			xenstore-ls -f /local/domain/$d/data 2>&1
		done
	} >"$R/xenstore-$1.txt"
}

surfaces()
{
	mosaicctl surfaces >"$R/surfaces-$1.txt" 2>&1
	sed "s/^/E2E-DOM0 $(now) surfaces-$1: /" "$R/surfaces-$1.txt"
}

connected_count()
{
	mosaicctl surfaces 2>/dev/null | grep -c 'state=connected'
}

all_absent()
{
	_s=$(mosaicctl surfaces 2>/dev/null) || return 1
	! echo "$_s" | grep -q 'state=connected'
}

shot()
{
	if [ "$E2E_VARIANT" = drm ]; then
		# What the virtual screen shows: the host takes it with QMP screendump (qmp.py).
		elog "HOST-SCREENDUMP $1"
		sleep 3
	fi
	_t=$(now)
	if mosaicctl screenshot "$R/shot-$1.png" >"$R/shot-$1.err" 2>&1; then
		elog "screenshot $1 ($(wc -c <"$R/shot-$1.png") bytes, taken at $_t s)"
	else
		elog "screenshot $1 FAILED: $(cat "$R/shot-$1.err")"
	fi
	surfaces "$1"
}

# Sends a command to the guest's init through XenStore ...
guest_send()
{
	SEQ=$((SEQ + 1))
	_d=$(domid_of $GUEST)
	xenstore-rm "/local/domain/$_d/data/e2e-ack" 2>/dev/null
	xenstore-write "/local/domain/$_d/data/e2e-cmd" "$SEQ $*"
	CMD="$*"
}

# ... and waits (up to $1 seconds) for its answer, in $ACK.
guest_wait()
{
	_d=$(domid_of $GUEST)
	_i=0
	while [ $_i -lt $(($1 * 5)) ]; do
		ACK=$(xenstore-read "/local/domain/$_d/data/e2e-ack" 2>/dev/null)
		case "$ACK" in
		"$SEQ "*)
			ACK=${ACK#"$SEQ "}
			elog "guest: $CMD -> $ACK"
			return 0
			;;
		esac
		sleep 0.2
		_i=$((_i + 1))
	done
	ACK="timeout"
	elog "guest: $CMD -> no answer in $1 s"
	return 1
}

guest_cmd()
{
	_timeout=$1
	shift
	guest_send "$@"
	guest_wait "$_timeout"
}

guest_ready()
{
	_d=$(domid_of $GUEST) || return 1
	case "$(xenstore-read "/local/domain/$_d/data/e2e-state" 2>/dev/null)" in
	ready*) return 0 ;;
	esac
	return 1
}

# Records every change of XenBus states and device keys, with times (dom0/xstrace.py).
start_xs_trace()
{
	python3 /opt/e2e/xstrace.py "$T0" /local/domain >$R/xenstore-trace.txt 2>&1 &
	BG_PIDS="$BG_PIDS $!"
}

# Records every change of what mosaicctl surfaces says, with times.
start_surface_trace()
{
	(
		prev=""
		while true; do
			s=$(mosaicctl surfaces 2>&1 | sed 's/ x=.*//')
			if [ "$s" != "$prev" ]; then
				echo "$(now)"
				echo "$s" | sed 's/^/    /'
				prev=$s
			fi
			sleep 1
		done
	) >>$R/surfaces-trace.txt 2>&1 &
	BG_PIDS="$BG_PIDS $!"
}

gntdev_maps()
{
	_n=$(grep -c '/dev/xen/gntdev' "/proc/$MOSAIC_PID/maps" 2>/dev/null)
	echo "${_n:-0}"
}

# --- the machine -------------------------------------------------------------------------------

boot_dom0()
{
	elog "dom0 up: $(uname -r), Xen $(cat /sys/hypervisor/version/major 2>/dev/null).$(cat /sys/hypervisor/version/minor 2>/dev/null)$(cat /sys/hypervisor/version/extra 2>/dev/null)"
	for m in xenfs xen-evtchn xen-gntdev xen-gntalloc xen-privcmd ahci sd_mod; do
		modprobe "$m" || elog "modprobe $m failed"
	done
	mount -t xenfs xenfs /proc/xen || elog "cannot mount xenfs"
	xenstored --pid-file=/run/xenstored.pid || elog "xenstored failed"
	wait_until 20 xenstore-exists /local || elog "xenstored does not answer"
	xen-init-dom0 >$R/xen-init-dom0.log 2>&1 || elog "xen-init-dom0 failed"
	xenconsoled --pid-file=/run/xenconsoled.pid --log=guest --log-dir=/var/log/xen/console ||
		elog "xenconsoled failed"
	result "dom0.toolstack_ready_s $(now)"
	result "xen.version $(xl info 2>/dev/null | awk '/^xen_version/ { print $3 }')"
}

start_udev_seatd()
{
	for m in virtio_pci virtio-gpu xhci-pci usbhid hid-generic evdev; do
		modprobe "$m" || elog "modprobe $m failed"
	done
	/lib/systemd/systemd-udevd --daemon
	udevadm trigger --action=add
	udevadm settle --timeout=30
	seatd -g root >$R/seatd.log 2>&1 &
	BG_PIDS="$BG_PIDS $!"
	wait_until 10 test -S /run/seatd.sock || elog "seatd socket missing"
	ls -l /dev/dri /dev/input >$R/dom0-devices.txt 2>&1
}

start_mosaic()
{
	_env="WLR_RENDERER=pixman"
	_args="--control $MOSAIC_CONTROL --verbose"
	# A mosaic that reads layout files gets one (production's way; the grid otherwise).
	if mosaic --help 2>&1 | grep -q -- '--layout'; then
		LAYOUTS=yes
		_args="$_args --layout /opt/e2e/layout.toml"
	fi
	result "mosaic.layouts ${LAYOUTS:-no}"
	if [ "$E2E_VARIANT" = drm ]; then
		start_udev_seatd
		_env="$_env WLR_BACKENDS=drm,libinput LIBSEAT_BACKEND=seatd"
	else
		_args="--headless --size $E2E_OUTPUT_SIZE $_args"
	fi
	# shellcheck disable=SC2086
	# Sanitizer builds: the options the other tests use (tests/meson.build).
	_san="ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1"
	[ -f /opt/e2e/lsan.supp ] && _san="$_san LSAN_OPTIONS=suppressions=/opt/e2e/lsan.supp"
	env $_env ${E2E_MOSAIC_ENV:-} $_san mosaic $_args >$R/mosaic.log 2>&1 &
	MOSAIC_PID=$!
	elog "mosaic started (pid $MOSAIC_PID): $_env mosaic $_args"
	if wait_until 60 mosaicctl ping; then
		result "mosaic.ready_s $(now)"
	else
		result "mosaic.ready_s timeout"
		tail -n 30 $R/mosaic.log
		return 1
	fi
	mosaicctl outputs >$R/outputs.txt 2>&1
	sed "s/^/E2E-DOM0 $(now) outputs: /" $R/outputs.txt
}

write_guest_cfg()
{
	cat >/tmp/guest.cfg <<-EOF
		name = "$GUEST"
		type = "pv"
		kernel = "/opt/e2e/vmlinuz"
		ramdisk = "/opt/e2e/guest.cpio"
		extra = "console=hvc0"
		memory = 256
		vcpus = 1
		on_reboot = "restart"
		vdispl = [ '$E2E_VDISPL' ]
	EOF
	if [ "$E2E_INPUT" = on ]; then
		echo "vkb = [ '$E2E_VKB' ]" >>/tmp/guest.cfg
	fi
	cp /tmp/guest.cfg $R/guest.cfg
}

create_guest()
{
	_t=$(now)
	if xl create /tmp/guest.cfg >$R/xl-create-$1.log 2>&1; then
		_d=$(domid_of $GUEST)
		result "create.$1 ok domid=$_d seconds=$(awk -v a="$_t" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')"
		xs_dump "after-create-$1"
		return 0
	fi
	result "create.$1 fail"
	sed "s/^/E2E-DOM0 xl: /" $R/xl-create-$1.log
	xs_dump "after-create-$1"
	return 1
}

# Waits for the guest's init, then for mosaic to show its connectors.
wait_guest_on_screen()
{
	_t=$(now)
	if wait_until 120 guest_ready; then
		result "guest.$1.ready_s $(awk -v a="$_t" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')"
	else
		result "guest.$1.ready_s timeout"
		return 1
	fi
	if wait_until 30 sh -c '[ "$(mosaicctl surfaces | grep -c state=connected)" -ge 2 ]'; then
		result "surfaces.$1.connected ok"
	else
		result "surfaces.$1.connected fail $(connected_count)"
	fi
	xs_dump "connected-$1"
}

# A still picture: modetest sets its SMPTE pattern on every connector and holds it.
still_picture()
{
	guest_cmd 60 still
	result "still.$1 $ACK"
	sleep 1
	shot "$1"
	sleep 1
	shot "$1-again"
}

# CPU time (clock ticks) mosaic has used so far.
mosaic_ticks()
{
	awk '{ print $14 + $15 }' "/proc/$MOSAIC_PID/stat" 2>/dev/null || echo 0
}

flip_pacing()
{
	_n=$E2E_FLIP_SECONDS
	_c0=$(mosaic_ticks)
	_t0=$(now)
	cp /proc/interrupts $R/interrupts-before-flip.txt
	guest_send flip "$_n"
	sleep $((_n / 2 + 2))
	shot flipping
	# Who has the CPUs while the guest flips (dom0 processes, and domains as Xen sees them).
	busybox top -b -n 1 >$R/top-flipping.txt 2>&1
	xentop -b -i 2 -d 2 >$R/xentop-flipping.txt 2>&1
	guest_wait $((_n + 60))
	cp /proc/interrupts $R/interrupts-after-flip.txt
	result "flip $ACK"
	result "flip.mosaic_cpu $(awk -v c="$(($(mosaic_ticks) - _c0))" -v hz="$(getconf CLK_TCK)" \
		-v a="$_t0" -v b="$(now)" 'BEGIN { printf "%.0f%%", 100 * c / hz / (b - a) }')"
	[ "${LAYOUTS:-no}" = yes ] || return 0
	# The connectors shown nowhere: their flips complete on mosaic's 60 Hz clock.
	if mosaicctl layout none >$R/layout-switch.log 2>&1; then
		surfaces hidden
		guest_cmd $((_n + 60)) flip "$_n"
		result "flip.hidden $ACK"
		mosaicctl layout both >>$R/layout-switch.log 2>&1
	else
		result "flip.hidden fail: mosaicctl layout none: $(cat $R/layout-switch.log)"
	fi
}

input_check()
{
	if [ "$E2E_INPUT" != on ]; then
		result "input skipped: mosaic has no kbdif (vinput) backend yet"
		return 0
	fi
	xs_dump input
	guest_cmd 30 input-start
	result "input.start $ACK"
	sleep 1
	# A key, and the pointer to the centre of the guest's first connector.
	_box=$(mosaicctl surfaces | grep 'state=connected' | grep ' conn=0 ' | tail -n 1)
	_x=$(echo "$_box" | sed 's/.* x=\([0-9-]*\) y=\([0-9-]*\) width=\([0-9]*\) height=\([0-9]*\).*/\1 \3/' | awk '{ print $1 + int($2 / 2) }')
	_y=$(echo "$_box" | sed 's/.* x=\([0-9-]*\) y=\([0-9-]*\) width=\([0-9]*\) height=\([0-9]*\).*/\2 \4/' | awk '{ print $1 + int($2 / 2) }')
	result "input.target $_x $_y"
	if [ "$E2E_VARIANT" = drm ]; then
		# The host types and points with QEMU's USB keyboard and tablet (qmp.py).
		elog "HOST-INPUT $_x $_y"
	elif [ -x /opt/e2e/inject-input ]; then
		/opt/e2e/inject-input "$_x" "$_y" >$R/inject-input.log 2>&1
		elog "inject-input exited with $?"
	else
		elog "headless: no way to send input into mosaic yet (no mosaicctl input command)"
	fi
	sleep "${E2E_INPUT_WAIT:-10}"
	guest_cmd 30 input-stop
	result "input.stop $ACK"
}

reboot_guest()
{
	_old=$(domid_of $GUEST)
	_maps=$(gntdev_maps)
	result "reboot.before domid=$_old gntdev_maps=$_maps"
	_t=$(now)
	xl reboot $GUEST >$R/xl-reboot.log 2>&1 || elog "xl reboot failed: $(cat $R/xl-reboot.log)"
	_new=""
	_i=0
	while [ $_i -lt 300 ]; do
		_new=$(domid_of $GUEST)
		[ -n "$_new" ] && [ "$_new" != "$_old" ] && break
		sleep 0.2
		_i=$((_i + 1))
	done
	if [ -n "$_new" ] && [ "$_new" != "$_old" ]; then
		result "reboot.restart ok domid=$_new seconds=$(awk -v a="$_t" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')"
	else
		result "reboot.restart fail: falling back to xl destroy + xl create"
		xl destroy $GUEST >>$R/xl-reboot.log 2>&1
		create_guest reboot || return 1
	fi
	wait_guest_on_screen reboot || return 1
	still_picture after-reboot
}

destroy_guest()
{
	_d=$(domid_of $GUEST)
	_maps=$(gntdev_maps)
	grep '/dev/xen/gntdev' "/proc/$MOSAIC_PID/maps" >$R/maps-before-destroy.txt 2>&1
	result "destroy.before domid=$_d gntdev_maps=$_maps"
	_t=$(now)
	xl destroy $GUEST >$R/xl-destroy.log 2>&1
	_rc=$?
	result "destroy.xl status=$_rc seconds=$(awk -v a="$_t" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')"
	wait_until 20 all_absent
	sleep 1
	shot after-destroy
	grep '/dev/xen/gntdev' "/proc/$MOSAIC_PID/maps" >$R/maps-after-destroy.txt 2>&1
	result "destroy.after gntdev_maps=$(gntdev_maps)"
	xl list >$R/xl-list-after-destroy.txt 2>&1
	if grep -q "^$GUEST " $R/xl-list-after-destroy.txt; then
		result "destroy.xl_list still-listed"
	else
		result "destroy.xl_list gone"
	fi
	xs_dump after-destroy
	_left=$(xenstore-ls -f /local/domain/0/backend 2>/dev/null | grep -E "/backend/(vdispl|vinput|vkbd)/$_d/" | head -n 5)
	if [ -n "$_left" ]; then
		result "destroy.backend_dirs left: $(echo "$_left" | head -n 1)"
	else
		result "destroy.backend_dirs none"
	fi
}

stop_mosaic()
{
	mosaic_alive || return 0
	kill -TERM "$MOSAIC_PID"
	_i=0
	while mosaic_alive && [ $_i -lt 100 ]; do
		sleep 0.2
		_i=$((_i + 1))
	done
	if mosaic_alive; then
		result "mosaic.exit hung"
		kill -KILL "$MOSAIC_PID"
	fi
	wait "$MOSAIC_PID"
	result "mosaic.exit status=$?"
}

collect()
{
	for p in $BG_PIDS; do
		kill "$p" 2>/dev/null
	done
	cp /var/log/xen/console/*.log $R/ 2>/dev/null
	cp /var/log/xen/xl-*.log $R/ 2>/dev/null
	dmesg >$R/dom0-dmesg.txt 2>&1
	xl dmesg >$R/xen-dmesg.txt 2>&1
	elog "writing results to /dev/sda"
	if [ -b /dev/sda ]; then
		tar -C $R -cf /dev/sda . && sync
		elog "results written ($(du -sk $R | cut -f1) KB)"
	else
		elog "no results disk: /dev/sda missing"
	fi
}

main()
{
	boot_dom0
	start_xs_trace
	if ! start_mosaic; then
		collect
		return 1
	fi
	start_surface_trace
	write_guest_cfg
	if create_guest first && wait_guest_on_screen first; then
		# A step that fails is recorded and the next runs; only mosaic's death stops the chain.
		check_mosaic connect &&
			{ still_picture still || true; } && check_mosaic still &&
			{ flip_pacing || true; } && check_mosaic flip &&
			{ input_check || true; } && check_mosaic input &&
			{ reboot_guest || true; } && check_mosaic reboot
		check_mosaic before-destroy && destroy_guest && check_mosaic destroy
	else
		check_mosaic create
		xl list >$R/xl-list.txt 2>&1
		_d=$(domid_of $GUEST)
		[ -n "$_d" ] && guest_cmd 10 dmesg
		xl destroy $GUEST >/dev/null 2>&1
	fi
	stop_mosaic
	collect
}

main
