#!/bin/sh
# The demo (run-demo.sh, which tests/demo.sh runs): headless, it writes its
# screenshot; when mosaic exits at start, never answers, or crashes while
# its window is shown, it says so, prints mosaic's log and exits 1 (without
# waiting for ever, and without leaving mosaic behind); Ctrl-C ends a
# windowed demo with status 0. A failing or stuck mosaic is a script in a
# build directory of links to the real programs.
#
# test-demo.sh BUILD_DIR
set -eu
build=$1
demo=$(cd "$(dirname "$0")" && pwd)/run-demo.sh
t=$(mktemp -d /tmp/mosaic-demo-test-XXXXXX)
demo_pid=""
cleanup() {
	[ -z "$demo_pid" ] || kill "$demo_pid" 2>/dev/null || true
	for f in "$t"/*.pid; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
	done
	rm -rf "$t"
}
trap cleanup EXIT
failed=0
fail() {
	echo "test-demo: $*" >&2
	failed=1
}
alive() {
	[ -r "/proc/$1/stat" ] && ! sed 's/.*) //' "/proc/$1/stat" | grep -q '^Z'
}
# A build directory whose mosaic is the script $2; the other programs are the real ones.
fake_build() {
	f=$t/$1
	mkdir -p "$f/tests/xensim" "$f/tests/vguest" "$f/mosaicctl"
	ln -s "$build/tests/xensim/xensim" "$f/tests/xensim/xensim"
	ln -s "$build/tests/vguest/vguest" "$f/tests/vguest/vguest"
	ln -s "$build/mosaicctl/mosaicctl" "$f/mosaicctl/mosaicctl"
	printf '#!/bin/sh\n%s\n' "$2" >"$f/tests/mosaic-sim"
	chmod +x "$f/tests/mosaic-sim"
	echo "$f"
}
# Runs the demo, for a minute at most: its exit status in $rc, its output in $t/NAME.out and .err.
run() {
	name=$1
	shift
	rc=0
	timeout -k 5 60 sh "$demo" "$@" >"$t/$name.out" 2>"$t/$name.err" || rc=$?
}
says() { # NAME TEXT
	grep -qF -- "$2" "$t/$1.err" || fail "$1: stderr does not say '$2'"
}
show() {
	echo "--- $1: exit status $rc; stdout:" >&2
	cat "$t/$1.out" >&2
	echo "--- stderr:" >&2
	cat "$t/$1.err" >&2
}
# Waits for the demo in the background to end, a minute at most: its exit status in $rc.
wait_demo() {
	i=0
	while alive "$demo_pid" && [ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	alive "$demo_pid" && kill -KILL "$demo_pid"
	rc=0
	wait "$demo_pid" || rc=$?
	demo_pid=""
}
# Waits for a line of the demo's stdout; false after 30 s or when it ended.
wait_line() { # NAME TEXT
	i=0
	until grep -qF -- "$2" "$t/$1.out"; do
		alive "$demo_pid" && [ $i -lt 300 ] || return 1
		sleep 0.1
		i=$((i + 1))
	done
}

# Headless: the guests on screen, and their screenshot (what the README's quick start does).
run headless "$build" --headless --seconds 1 --output "$t/shot.png"
if [ "$rc" -ne 0 ] || ! head -c 8 "$t/shot.png" 2>/dev/null | grep -q PNG; then
	show headless
	fail "the headless demo did not write its screenshot"
fi
grep -q "surface label=infotainment .*state=connected" "$t/headless.out" ||
	fail "the headless demo did not show the infotainment guest"
grep -q "surface label=\"Status bar\" .*state=connected .*resolution=1920x48 .*app=org.mosaic.demo.statusbar" \
	"$t/headless.out" || fail "the headless demo did not show its status bar"

# mosaic exits at start: the demo says so at once, with mosaic's log.
b=$(fake_build exits 'echo "fake mosaic: cannot open the display" >&2; exit 3')
start=$(date +%s)
run exits "$b" --headless --timeout 60
if [ "$rc" -ne 1 ] || [ $(($(date +%s) - start)) -gt 20 ]; then
	show exits
	fail "a mosaic that exits at start: exit status $rc after $(($(date +%s) - start)) s"
fi
says exits "mosaic exited with status 3 before it answered"
says exits "mosaic: fake mosaic: cannot open the display"

# mosaic never answers: the demo gives up after --timeout, with the log, and stops it.
b=$(fake_build stuck "echo \$\$ >'$t/stuck.pid'; echo 'fake mosaic: stuck' >&2; exec sleep 120")
run stuck "$b" --headless --timeout 2
[ "$rc" -eq 1 ] || { show stuck; fail "a mosaic that never answers: exit status $rc"; }
says stuck "mosaic did not answer within 2 s"
says stuck "mosaic: fake mosaic: stuck"
if [ -f "$t/stuck.pid" ] && alive "$(cat "$t/stuck.pid")"; then
	fail "the demo left the stuck mosaic running"
fi

# mosaic crashes while its window is shown (a window system is named; the real mosaic, headless
# all the same): the demo ends at once with the log, instead of waiting for ever.
windowed=$(fake_build windowed "echo \$\$ >'$t/windowed.pid'; exec '$build/tests/mosaic-sim' \"\$@\" --headless")
DISPLAY=:mosaic-demo-test sh "$demo" "$windowed" --timeout 60 >"$t/crash.out" 2>"$t/crash.err" &
demo_pid=$!
if wait_line crash "running in a window"; then
	kill -KILL "$(cat "$t/windowed.pid")"
	wait_demo
	[ "$rc" -eq 1 ] || { show crash; fail "mosaic crashed in its window: exit status $rc"; }
	says crash "mosaic was killed by signal 9"
	says crash "mosaic's log:"
	says crash "Control socket: "
else
	rc=-
	show crash
	fail "the windowed demo did not start"
fi
demo_pid=""
rm -f "$t/windowed.pid"

# Ctrl-C ends a windowed demo: status 0, mosaic stopped, no log.
DISPLAY=:mosaic-demo-test env --default-signal=INT sh "$demo" "$windowed" --timeout 60 \
	>"$t/ctrl-c.out" 2>"$t/ctrl-c.err" &
demo_pid=$!
if wait_line ctrl-c "running in a window"; then
	mosaic=$(cat "$t/windowed.pid")
	kill -INT "$demo_pid"
	wait_demo
	if [ "$rc" -ne 0 ] || grep -q "mosaic's log" "$t/ctrl-c.err"; then
		show ctrl-c
		fail "Ctrl-C: exit status $rc"
	fi
	! alive "$mosaic" || fail "Ctrl-C left mosaic running"
else
	rc=-
	show ctrl-c
	fail "the windowed demo did not start"
fi
demo_pid=""

[ "$failed" -eq 0 ] || exit 1
echo "test-demo: ok"
