#!/bin/sh
# Runs the demo from a build directory:
#   run-demo.sh BUILD_DIR [--headless] [--seconds N] [--output FILE] [--timeout SECONDS]
# --timeout: how long mosaic may take to answer once started (30 seconds by default). When
# mosaic exits, crashes or does not answer in time, its log is printed and the demo exits with
# status 1. Ctrl-C, or closing mosaic's window, ends a windowed demo with status 0.
set -eu
usage="usage: run-demo.sh BUILD_DIR [--headless] [--seconds N] [--output FILE] [--timeout SECONDS]"
[ $# -ge 1 ] || { echo "$usage" >&2; exit 2; }
build=$1
shift
headless=no
seconds=5
shot=mosaic-demo.png
timeout=30
while [ $# -gt 0 ]; do
	case "$1" in
	--headless) headless=yes ;;
	--seconds) seconds=$2; shift ;;
	--output) shot=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	*) echo "$usage" >&2; exit 2 ;;
	esac
	shift
done
if [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${DISPLAY:-}" ]; then
	headless=yes
fi

dir=$(mktemp -d /tmp/mosaic-demo-XXXXXX)
pids=""
mosaic_pid=""
log_shown=no
stopping=no

# Says what went wrong, then mosaic's log (before cleanup removes it).
show_log() {
	echo "mosaic demo: $1" >&2
	if [ -f "$dir/mosaic.log" ]; then
		echo "mosaic demo: mosaic's log:" >&2
		sed 's/^/  mosaic: /' "$dir/mosaic.log" >&2
	fi
	log_shown=yes
}
die() {
	show_log "$1"
	exit 1
}
cleanup() {
	status=$?
	trap - EXIT INT TERM
	# 130: Ctrl-C before the demo ran, which says all there is to say.
	if [ "$status" -ne 0 ] && [ "$status" -ne 130 ] && [ "$log_shown" = no ]; then
		show_log "stopped with exit status $status"
	fi
	# Guests first, then mosaic, then the hypervisor: the order things go away in a car.
	for p in $(echo $pids | tr ' ' '\n' | tac); do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$dir"
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Whether a process of ours runs (an exited one that is not reaped yet does not).
alive() {
	[ -r "/proc/$1/stat" ] && ! sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | grep -q '^Z'
}
# How mosaic ended, once it has: in $how.
mosaic_ended() {
	st=0
	wait "$mosaic_pid" 2>/dev/null || st=$?
	if [ "$st" -gt 128 ]; then
		how="mosaic was killed by signal $((st - 128))"
	else
		how="mosaic exited with status $st"
	fi
}

# The demo's hypervisor is its own: so is the lock of the backends mosaic serves in it.
export XENSIM_SOCKET="$dir/xensim.sock" MOSAIC_CONTROL="$dir/mosaic.sock" MOSAIC_RUNTIME_DIR="$dir"
"$build/tests/xensim/xensim" broker >"$dir/broker.out" 2>&1 &
broker=$!
pids="$pids $broker"
deadline=$(($(date +%s) + timeout))
until grep -q ready "$dir/broker.out" 2>/dev/null; do
	alive "$broker" || { cat "$dir/broker.out" >&2; die "the simulated hypervisor did not start"; }
	[ "$(date +%s)" -lt "$deadline" ] || die "the simulated hypervisor did not start in $timeout s"
	sleep 0.1
done

# The demo's layout, on the output mosaic makes: headless, or a window of the session's.
output=HEADLESS-1
if [ "$headless" = no ]; then
	if [ -n "${WAYLAND_DISPLAY:-}" ]; then output=WL-1; else output=X11-1; fi
fi
here=$(cd "$(dirname "$0")" && pwd)
sed "s/@OUTPUT@/$output/" "$here/demo.toml" >"$dir/demo.toml"
mosaic_args="--control $MOSAIC_CONTROL --size 1920x1080 --layout $dir/demo.toml"
[ "$headless" = yes ] && mosaic_args="$mosaic_args --headless"
# mosaic's own Wayland socket goes into the demo's directory, for the status bar; the session's
# (nested in a window) is named by its full path, which does not depend on that directory.
case "${WAYLAND_DISPLAY:-}" in
"" | /*) ;;
*) export WAYLAND_DISPLAY="${XDG_RUNTIME_DIR:-/run/user/$(id -u)}/$WAYLAND_DISPLAY" ;;
esac
XDG_RUNTIME_DIR=$dir XENSIM_DOMID=0 "$build/tests/mosaic-sim" $mosaic_args 2>"$dir/mosaic.log" &
mosaic_pid=$!
pids="$pids $mosaic_pid"
deadline=$(($(date +%s) + timeout))
until "$build/mosaicctl/mosaicctl" ping 2>/dev/null; do
	if ! alive "$mosaic_pid"; then
		mosaic_ended
		die "$how before it answered"
	fi
	[ "$(date +%s)" -lt "$deadline" ] || die "mosaic did not answer within $timeout s"
	sleep 0.1
done

# Dom0's status bar, where the layout places it (a build without it: the guests alone).
statusbar="$build/tests/app/mosaic-demo-statusbar"
if [ -x "$statusbar" ]; then
	socket=""
	deadline=$(($(date +%s) + timeout))
	while [ -z "$socket" ] && [ "$(date +%s)" -lt "$deadline" ]; do
		socket=$(cd "$dir" && ls -d wayland-[0-9]* 2>/dev/null | grep -v lock | head -n 1 || true)
		[ -n "$socket" ] || sleep 0.1
	done
	[ -n "$socket" ] || die "mosaic made no Wayland socket in $dir"
	XDG_RUNTIME_DIR=$dir WAYLAND_DISPLAY=$socket "$statusbar" 2>"$dir/statusbar.log" &
	pids="$pids $!"
fi

domid=1
for guest in cluster:1280x480 infotainment:1280x720 rear-seat:1024x600; do
	name=${guest%%:*}
	res=${guest#*:}
	w=${res%x*}
	h=${res#*x}
	# Each guest has a keyboard, pointer and touch screen too: its input lands in $dir/NAME.out.
	XENSIM_DOMID=0 "$build/tests/xensim/xensim" create --domid $domid --name "$name" \
		--vdispl "backend=0,be-alloc=0,connectors=$name-0:$res" \
		--vkb "backend-type=linux,feature-abs-pointer=1,width=$w,height=$h,feature-multi-touch=1,multi-touch-width=$w,multi-touch-height=$h,multi-touch-num-contacts=2"
	XENSIM_DOMID=$domid "$build/tests/vguest/vguest" --name "$name" --vkb 0 >"$dir/$name.out" &
	pids="$pids $!"
	domid=$((domid + 1))
done

if [ "$headless" = yes ]; then
	# A few seconds of guests on screen, as long as mosaic keeps running.
	deadline=$(($(date +%s) + seconds))
	while [ "$(date +%s)" -lt "$deadline" ]; do
		if ! alive "$mosaic_pid"; then
			mosaic_ended
			die "$how while the demo ran"
		fi
		sleep 0.1
	done
	# The infotainment guest gets the keyboard: its frame shows in the screenshot.
	"$build/mosaicctl/mosaicctl" focus infotainment
	"$build/mosaicctl/mosaicctl" surfaces
	"$build/mosaicctl/mosaicctl" screenshot "$shot"
	echo "mosaic demo: screenshot written to $shot"
else
	echo "mosaic demo: running in a window; Super+1..3 give a guest the keyboard; Ctrl-C to stop"
	# Until mosaic ends (its window closed, or a crash) or Ctrl-C.
	trap 'stopping=yes' INT TERM
	while [ "$stopping" = no ] && alive "$mosaic_pid"; do
		sleep 0.2 || true
	done
	trap 'exit 130' INT TERM
	if [ "$stopping" = no ]; then
		mosaic_ended
		case $how in
		*"status 0") echo "mosaic demo: mosaic's window was closed" ;;
		*) die "$how" ;;
		esac
	fi
fi
