# fish completion for hopscope. Installed as /usr/share/fish/vendor_completions.d/hopscope.fish.

function __hopscope_command
    set -l words (commandline -opc)
    for w in $words[2..-1]
        switch $w
            case trace check audit summarize serve connectors help
                echo $w
                return
            case '-*'
            case '*'
                break
        end
    end
    echo trace
end

function __hopscope_is  # the command is one of those named
    contains -- (__hopscope_command) $argv
end

function __hopscope_zones
    echo UTC
    echo local
    if test -d /usr/share/zoneinfo
        find /usr/share/zoneinfo -type f ! -path '*/posix/*' ! -path '*/right/*' 2>/dev/null | string replace /usr/share/zoneinfo/ '' | string match -r '^[A-Z][A-Za-z_]*(/[A-Za-z0-9_+-]+)*$'
    end
end

complete -c hopscope -f
complete -c hopscope -n __fish_use_subcommand -a trace -d 'rebuild the chain of one message'
complete -c hopscope -n __fish_use_subcommand -a check -d 'did it pass your relay (exit 0/1)'
complete -c hopscope -n __fish_use_subcommand -a audit -d 'analyse every message of mailboxes'
complete -c hopscope -n __fish_use_subcommand -a summarize -d 'the audit summary over audit records'
complete -c hopscope -n __fish_use_subcommand -a serve -d 'a local page to paste headers into'
complete -c hopscope -n __fish_use_subcommand -a help -d 'the options of a command'
complete -c hopscope -n '__hopscope_is help' -a 'trace check audit summarize serve connectors' -d 'command'
complete -c hopscope -n __fish_use_subcommand -a connectors -d 'check Exchange Online inbound connectors'
complete -c hopscope -n __fish_use_subcommand -l version -d 'version and library versions'
complete -c hopscope -s h -l help -d 'show the help'
complete -c hopscope -l relay -x -d 'your relay: host, address or CIDR'
complete -c hopscope -l internal-net -x -d 'a network of your organisation (CIDR)'
complete -c hopscope -l rule -x -a 'eop exchange-online provider gateway mx list internal relay' -d 'an extra rule'
complete -c hopscope -l config -r -F -d 'config file'
complete -c hopscope -n 'not __hopscope_is connectors' -l connectors -r -F -d 'Get-InboundConnector or Get-AcceptedDomain output'
complete -c hopscope -n '__hopscope_is connectors; and __fish_seen_subcommand_from connectors; and not __fish_seen_subcommand_from lint' -a lint -d 'check the connectors against what Microsoft documents'
complete -c hopscope -n '__hopscope_is connectors' -s f -l format -x -a 'text json' -d 'output format'
complete -c hopscope -n '__hopscope_is trace' -s f -l format -x -a 'text json html' -d 'output format'
complete -c hopscope -n '__hopscope_is trace' -l tz -x -a '(__hopscope_zones)' -d 'zone for displayed times'
complete -c hopscope -n '__hopscope_is trace' -l color -x -a 'auto always never' -d 'colour'
complete -c hopscope -n '__hopscope_is trace' -l no-security -d 'leave the security headers out'
complete -c hopscope -n '__hopscope_is trace check' -l index -x -d 'in an mbox, message N (from 0)'
complete -c hopscope -n '__hopscope_is trace check' -l item -x -d 'in a .pst or .ost, the item ID'
complete -c hopscope -n '__hopscope_is check' -l require-tls -d 'also require TLS on the hop into EOP'
complete -c hopscope -n '__hopscope_is check' -s q -l quiet -d 'print nothing'
complete -c hopscope -n '__hopscope_is check' -s f -l format -x -a 'text html' -d 'output format'
complete -c hopscope -n '__hopscope_is audit' -s f -l format -x -a 'text json html jsonl csv' -d 'output format'
complete -c hopscope -n '__hopscope_is audit' -s j -l jobs -x -d 'worker threads (0: all cores)'
complete -c hopscope -n '__hopscope_is audit' -l files-from -r -F -d 'read paths from a file'
complete -c hopscope -n '__hopscope_is audit' -l expect-relay -d 'exit 1 when a message is not traversed'
complete -c hopscope -n '__hopscope_is audit summarize' -l by -x -a sender -d 'with --format csv, one row per sender'
complete -c hopscope -n '__hopscope_is audit summarize' -l since -x -d 'only messages at or after DATE (YYYY-MM-DD)'
complete -c hopscope -n '__hopscope_is audit summarize' -l until -x -d 'only messages up to DATE (YYYY-MM-DD)'
complete -c hopscope -n '__hopscope_is audit' -s q -l quiet -d 'no progress line'
complete -c hopscope -n '__hopscope_is audit' -l range -x -d 'only the messages whose separator starts in START:END'
complete -c hopscope -n '__hopscope_is audit' -l list-inputs -d 'print the files the audit would read and stop'
complete -c hopscope -n '__hopscope_is summarize' -s f -l format -x -a 'text json html csv' -d 'output format'
complete -c hopscope -n '__hopscope_is serve' -s p -l port -x -d 'TCP port (0: any free one)'
complete -c hopscope -n '__hopscope_is serve' -l bind -x -d 'address to listen on'
complete -c hopscope -n '__hopscope_is serve' -l allow-remote -d 'allow a non-loopback --bind'
complete -c hopscope -n '__hopscope_is serve' -l open -d 'open the page in the browser'
complete -c hopscope -n '__hopscope_is summarize' -l expect-relay -d 'exit 1 when a message is not traversed'
complete -c hopscope -n 'not string match -q -- "-*" (commandline -ct)' -F
