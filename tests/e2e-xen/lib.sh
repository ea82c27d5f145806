# Shared helpers for the real-Xen end-to-end test (sourced, POSIX sh).

E2E_T0=${E2E_T0:-$(date +%s.%N)}

# Seconds since the run started, one decimal.
e2e_elapsed()
{
	awk -v t0="$E2E_T0" -v t1="$(date +%s.%N)" 'BEGIN { printf "%6.1f", t1 - t0 }'
}

log()
{
	printf '[e2e-xen %ss] %s\n' "$(e2e_elapsed)" "$*" >&2
}

die()
{
	log "ERROR: $*"
	exit 1
}

# A step: logs its start, runs it, logs how long it took.
step()
{
	_name=$1
	shift
	_t=$(date +%s.%N)
	log "== $_name"
	if "$@"; then
		log "   $_name done in $(awk -v a="$_t" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
		return 0
	fi
	_rc=$?
	log "   $_name FAILED (exit $_rc)"
	return "$_rc"
}

# Runs a command as root: directly, or through passwordless sudo.
as_root()
{
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	else
		sudo -n "$@"
	fi
}

can_be_root()
{
	[ "$(id -u)" -eq 0 ] || sudo -n true 2>/dev/null
}

# sha256 of files and strings: e2e_hash FILE... -- STRING...
e2e_hash()
{
	{
		while [ $# -gt 0 ] && [ "$1" != "--" ]; do
			printf 'file %s\n' "$(basename "$1")"
			cat "$1"
			shift
		done
		[ "${1:-}" = "--" ] && shift
		for s in "$@"; do
			printf 'str %s\n' "$s"
		done
	} | sha256sum | cut -c1-16
}
