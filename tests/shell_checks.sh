# Sourced by the shell tests: pass/fail counting, a scratch folder removed on
# exit, and the closing line ctest and CI read.
fail=0; pass=0
ok() { pass=$((pass+1)); }
bad() { fail=$((fail+1)); echo "FAIL $*"; }
tmp=$(mktemp -d); trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
finish() {  # finish NAME: prints "NAME: N passed, N failed" and sets the exit status
  echo "$1: $pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}
