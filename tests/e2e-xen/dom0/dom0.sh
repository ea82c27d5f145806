#!/bin/sh
# The scenario, run in dom0 by /init. It orchestrates and collects; the host judges.
#
# Every step logs "E2E-DOM0 <seconds> ..." on the console (the host shows these lines live) and
# records facts as "key value" lines in /results/results.txt. Screenshots, mosaicctl listings,
# XenStore dumps, a XenStore state trace, mosaic's log and the guest's console end up in
# /results, which is written as a tar archive to the results disk (/dev/sda) at the end.
#
# /opt/e2e/config sets: E2E_VARIANT (headless|drm), E2E_INPUT (on|off), E2E_FLIP_SECONDS,
# E2E_OUTPUT_SIZE, E2E_VDISPL, E2E_VKB, E2E_STEPS.

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

# Pages mosaic allocated and shares with guests (be-alloc buffers), mapped from gntalloc.
gntalloc_maps()
{
	_n=$(grep -c '/dev/xen/gntalloc' "/proc/$MOSAIC_PID/maps" 2>/dev/null)
	echo "${_n:-0}"
}

# --- the machine -------------------------------------------------------------------------------

boot_dom0()
{
	elog "dom0 up: $(uname -r), Xen $(cat /sys/hypervisor/version/major 2>/dev/null).$(cat /sys/hypervisor/version/minor 2>/dev/null)$(cat /sys/hypervisor/version/extra 2>/dev/null)"
	for m in xenfs xen-evtchn xen-gntdev xen-privcmd ahci sd_mod; do
		modprobe "$m" || elog "modprobe $m failed"
	done
	# Backend-allocated buffers are pages mosaic shares through gntalloc, which allows 1024 in
	# all by default: less than one 1824x768 framebuffer (1368 pages). A dom0 serving
	# be-alloc guests raises it.
	modprobe xen-gntalloc limit=65536 || elog "modprobe xen-gntalloc failed"
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
		echo "vkb = [ $E2E_VKB ]" >>/tmp/guest.cfg
	fi
	cp /tmp/guest.cfg $R/guest.cfg
}

# create_guest NAME [CONFIG]
create_guest()
{
	_t=$(now)
	if xl create "${2:-/tmp/guest.cfg}" >$R/xl-create-$1.log 2>&1; then
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
	result "still.$1.maps gntdev=$(gntdev_maps) gntalloc=$(gntalloc_maps)"
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
	# The connectors shown nowhere: their flips complete on mosaic's 60 Hz clock, as fast as
	# the guest's round trip allows. Emulation on a busy host can make that round trip longer
	# than a period: then up to three attempts, until one shows the clock's cadence (modetest
	# rate windows at E2E_HIDDEN_HZ or more). The host judges every attempt.
	if mosaicctl layout none >$R/layout-switch.log 2>&1; then
		surfaces hidden
		_try=1
		while :; do
			_c0=$(mosaic_ticks)
			_t0=$(now)
			guest_cmd $((_n + 60)) flip "$_n"
			result "flip.hidden.$_try $ACK"
			result "flip.hidden.$_try.mosaic_cpu $(awk -v c="$(($(mosaic_ticks) - _c0))" \
				-v hz="$(getconf CLK_TCK)" -v a="$_t0" -v b="$(now)" \
				'BEGIN { printf "%.0f%%", 100 * c / hz / (b - a) }')"
			echo "$ACK" | awk -v want="${E2E_HIDDEN_HZ:-40}" '{
				s = $0; sub(/.*freq=/, "", s); sub(/ timeouts=.*/, "", s)
				n = split(s, f, " "); for (i = 1; i <= n; i++) if (f[i] + 0 >= want) exit 0
				exit 1 }' && break
			[ $_try -ge 3 ] && break
			_try=$((_try + 1))
		done
		mosaicctl layout both >>$R/layout-switch.log 2>&1
	else
		result "flip.hidden fail: mosaicctl layout none: $(cat $R/layout-switch.log)"
	fi
}

# "X Y WIDTH HEIGHT" of the guest's connector N on the output, from mosaicctl surfaces.
conn_box()
{
	mosaicctl surfaces 2>/dev/null | grep 'state=connected' | grep " conn=$1 " | tail -n 1 |
		sed -n 's/.* x=\([0-9-]*\) y=\([0-9-]*\) width=\([0-9]*\) height=\([0-9]*\).*/\1 \2 \3 \4/p'
}

# mosaicctl, logged.
ctl()
{
	echo "$(now) mosaicctl $*" >>$R/input-actions.log
	mosaicctl "$@" >>$R/input-actions.log 2>&1 || elog "mosaicctl $* failed"
}

# Something the host does with QEMU's USB keyboard and tablet (qmp.py follows the console),
# then time for it to go through libinput and mosaic.
host_input()
{
	echo "$(now) host: $*" >>$R/input-actions.log
	elog "HOST-$*"
	sleep 3
}

focus_is_guest()
{
	mosaicctl focus 2>/dev/null | grep -q "label=${GUEST}[: ]"
}

# Input through mosaic into the guest's evdev devices (xen-kbdfront): keys to the focused
# guest only, the pointer and touches in the guest's own coordinates. The guest has a keyboard
# and an absolute pointer (vkb 0, connector 0) and a multi-touch screen (vkb 1, connector 1).
# The headless variant uses mosaic's own devices (mosaicctl input); the DRM variant types and
# points with QEMU's USB keyboard and tablet through libinput (touch: mosaicctl, QEMU has no
# touch screen here).
# The PRIME path: the guest shows buffers another driver (vgem) allocated and the display
# imported (prime-fb), still and then page-flipping. With be-alloc=1, Linux asks the backend to
# allocate even an imported buffer (DBUF_CREATE with XENDISPL_DBUF_FLG_REQ_ALLOC and no
# geometry): mosaic refuses, and the import fails in the guest (the host checks that).
prime_picture()
{
	guest_cmd 90 prime
	result "prime.still $ACK"
	case "$ACK" in ok*) ;; *) return 1 ;; esac
	sleep 1
	shot prime
	_n=$((E2E_FLIP_SECONDS / 2))
	guest_cmd $((_n + 90)) prime-flip "$_n"
	result "prime.flip $ACK"
	sleep 1
	shot prime-after-flip
}

input_check()
{
	if [ "$E2E_INPUT" != on ]; then
		result "input skipped: mosaic has no kbdif (vinput) backend yet"
		return 0
	fi
	xs_dump input
	# Something on screen to point at (a connector showing nothing takes no pointer or touch).
	guest_cmd 60 still
	result "input.picture $ACK"
	mosaicctl inputs >$R/inputs.txt 2>&1
	sed "s/^/E2E-DOM0 $(now) inputs: /" $R/inputs.txt
	result "input.devices $(grep -c 'state=connected' $R/inputs.txt) connected"
	guest_cmd 30 input-start
	result "input.start $ACK"
	sleep 1
	# shellcheck disable=SC2046 # "X Y W H": split on purpose
	set -- $(conn_box 0)
	_x0=$1 _y0=$2
	# shellcheck disable=SC2046
	set -- $(conn_box 1)
	_x1=$1 _y1=$2
	if [ -z "$_x0" ] || [ -z "$_x1" ]; then
		result "input.target fail: connectors not on screen"
		guest_cmd 30 input-stop
		return 1
	fi
	# Connector 0: its centre, then (100, 50); connector 1: touches at its centre, then at
	# (200, 120). The host checks what the guest saw against these, in its own coordinates.
	result "input.target conn0 $_x0 $_y0 conn1 $_x1 $_y1"
	ctl focus none
	if [ "$E2E_VARIANT" = drm ]; then
		host_input "KEY b"
		# Super+1: the first guest on screen takes the focus (a binding: the guest gets nothing).
		host_input "KEY meta_l-1"
		wait_until 20 focus_is_guest
		result "input.focus $(mosaicctl focus 2>&1 | head -n 1)"
		host_input "KEY a"
		host_input "POINTER $((_x0 + 512)) $((_y0 + 384)) click"
		host_input "POINTER $((_x0 + 100)) $((_y0 + 50))"
	else
		ctl input key 48 down
		ctl input key 48 up
		ctl focus "$GUEST"
		result "input.focus $(mosaicctl focus 2>&1 | head -n 1)"
		ctl input key 30 down
		ctl input key 30 up
		ctl input pointer $((_x0 + 512)) $((_y0 + 384))
		ctl input button left down
		ctl input button left up
		ctl input pointer $((_x0 + 100)) $((_y0 + 50))
	fi
	ctl input touch down 0 $((_x1 + 400)) $((_y1 + 240))
	ctl input touch frame
	ctl input touch motion 0 $((_x1 + 200)) $((_y1 + 120))
	ctl input touch frame
	ctl input touch up 0
	ctl input touch frame
	sleep "${E2E_INPUT_WAIT:-3}"
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
	grep '/dev/xen/gnt' "/proc/$MOSAIC_PID/maps" >$R/maps-before-destroy.txt 2>&1
	result "destroy.before domid=$_d gntdev_maps=$_maps gntalloc_maps=$(gntalloc_maps)"
	_t=$(now)
	xl destroy $GUEST >$R/xl-destroy.log 2>&1
	_rc=$?
	result "destroy.xl status=$_rc seconds=$(awk -v a="$_t" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')"
	wait_until 20 all_absent
	sleep 1
	shot after-destroy
	grep '/dev/xen/gnt' "/proc/$MOSAIC_PID/maps" >$R/maps-after-destroy.txt 2>&1
	result "destroy.after gntdev_maps=$(gntdev_maps) gntalloc_maps=$(gntalloc_maps)"
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

# The guest once more, its display buffers allocated by mosaic (be-alloc=1): pages mosaic
# shares through gntalloc and the guest's kernel maps. Linux 6.1 cannot map them into a PV
# guest's process (modetest dies), so prime-fb shows and flips them without drawing (black).
bealloc_guest()
{
	sed 's/be-alloc=0/be-alloc=1/' /tmp/guest.cfg >/tmp/guest-bealloc.cfg
	cp /tmp/guest-bealloc.cfg $R/guest-bealloc.cfg
	create_guest bealloc /tmp/guest-bealloc.cfg || return 1
	wait_guest_on_screen bealloc || return 1
	guest_cmd 90 dumb
	result "bealloc.still $ACK"
	sleep 1
	result "bealloc.maps gntdev=$(gntdev_maps) gntalloc=$(gntalloc_maps)"
	shot bealloc
	_n=$((E2E_FLIP_SECONDS / 2))
	guest_cmd $((_n + 90)) dumb-flip "$_n"
	result "bealloc.flip $ACK"
	xl destroy $GUEST >$R/xl-destroy-bealloc.log 2>&1
	result "bealloc.destroy status=$?"
	wait_until 20 all_absent
	result "bealloc.after gntdev=$(gntdev_maps) gntalloc=$(gntalloc_maps)"
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

# Whether the scenario runs step $1: all of them unless E2E_STEPS lists some (for development).
want()
{
	[ -z "${E2E_STEPS:-}" ] && return 0
	case " $E2E_STEPS " in *" $1 "*) return 0 ;; esac
	return 1
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
			{ ! want still || still_picture still || true; } && check_mosaic still &&
			{ ! want flip || flip_pacing || true; } && check_mosaic flip &&
			{ ! want prime || prime_picture || true; } && check_mosaic prime &&
			{ ! want input || input_check || true; } && check_mosaic input &&
			{ ! want reboot || reboot_guest || true; } && check_mosaic reboot
		check_mosaic before-destroy && destroy_guest && check_mosaic destroy &&
			{ ! want bealloc || bealloc_guest || true; } && check_mosaic bealloc
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
