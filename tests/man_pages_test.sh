#!/usr/bin/env bash
# The manual pages (analyzer/man/*.scd, built by scdoc): each renders without
# a warning (man --warnings), has a NAME section lexgrog reads, and names
# every option its command's --help lists, so pages and program stay in step;
# every page names every other (so every command); hopscope(1)'s glossary
# names every role, relay state, method, reason and anomaly kind the schema
# allows and every CSV column audit writes; and no source line starts with
# a dot, which scdoc drops.
# Usage: HOPSCOPE=... MAN=build/analyzer/man TOP=. bash man_pages_test.sh
set -u
source "$(dirname "${BASH_SOURCE[0]}")/shell_checks.sh"
bin=${HOPSCOPE:?}; man_dir=${MAN:?}; top=${TOP:?}
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
for word in .msg .pst .ost summarize serve "connectors lint" GLOSSARY; do
  grep -q -- "$word" <<<"$main_text" && ok || bad "hopscope(1) does not mention $word"
done
# Every page names every other page, so each lists every command.
for p in "${pages[@]}"; do
  text=$(LC_ALL=C.UTF-8 MANWIDTH=1000 man -E UTF-8 -l "$man_dir/$p" 2>/dev/null)
  for q in "${pages[@]}"; do
    [ "$p" = "$q" ] && continue
    ref="${q%.*}(${q##*.})"
    grep -qF -- "$ref" <<<"$text" && ok || bad "$p does not name $ref"
  done
done
# No scdoc line starts with a dot: scdoc drops it (".pst" becomes "pst").
for f in "$top"/analyzer/man/*.scd; do
  lines=$(grep -nE "^[[:space:]]*[.]" "$f" | cut -d: -f1 | tr '\n' ' ')
  [ -z "$lines" ] && ok || bad "$(basename "$f"): lines $lines start with a dot, which scdoc drops"
done
# The glossary names every value the schema and the CSV header have.
csv=$("$bin" audit --format csv "$top/corpus/demo-o365-relay.eml" | head -1 | tr -d '\r')
by_sender=$("$bin" audit --format csv --by sender "$top/corpus/demo-o365-relay.eml" | head -1 | tr -d '\r')
missing=$(python3 - "$top" "$csv,$by_sender" <<'PY'
import json, sys
top, columns = sys.argv[1], sys.argv[2].split(",")
src = open(f"{top}/analyzer/man/hopscope.1.scd", encoding="utf-8").read()
glossary = src[src.index("# GLOSSARY"):src.index("\n# ", src.index("# GLOSSARY") + 1)]
d = json.load(open(f"{top}/analyzer/schema/trace.schema.json", encoding="utf-8"))["$defs"]
values = d["hop"]["properties"]["role"]["enum"] + d["anomaly"]["properties"]["kind"]["enum"]
for k in ("state", "method", "reason"):
    values += d["relay"]["properties"][k]["enum"]
for v in values + columns:
    if f"*{v}*" not in glossary:
        print(v)
PY
)
[ -z "$missing" ] && ok || bad "hopscope(1)'s GLOSSARY does not name: $(echo $missing)"
finish man_pages
