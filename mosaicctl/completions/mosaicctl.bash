# bash completion for mosaicctl(1): its commands and options, and the names
# of outputs, layouts and guests asked of the running mosaic.

# Names from a mosaicctl listing: _mosaicctl_names SOCKET COMMAND TYPE
_mosaicctl_names()
{
	local socket=$1 command=$2 type=$3
	mosaicctl ${socket:+-s "$socket"} "$command" 2>/dev/null |
		sed -n "s/^$type name=\([^ \"]*\) .*/\1/p" | grep -v '^-$' | sort -u
}

_mosaicctl()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local commands="outputs frame-times guests surfaces layouts layout output reload screenshot expect
		wait-flip wait-frame focus inputs input apps follow ping"
	local globals="-j --json -s --socket -h --help --version"

	# The socket and the command given so far, and the command's own words.
	local socket="" command="" i word
	local -a args=()
	for ((i = 1; i < COMP_CWORD; i++)); do
		word=${COMP_WORDS[i]}
		case $word in
		-s | --socket)
			socket=${COMP_WORDS[i + 1]}
			((i++))
			;;
		-j | --json | -h | --help | --version) ;;
		*)
			if [[ -z $command ]]; then
				command=$word
			else
				args+=("$word")
			fi
			;;
		esac
	done

	case $prev in
	-s | --socket)
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	-o | --output)
		COMPREPLY=($(compgen -W "$(_mosaicctl_names "$socket" outputs output)" -- "$cur"))
		return
		;;
	--surface)
		COMPREPLY=($(compgen -W "$(_mosaicctl_names "$socket" guests guest)" -- "$cur"))
		return
		;;
	--diff-dir)
		COMPREPLY=($(compgen -d -- "$cur"))
		return
		;;
	--rect | --mask | --tolerance | --timeout | --after)
		return
		;;
	esac

	if [[ -z $command ]]; then
		COMPREPLY=($(compgen -W "$commands $globals" -- "$cur"))
		return
	fi

	local n=${#args[@]} words=""
	case $command in
	layout)
		((n == 0)) && words=$(_mosaicctl_names "$socket" layouts layout)
		;;
	output)
		if ((n == 0)); then
			words="create unplug"
		elif ((n == 1)) && [[ ${args[0]} == unplug ]]; then
			words=$(_mosaicctl_names "$socket" outputs output)
		fi
		;;
	screenshot)
		if [[ $cur == -* ]]; then
			words="-o --output --rect --surface"
		else
			COMPREPLY=($(compgen -f -- "$cur"))
			return
		fi
		;;
	expect)
		if [[ $cur == -* ]]; then
			words="-o --output --rect --surface --tolerance --mask --timeout --diff-dir --verbose"
		else
			COMPREPLY=($(compgen -f -X '!*.png' -- "$cur") $(compgen -d -- "$cur"))
			return
		fi
		;;
	wait-flip)
		if [[ $cur == -* ]]; then
			words="--timeout"
		elif ((n == 0)); then
			words=$(_mosaicctl_names "$socket" guests guest)
		fi
		;;
	wait-frame)
		words="-o --output --after --timeout"
		;;
	focus)
		((n == 0)) && words="next prev none $(_mosaicctl_names "$socket" guests guest)"
		;;
	input)
		if ((n == 0)); then
			words="key pointer button wheel touch"
		else
			case ${args[0]}:$n in
			key:2 | button:2) words="down up" ;;
			button:1) words="left right middle" ;;
			touch:1) words="down motion up cancel frame" ;;
			esac
		fi
		;;
	esac
	[[ $cur == -* ]] && words="$words $globals"
	COMPREPLY=($(compgen -W "$words" -- "$cur"))
}

complete -F _mosaicctl mosaicctl
