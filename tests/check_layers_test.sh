#!/usr/bin/env bash
# check_layers.sh must pass on the tree and fail on an include that runs back
# up the pipeline, or that names no stage.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bash "$here/check_layers.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lib/parse" "$work/lib/report" "$work/cli"
printf '#include "base/result.hh"\n' > "$work/lib/report/ok.hh"
printf '#include "parse/x.hh"\n' > "$work/cli/ok.cc"
bash "$here/check_layers.sh" "$work" >/dev/null || { echo "FAIL: a clean tree was refused"; exit 1; }
printf '#include "report/trace_json.hh"\n' > "$work/lib/parse/up.cc"
if bash "$here/check_layers.sh" "$work" > "$work/out"; then echo "FAIL: parse including report passed"; exit 1; fi
grep -q 'runs back up' "$work/out" || { echo "FAIL: no reason given"; cat "$work/out"; exit 1; }
printf '#include "trace_json.hh"\n' > "$work/lib/parse/up.cc"
if bash "$here/check_layers.sh" "$work" > "$work/out"; then echo "FAIL: an include naming no stage passed"; exit 1; fi
printf '#include "cli/main.hh"\n' > "$work/lib/parse/up.cc"
if bash "$here/check_layers.sh" "$work" > "$work/out"; then echo "FAIL: the library including cli passed"; exit 1; fi
echo "check_layers_test: passed"
