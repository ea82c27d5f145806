# fish completion for mosaicctl(1): its commands and options, and the names
# of outputs, layouts and guests asked of the running mosaic.

# Names from a mosaicctl listing, through the socket the line gives (-s): LISTING TYPE
function __mosaicctl_names
    set -l tokens (commandline -opc)
    set -l socket
    for i in (seq (count $tokens))
        if contains -- $tokens[$i] -s --socket; and test $i -lt (count $tokens)
            set socket -s $tokens[(math $i + 1)]
        end
    end
    mosaicctl $socket $argv[1] 2>/dev/null | string replace -rf "^$argv[2] name=([^ \"]+) .*" '$1' | string match -v -- - | sort -u
end

set -l commands outputs frame-times guests surfaces layouts layout output reload screenshot expect wait-flip wait-frame focus inputs input apps follow ping
complete -c mosaicctl -f

# mosaicctl's own options, anywhere on the line.
complete -c mosaicctl -s j -l json -d 'print the reply as JSON'
complete -c mosaicctl -s s -l socket -r -F -d 'mosaic\'s control socket'
complete -c mosaicctl -s h -l help -d 'list the commands'
complete -c mosaicctl -l version -d 'print mosaicctl\'s version'

complete -c mosaicctl -n "not __fish_seen_subcommand_from $commands" -a outputs -d 'list outputs'
complete -c mosaicctl -n "not __fish_seen_subcommand_from $commands" -a frame-times -d 'each output\'s frame times since last asked'
complete -c mosaicctl -n "not __fish_seen_subcommand_from $commands" -a guests -d 'list guests\' connectors'
complete -c mosaicctl -n "not __fish_seen_subcommand_from $commands" -a apps -d 'list dom0\'s Wayland clients\' windows'
complete -c mosaicctl -n "not __fish_seen_subcommand_from $commands" -a surfaces -d 'list what is shown where'
complete -c mosaicctl -n "not __fish_seen_subcommand_from $commands" -a layouts -d 'list the layout file\'s layouts'
complete -c mosaicctl -n "not __fish_seen_subcommand_from $commands" -a layout -d 'switch to a layout'
complete -c mosaicctl -n "not __fish_seen_subcommand_from $commands" -a output -d 'plug in or take away a headless output'
complete -c mosaicctl -n "not __fish_seen_subcommand_from $commands" -a reload -d 'read the layout file again'
complete -c mosaicctl -n "not __fish_seen_subcommand_from $commands" -a screenshot -d 'write what an output shows to a PNG'
complete -c mosaicctl -n "not __fish_seen_subcommand_from $commands" -a expect -d 'compare an output with a reference picture'
complete -c mosaicctl -n "not __fish_seen_subcommand_from $commands" -a wait-flip -d 'wait for a guest\'s Nth page flip'
complete -c mosaicctl -n "not __fish_seen_subcommand_from $commands" -a wait-frame -d 'wait for an output\'s next frame'
complete -c mosaicctl -n "not __fish_seen_subcommand_from $commands" -a focus -d 'show or move keyboard focus'
complete -c mosaicctl -n "not __fish_seen_subcommand_from $commands" -a inputs -d 'list guests\' input devices'
complete -c mosaicctl -n "not __fish_seen_subcommand_from $commands" -a input -d 'send input as from a device of mosaic\'s'
complete -c mosaicctl -n "not __fish_seen_subcommand_from $commands" -a follow -d 'print events until interrupted'
complete -c mosaicctl -n "not __fish_seen_subcommand_from $commands" -a ping -d 'check that mosaic answers'

complete -c mosaicctl -n "__fish_seen_subcommand_from layout" -a "(__mosaicctl_names layouts layout)"
complete -c mosaicctl -n "__fish_seen_subcommand_from output; and not __fish_seen_subcommand_from create unplug" -a "create unplug"
complete -c mosaicctl -n "__fish_seen_subcommand_from output; and __fish_seen_subcommand_from unplug" -a "(__mosaicctl_names outputs output)"
complete -c mosaicctl -n "__fish_seen_subcommand_from focus" -a "next prev none (__mosaicctl_names guests guest)"
complete -c mosaicctl -n "__fish_seen_subcommand_from wait-flip" -a "(__mosaicctl_names guests guest)"

# Pictures and waits.
complete -c mosaicctl -n "__fish_seen_subcommand_from screenshot expect wait-frame" -s o -l output -x -a "(__mosaicctl_names outputs output)" -d 'the output'
complete -c mosaicctl -n "__fish_seen_subcommand_from screenshot expect" -l rect -x -d 'X,Y,WxH inside the output'
complete -c mosaicctl -n "__fish_seen_subcommand_from screenshot expect" -l surface -x -a "(__mosaicctl_names guests guest)" -d 'where a guest\'s picture is'
complete -c mosaicctl -n "__fish_seen_subcommand_from screenshot expect" -F
complete -c mosaicctl -n "__fish_seen_subcommand_from expect" -l tolerance -x -d 'N or R,G,B'
complete -c mosaicctl -n "__fish_seen_subcommand_from expect" -l mask -x -d 'X,Y,WxH left out'
complete -c mosaicctl -n "__fish_seen_subcommand_from expect" -l diff-dir -x -a "(__fish_complete_directories)" -d 'where failures leave pictures'
complete -c mosaicctl -n "__fish_seen_subcommand_from expect" -s v -l verbose -d 'a line per capture that differs'
complete -c mosaicctl -n "__fish_seen_subcommand_from expect wait-flip wait-frame" -l timeout -x -d 'seconds'
complete -c mosaicctl -n "__fish_seen_subcommand_from wait-frame" -l after -x -d 'a frame number'

# input KIND ...: whether the words after "input" are KIND and N words in all (KIND included).
function __mosaicctl_input_args
    set -l tokens (commandline -opc)
    set -l i (contains -i -- input $tokens); or return 1
    set -l rest
    for token in $tokens[(math $i + 1)..-1]
        string match -q -- '-*' $token; and continue
        set -a rest $token
    end
    test "$rest[1]" = "$argv[1]"; and test (count $rest) -eq $argv[2]
end

complete -c mosaicctl -n "__fish_seen_subcommand_from input; and not __fish_seen_subcommand_from key pointer button wheel touch" -a "key pointer button wheel touch"
complete -c mosaicctl -n "__mosaicctl_input_args button 1" -a "left right middle"
complete -c mosaicctl -n "__mosaicctl_input_args button 2; or __mosaicctl_input_args key 2" -a "down up"
complete -c mosaicctl -n "__mosaicctl_input_args touch 1" -a "down motion up cancel frame"
