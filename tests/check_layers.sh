#!/usr/bin/env bash
# The pipeline runs one way: a file under analyzer/lib/STAGE (or analyzer/cli)
# may include only headers of its own stage or of a lower one, and must name
# the stage ("parse/received_parser.hh"). Fails listing every include that
# runs back up the pipeline or names no stage.
# Usage: check_layers.sh [ANALYZER_DIR]
set -euo pipefail
analyzer=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../analyzer" && pwd)}
stages=(base input parse chain classify report cli)

rank() {
    local i
    for i in "${!stages[@]}"; do
        [ "${stages[$i]}" = "$1" ] && { echo "$i"; return; }
    done
    echo -1
}

bad=0
checked=0
while IFS= read -r file; do
    rel=${file#"$analyzer"/}
    case $rel in
        cli/*) own=cli ;;
        lib/*/*) own=${rel#lib/}; own=${own%%/*} ;;
        *) echo "$rel: not inside a stage folder"; bad=1; continue ;;
    esac
    own_rank=$(rank "$own")
    if [ "$own_rank" -lt 0 ]; then echo "$rel: '$own' is not a stage (${stages[*]})"; bad=1; continue; fi
    while IFS= read -r inc; do
        checked=$((checked + 1))
        stage=${inc%%/*}
        if [ "$stage" = "$inc" ]; then
            echo "$rel: #include \"$inc\" names no stage"; bad=1; continue
        fi
        r=$(rank "$stage")
        if [ "$r" -lt 0 ]; then
            echo "$rel: #include \"$inc\": '$stage' is not a stage"; bad=1
        elif [ "$r" -gt "$own_rank" ]; then
            echo "$rel: #include \"$inc\" runs back up the pipeline ($own includes $stage)"; bad=1
        fi
    done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$file")
done < <(find "$analyzer/lib" "$analyzer/cli" -type f \( -name '*.cc' -o -name '*.hh' -o -name '*.in' \) | sort)

if [ "$checked" -eq 0 ]; then echo "check_layers: no #include lines found under $analyzer"; exit 1; fi
if [ "$bad" -ne 0 ]; then echo "check_layers: includes that break the pipeline's order (${stages[*]})"; exit 1; fi
echo "check_layers: $checked includes follow the pipeline's order"
