#!/usr/bin/env bash
# Shell completions (analyzer/completions/): bash driven as bash-completion
# drives it (COMP_WORDS, COMP_CWORD, the function `complete -p` names), fish
# asked with `complete -C`, zsh loaded through compinit. Usage: DIR=... bash completion_test.sh
set -u
dir=${DIR:?}
source "$(dirname "${BASH_SOURCE[0]}")/shell_checks.sh"

# bash
source "$dir/hopscope.bash"
spec=$(complete -p hopscope 2>/dev/null)
[[ $spec == *"-F _hopscope"* ]] && ok || bad "complete -p names _hopscope: $spec"
ask() {  # ask WORD... : the completions for the last word
    COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    _hopscope hopscope "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    printf '%s\n' "${COMPREPLY[@]}"
}
has() {  # has NAME EXPECTED WORD...
    local name=$1 want=$2; shift 2
    ask "$@" | grep -qx -- "$want" && ok || bad "$name: '$want' not offered for '$*': $(ask "$@" | tr '\n' ' ')"
}
lacks() {
    local name=$1 want=$2; shift 2
    ask "$@" | grep -qx -- "$want" && bad "$name: '$want' offered for '$*'" || ok
}
has "commands" audit hopscope a
has "commands" trace hopscope ""
has "trace options" --tz hopscope trace --t
has "default command is trace" --no-security hopscope --no
has "check options" --require-tls hopscope check --re
has "check has --format" --format hopscope check --f
lacks "check has no --tz" --tz hopscope check --t
has "audit options" --files-from hopscope audit --fi
has "audit formats" jsonl hopscope audit --format j
lacks "trace has no jsonl" jsonl hopscope trace --format j
has "trace formats" json hopscope --format j
has "colours" never hopscope --color n
has "zones" UTC hopscope --tz U
[ -d /usr/share/zoneinfo/Europe ] && has "IANA zones" Europe/Paris hopscope --tz Europe/Pa
has "rule families" gateway hopscope --rule g
has "summarize command" summarize hopscope su
has "summarize formats" csv hopscope summarize --format c
lacks "summarize has no jsonl" jsonl hopscope summarize --format j
has "audit --range" --range hopscope audit --ra
has "audit --list-inputs" --list-inputs hopscope audit --li
has "audit --by" --by hopscope audit --b
has "audit --by sender" sender hopscope audit --by s
has "audit --since" --since hopscope audit --si
has "summarize --until" --until hopscope summarize --un
has "trace --index" --index hopscope trace --ind
has "check --item" --item hopscope check --it
has "audit summary as json" json hopscope audit --format j
has "html report" html hopscope --format h
has "check as html" html hopscope check --format h
has "serve command" serve hopscope se
has "serve options" --allow-remote hopscope serve --al
has "version at the top" --version hopscope --ve
has "help command" help hopscope he
has "help names the commands" audit hopscope help a
lacks "help offers no files" "$tmp" hopscope help ""
has "summarize --config" --config hopscope summarize --co
has "connectors command" connectors hopscope con
has "connectors lint" lint hopscope connectors ""
has "lint formats" json hopscope connectors lint --format j
lacks "lint has no html" html hopscope connectors lint --format h
has "lint options" --format hopscope connectors lint --fo
has "--connectors on trace" --connectors hopscope trace --conn
has "--connectors on audit" --connectors hopscope audit --conn

touch "$tmp/mail.eml"
has "files" "$tmp/mail.eml" hopscope audit "$tmp/ma"
touch "$tmp/connectors.json"
has "--connectors files" "$tmp/connectors.json" hopscope check --connectors "$tmp/conn"
has "lint files" "$tmp/connectors.json" hopscope connectors lint "$tmp/conn"

# fish: the same questions through its own engine
if command -v fish >/dev/null; then
    fish_ask() { fish --no-config -c "source $dir/hopscope.fish; complete -C '$1'" 2>&1 | cut -f1; }
    fish -n "$dir/hopscope.fish" && ok || bad "fish syntax"
    fish_ask "hopscope audit --format " | grep -qx jsonl && ok || bad "fish audit formats: $(fish_ask 'hopscope audit --format ' | tr '\n' ' ')"
    fish_ask "hopscope summarize --format " | grep -qx csv && ok || bad "fish summarize formats"
    fish_ask "hopscope --color " | grep -qx always && ok || bad "fish colours"
    fish_ask "hopscope " | grep -qx check && ok || bad "fish commands"
    fish_ask "hopscope help " | grep -qx audit && ok || bad "fish help COMMAND"
    fish_ask "hopscope " | grep -qx connectors && ok || bad "fish connectors command"
    fish_ask "hopscope connectors " | grep -qx lint && ok || bad "fish connectors lint: $(fish_ask 'hopscope connectors ' | tr '\n' ' ')"
    fish_ask "hopscope connectors lint --format " | grep -qx json && ok || bad "fish lint formats"
    fish_ask "hopscope trace --conn" | grep -qx -- --connectors && ok || bad "fish --connectors"
    fish_ask "hopscope audit --by " | grep -qx sender && ok || bad "fish audit --by sender"
    fish_ask "hopscope check --ite" | grep -qx -- --item && ok || bad "fish check --item"
    fish_ask "hopscope summarize --sin" | grep -qx -- --since && ok || bad "fish summarize --since"
    fish_ask "hopscope audit --ind" | grep -qx -- --index && bad "fish offers --index to audit" || ok
else
    echo "note: fish not installed; fish completion not checked"
fi

# zsh: loads through compinit and defines the function without error
if command -v zsh >/dev/null; then
    out=$(zsh -f -c "fpath=($dir \$fpath); autoload -U compinit; compinit -u -d $tmp/zcompdump; autoload -U _hopscope; whence -w _hopscope; print \${_comps[hopscope]}" 2>&1)
    [[ $out == *"_hopscope: function"* && $out == *"_hopscope"* ]] && ok || bad "zsh load: $out"
else
    echo "note: zsh not installed; zsh completion not checked"
fi
finish completion
