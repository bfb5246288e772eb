# bash completion for hopscope: commands, options, option values and files.
# Installed as /usr/share/bash-completion/completions/hopscope.

_hopscope_zones() {
    # IANA zone names from the system's tzdata, remembered for the shell's life.
    if [[ -z ${_hopscope_zone_list-} ]]; then
        _hopscope_zone_list="UTC local"
        if [[ -d /usr/share/zoneinfo ]]; then
            _hopscope_zone_list+=" $(cd /usr/share/zoneinfo && find . -type f ! -path './posix/*' ! -path './right/*' \
                ! -name '*.tab' ! -name '*.zi' ! -name 'leapseconds' ! -name 'tzdata.zi' ! -name 'leap-seconds.list' \
                ! -name 'SECURITY' 2>/dev/null | sed 's|^\./||' | grep -E '^[A-Z]' | sort | tr '\n' ' ')"
        fi
    fi
    printf '%s' "$_hopscope_zone_list"
}

_hopscope() {
    local cur prev words cword
    if declare -F _init_completion >/dev/null 2>&1; then
        _init_completion -n = || return
    else
        cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]} words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
    fi

    local command=trace i
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
            trace | check | audit | summarize | serve | connectors | help) command=${words[i]}; break ;;
            -*) ;;
            *) break ;;
        esac
    done
    # hopscope help COMMAND
    if [[ $command == help ]]; then
        [[ $cword -eq 2 ]] && COMPREPLY=($(compgen -W "trace check audit summarize serve connectors" -- "$cur"))
        return
    fi

    local common="--relay --internal-net --rule --connectors --config --help"
    case $prev in
        --format | -f)
            case $command in
                audit) COMPREPLY=($(compgen -W "text json html jsonl csv" -- "$cur")) ;;
                summarize) COMPREPLY=($(compgen -W "text json html csv" -- "$cur")) ;;
                check) COMPREPLY=($(compgen -W "text html" -- "$cur")) ;;
                connectors) COMPREPLY=($(compgen -W "text json" -- "$cur")) ;;
                *) COMPREPLY=($(compgen -W "text json html" -- "$cur")) ;;
            esac
            return ;;
        --color) COMPREPLY=($(compgen -W "auto always never" -- "$cur")); return ;;
        --tz) COMPREPLY=($(compgen -W "$(_hopscope_zones)" -- "$cur")); return ;;
        --rule)
            COMPREPLY=($(compgen -W "eop exchange-online provider gateway mx list internal relay" -- "${cur#\"}"))
            return ;;
        --jobs | -j) COMPREPLY=($(compgen -W "0 1 2 4 8 16" -- "$cur")); return ;;
        --by) COMPREPLY=($(compgen -W "sender" -- "$cur")); return ;;
        --config | --files-from | --connectors)
            COMPREPLY=($(compgen -f -- "$cur")); compopt -o filenames 2>/dev/null; return ;;
        --relay | --internal-net | --range | --port | -p | --bind | --since | --until | --index | --item)
            return ;;  # a host, an address, a CIDR, offsets, a date, a number: nothing to offer
    esac

    if [[ $cur == -* ]]; then
        case $command in
            trace) COMPREPLY=($(compgen -W "--format --tz --color --no-security --index --item $common" -- "$cur")) ;;
            check) COMPREPLY=($(compgen -W "--require-tls --quiet --format --index --item $common" -- "$cur")) ;;
            audit) COMPREPLY=($(compgen -W "--format --by --since --until --jobs --files-from --expect-relay --quiet --range --list-inputs $common" -- "$cur")) ;;
            summarize) COMPREPLY=($(compgen -W "--format --by --since --until --expect-relay --config --help" -- "$cur")) ;;
            serve) COMPREPLY=($(compgen -W "--port --bind --allow-remote --open $common" -- "$cur")) ;;
            connectors) COMPREPLY=($(compgen -W "--format --help" -- "$cur")) ;;
        esac
        [[ $cword -eq 1 ]] && COMPREPLY+=($(compgen -W "--version" -- "$cur"))
        return
    fi

    if [[ $cword -eq 1 ]]; then
        COMPREPLY=($(compgen -W "trace check audit summarize serve connectors help" -- "$cur"))
    fi
    # connectors: its one subcommand, then the exported files.
    if [[ $command == connectors && ${words[cword - 1]} == connectors ]]; then
        COMPREPLY=($(compgen -W "lint" -- "$cur"))
        return
    fi
    # Messages, mailboxes and folders.
    COMPREPLY+=($(compgen -f -- "$cur"))
    compopt -o filenames 2>/dev/null
}

complete -F _hopscope hopscope
