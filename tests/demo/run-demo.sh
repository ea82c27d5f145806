#!/bin/sh
# Runs the demo from a build directory: run-demo.sh BUILD_DIR [--headless] [--seconds N] [--output FILE]
set -eu
build=$1
shift
headless=no
seconds=5
shot=mosaic-demo.png
while [ $# -gt 0 ]; do
	case "$1" in
	--headless) headless=yes ;;
	--seconds) seconds=$2; shift ;;
	--output) shot=$2; shift ;;
	*) echo "usage: run-demo.sh BUILD_DIR [--headless] [--seconds N] [--output FILE]" >&2; exit 2 ;;
	esac
	shift
done
if [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${DISPLAY:-}" ]; then
	headless=yes
fi

dir=$(mktemp -d /tmp/mosaic-demo-XXXXXX)
pids=""
cleanup() {
	# Guests first, then mosaic, then the hypervisor: the order things go away in a car.
	for p in $(echo $pids | tr ' ' '\n' | tac); do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM

# The demo's hypervisor is its own: so is the lock of the backends mosaic serves in it.
export XENSIM_SOCKET="$dir/xensim.sock" MOSAIC_CONTROL="$dir/mosaic.sock" MOSAIC_RUNTIME_DIR="$dir"
"$build/tests/xensim/xensim" broker > "$dir/broker.out" &
pids="$pids $!"
until grep -q ready "$dir/broker.out" 2>/dev/null; do sleep 0.1; done

mosaic_args="--control $MOSAIC_CONTROL --size 1920x1080"
[ "$headless" = yes ] && mosaic_args="$mosaic_args --headless"
XENSIM_DOMID=0 "$build/tests/mosaic-sim" $mosaic_args 2> "$dir/mosaic.log" &
pids="$pids $!"
until "$build/mosaicctl/mosaicctl" ping 2>/dev/null; do sleep 0.1; done

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
	XENSIM_DOMID=$domid "$build/tests/vguest/vguest" --name "$name" --vkb 0 > "$dir/$name.out" &
	pids="$pids $!"
	domid=$((domid + 1))
done

if [ "$headless" = yes ]; then
	sleep "$seconds"
	# The infotainment guest gets the keyboard: its frame shows in the screenshot.
	"$build/mosaicctl/mosaicctl" focus infotainment
	"$build/mosaicctl/mosaicctl" surfaces
	"$build/mosaicctl/mosaicctl" screenshot "$shot"
	echo "mosaic demo: screenshot written to $shot"
else
	echo "mosaic demo: running in a window; Super+1..3 give a guest the keyboard; Ctrl-C to stop"
	wait
fi
