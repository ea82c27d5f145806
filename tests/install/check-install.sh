#!/bin/sh
# `meson install` into a scratch DESTDIR, and every file a user needs is
# there and works: mosaic and mosaicctl; the manuals mosaic(1),
# mosaicctl(1), mosaic-layout(5) (when the build makes them: -Dman-pages)
# with the examples' real path in them; the example layouts and their
# guests' xl.cfg files; mosaicctl's completions for bash, fish and zsh,
# each offering the commands `mosaicctl --help` lists; and whatever else
# `meson introspect --installed` says is installed.
#
# check-install.sh MESON BUILD_DIR PREFIX BINDIR MANDIR DATADIR BASH_DIR FISH_DIR ZSH_DIR MAN
# (directories as meson has them: relative to PREFIX unless absolute; MAN: true or false)
set -eu
meson=$1 build=$2 prefix=$3 bindir=$4 mandir=$5 datadir=$6
bash_dir=$7 fish_dir=$8 zsh_dir=$9
shift 9
man=$1

dest=$(mktemp -d /tmp/mosaic-install-XXXXXX)
trap 'rm -rf "$dest"' EXIT
failed=0
fail() {
	echo "check-install: $*" >&2
	failed=1
}
# A directory of the installation, as installed under $dest.
under() {
	case $1 in
	/*) echo "$dest$1" ;;
	*) echo "$dest$prefix/$1" ;;
	esac
}

"$meson" install -C "$build" --no-rebuild --quiet --destdir "$dest" >"$dest.log" 2>&1 || {
	cat "$dest.log" >&2
	rm -f "$dest.log"
	echo "check-install: meson install failed" >&2
	exit 1
}
rm -f "$dest.log"

# The programs.
bin=$(under "$bindir")
for p in mosaic mosaicctl; do
	[ -x "$bin/$p" ] || fail "no $bindir/$p"
done
help=$("$bin/mosaicctl" --help) || fail "the installed mosaicctl --help failed"
"$bin/mosaicctl" --version | grep -q '^mosaicctl [0-9]' || fail "the installed mosaicctl --version"
# The commands --help lists: "  NAME ..." lines under "Commands:".
commands=$(printf '%s\n' "$help" | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\).*/\1/p' | sort -u)
[ "$(printf '%s\n' "$commands" | wc -l)" -ge 16 ] || fail "mosaicctl --help lists only: $commands"

# The manuals.
if [ "$man" = true ]; then
	for page in man1/mosaic.1 man1/mosaicctl.1 man5/mosaic-layout.5; do
		f=$(under "$mandir")/$page
		if [ ! -s "$f" ] || ! grep -q '^\.TH ' "$f"; then
			fail "no manual $mandir/$page"
			continue
		fi
		grep -q '@DATADIR@' "$f" && fail "$page: @DATADIR@ is left in it"
	done
	examples_path=$(case $datadir in /*) echo "$datadir" ;; *) echo "$prefix/$datadir" ;; esac)/mosaic/examples
	for page in man1/mosaic.1 man5/mosaic-layout.5; do
		grep -qF "$examples_path" "$(under "$mandir")/$page" ||
			fail "$page does not say the examples are in $examples_path"
	done
	for c in $commands; do
		grep -q "^\\\\fB$c\\\\fR\|^\\\\fB$c " "$(under "$mandir")/man1/mosaicctl.1" ||
			fail "mosaicctl(1) does not describe '$c'"
	done
else
	echo "check-install: no manuals in this build (-Dman-pages, scdoc): not checked"
fi

# The example layouts, each with an xl.cfg per guest.
examples=$(under "$datadir")/mosaic/examples
for f in cockpit.toml cockpit/cluster.cfg cockpit/infotainment.cfg cockpit/navigation.cfg \
	rear-camera.toml rear-camera/infotainment.cfg rear-camera/camera.cfg \
	split.toml split/navigation.cfg split/media.cfg; do
	[ -s "$examples/$f" ] || fail "no $datadir/mosaic/examples/$f"
done

# The completions: each shell's file where it looks, offering every command for "mosaicctl <TAB>".
same_commands() { # SHELL OFFERED
	offered=$(printf '%s\n' "$2" | grep -v '^-' | sort -u)
	[ "$offered" = "$commands" ] ||
		fail "$1 completes 'mosaicctl ' with: $(echo $offered); --help lists: $(echo $commands)"
}
bash_file=$(under "$bash_dir")/mosaicctl
if [ -s "$bash_file" ] && bash -n "$bash_file"; then
	same_commands bash "$(bash -c '. "$1"; complete -p mosaicctl >/dev/null || exit 1
		COMP_WORDS=(mosaicctl ""); COMP_CWORD=1; _mosaicctl
		printf "%s\n" "${COMPREPLY[@]}"' sh "$bash_file")"
else
	fail "no bash completion $bash_dir/mosaicctl"
fi
fish_file=$(under "$fish_dir")/mosaicctl.fish
if [ ! -s "$fish_file" ]; then
	fail "no fish completion $fish_dir/mosaicctl.fish"
elif command -v fish >/dev/null; then
	fish --no-execute "$fish_file" || fail "$fish_file: not fish"
	same_commands fish "$(fish -c 'source $argv[1]; complete -C "mosaicctl " | string replace -r "\t.*" ""' "$fish_file")"
else
	echo "check-install: no fish here: its completion is not run"
fi
zsh_file=$(under "$zsh_dir")/_mosaicctl
if [ ! -s "$zsh_file" ] || ! head -n 1 "$zsh_file" | grep -q '^#compdef mosaicctl'; then
	fail "no zsh completion $zsh_dir/_mosaicctl"
elif command -v zsh >/dev/null; then
	zsh -n "$zsh_file" || fail "$zsh_file: not zsh"
fi
for f in "$fish_file" "$zsh_file"; do
	for c in $commands; do
		grep -q "\\b$c\\b" "$f" 2>/dev/null || fail "$(basename "$f") does not offer '$c'"
	done
done

# Everything meson installs, whoever added it: the systemd unit too, when the build has one.
"$meson" introspect "$build" --installed |
	python3 -c 'import json, sys; print("\n".join(json.load(sys.stdin).values()))' |
	while read -r path; do
		[ -e "$dest$path" ] || { echo "check-install: $path is not installed" >&2; exit 1; }
	done || failed=1

if [ "$failed" -ne 0 ]; then
	echo "check-install: installed into $dest:" >&2
	(cd "$dest" && find . -type f | sort) >&2
	exit 1
fi
echo "check-install: ok ($(cd "$dest" && find . -type f | wc -l) files)"
