#!/usr/bin/env bash
# The manual pages (analyzer/man/*.scd, built by scdoc): each renders without
# a warning (man --warnings), has a NAME section lexgrog reads, and names
# every option its command's --help lists, so pages and program stay in step.
# Usage: HOPSCOPE=... MAN=build/analyzer/man bash man_pages_test.sh
set -u
source "$(dirname "${BASH_SOURCE[0]}")/shell_checks.sh"
bin=${HOPSCOPE:?}; man_dir=${MAN:?}
pages=(hopscope.1 hopscope-trace.1 hopscope-check.1 hopscope-audit.1 hopscope-summarize.1 hopscope-serve.1 hopscope-connectors.1 hopscope-config.5)
for p in "${pages[@]}"; do
  f="$man_dir/$p"
  [ -s "$f" ] || { bad "$p not built"; continue; }
  warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$f" 2>&1 >/dev/null)
  [ -z "$warnings" ] && ok || bad "$p: man warns: $warnings"
  lexgrog "$f" >/dev/null 2>&1 && ok || bad "$p: lexgrog finds no NAME section"
done
# Every long option of each command's --help is in its page.
for cmd in trace check audit summarize serve; do
  text=$(LC_ALL=C.UTF-8 MANWIDTH=200 man -E UTF-8 -l "$man_dir/hopscope-$cmd.1" 2>/dev/null)
  for opt in $("$bin" "$cmd" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
    grep -q -- "$opt" <<<"$text" && ok || bad "hopscope-$cmd(1) does not name $opt"
  done
done
# hopscope-connectors(1) names every option of `connectors lint --help`.
text=$(LC_ALL=C.UTF-8 MANWIDTH=200 man -E UTF-8 -l "$man_dir/hopscope-connectors.1" 2>/dev/null)
for opt in $("$bin" connectors lint --help | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
  grep -q -- "$opt" <<<"$text" && ok || bad "hopscope-connectors(1) does not name $opt"
done
config_text=$(LC_ALL=C.UTF-8 MANWIDTH=200 man -E UTF-8 -l "$man_dir/hopscope-config.5" 2>/dev/null)
grep -q -- "connectors =" <<<"$config_text" && ok || bad "hopscope-config(5) does not name connectors ="
main_text=$(LC_ALL=C.UTF-8 MANWIDTH=200 man -E UTF-8 -l "$man_dir/hopscope.1" 2>/dev/null)
for word in NO_COLOR XDG_CONFIG_HOME "EXIT STATUS" EXAMPLES --version; do
  grep -q -- "$word" <<<"$main_text" && ok || bad "hopscope(1) does not mention $word"
done
finish man_pages
