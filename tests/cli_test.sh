#!/usr/bin/env bash
# CLI contract: subcommand default, formats, exit codes, stdout/stderr split.
set -u
bin=${HOPSCOPE:?} corpus=${CORPUS:?}
fail=0; pass=0
check() {  # check NAME EXPECTED_RC CMD...
  local name=$1 want=$2; shift 2
  "$@" >/tmp/hopscope-cli.out 2>/tmp/hopscope-cli.err; local rc=$?
  if [ "$rc" -eq "$want" ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL $name: exit $rc, want $want"; cat /tmp/hopscope-cli.err; fi
}
expect_grep() {  # expect_grep NAME FILE PATTERN
  if grep -q -- "$3" "$2"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL $1: '$3' not in $2"; fi
}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

check "trace a file" 0 "$bin" trace "$corpus/demo-o365-relay.eml"
expect_grep "table header" /tmp/hopscope-cli.out "Times in UTC, "
check "trace is the default" 0 "$bin" "$corpus/demo-o365-relay.eml"
check "json" 0 "$bin" --format json "$corpus/demo-o365-relay.eml"
expect_grep "json hops" /tmp/hopscope-cli.out '"hops": \['
check "stdin" 0 bash -c "\"$bin\" --format json < \"$corpus/gmail-show-original.txt\""
expect_grep "stdin input kind" /tmp/hopscope-cli.out '"input_kind": "gmail-original"'
check "dash is stdin" 0 bash -c "\"$bin\" trace - < \"$corpus/postfix-basic.eml\""
if [ -w /dev/full ]; then  # a full disk: said on stderr, exit 74, never a silent success
  check "full disk" 74 bash -c "\"$bin\" trace \"$corpus/demo-o365-relay.eml\" > /dev/full"
  expect_grep "full disk said" /tmp/hopscope-cli.err "cannot write the output"
fi
check "tz by name" 0 "$bin" --tz Europe/Paris "$corpus/demo-o365-relay.eml"
expect_grep "tz label" /tmp/hopscope-cli.out "Times in Europe/Paris, "
expect_grep "tz offset" /tmp/hopscope-cli.out "09:12:03 +0200"
check "bad tz" 64 "$bin" --tz Mars/Olympus "$corpus/demo-o365-relay.eml"
expect_grep "bad tz says why" /tmp/hopscope-cli.err "unknown time zone"
check "bad format" 64 "$bin" --format xml "$corpus/demo-o365-relay.eml"
check "unknown option" 64 "$bin" --frobnicate "$corpus/demo-o365-relay.eml"
check "missing file" 2 "$bin" "$tmp/nope.eml"
expect_grep "missing file named" /tmp/hopscope-cli.err "nope.eml: cannot open"
check "directory" 2 "$bin" "$corpus"
: > "$tmp/empty"
check "empty input" 2 "$bin" "$tmp/empty"
expect_grep "empty says why" /tmp/hopscope-cli.err "holds no header fields"
printf 'no colon anywhere\nat all\n' > "$tmp/prose"
check "no header fields" 2 "$bin" "$tmp/prose"
# Not mail at all: a PDF (printed by Chromium) and a text of "Name: value"
# lines are refused by name, as an empty file is; audit records them failed.
pdf="$(dirname "$0")/data/invoice-printed-by-chromium.pdf"
check "a PDF" 2 "$bin" "$pdf"
expect_grep "a PDF named" /tmp/hopscope-cli.err "invoice-printed-by-chromium.pdf: not an e-mail message (PDF)"
check "check of a PDF" 2 "$bin" check "$pdf"
printf 'Name: Ada\nRole: engineer\nStarted: 2024-05-14 09:00\n' > "$tmp/colons.txt"
check "colons but no mail" 2 "$bin" "$tmp/colons.txt"
expect_grep "colons said" /tmp/hopscope-cli.err "colons.txt: not an e-mail message: none of its 3"
cp "$pdf" "$tmp/invoice.pdf"
check "audit of one message" 0 "$bin" audit "$corpus/demo-o365-relay.eml"
expect_grep "one message, not 1 messages" /tmp/hopscope-cli.out "^         1 message  "
check "audit of a PDF" 3 "$bin" audit -q --format jsonl "$tmp/invoice.pdf" "$corpus/demo-o365-relay.eml"
expect_grep "audit record of a PDF" /tmp/hopscope-cli.out '"error":"not an e-mail message (PDF)"'
head -c 4096 /dev/urandom > "$tmp/garbage" 2>/dev/null || printf '\x00\xff\xfe' > "$tmp/garbage"
"$bin" "$tmp/garbage" >/dev/null 2>&1; rc=$?
if [ $rc -eq 0 ] || [ $rc -eq 2 ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL garbage: exit $rc"; fi
check "help" 0 "$bin" --help
check "version" 0 "$bin" --version
for lib in "^hopscope [0-9.]* (git [0-9a-f]\{7,\}\(-dirty\)\?\|unknown revision)$" "^GMime 3\." "^GLib 2\." "^ICU [0-9]" "^libpsl 0\." "^Boost 1\."; do
  expect_grep "version names $lib" /tmp/hopscope-cli.out "$lib"
done
# Colour only on a terminal: a pipe gets none, even with NO_COLOR unset.
check "no colour in a pipe" 0 env -u NO_COLOR "$bin" "$corpus/clock-skew-device.eml"
if grep -q $'\x1b\[' /tmp/hopscope-cli.out; then fail=$((fail+1)); echo "FAIL escape codes in piped output"; else pass=$((pass+1)); fi
check "NO_COLOR beats --color auto" 0 env NO_COLOR=1 "$bin" --color auto "$corpus/clock-skew-device.eml"
check "colour forced" 0 "$bin" --color always "$corpus/clock-skew-device.eml"
expect_grep "forced colour" /tmp/hopscope-cli.out $'\x1b\[31m'
# Header bytes never reach the terminal raw.
check "hostile header" 0 "$bin" --color never "$corpus/control-chars-hostile.eml"
if grep -q $'\x1b' /tmp/hopscope-cli.out || grep -q $'\x07' /tmp/hopscope-cli.out; then
  fail=$((fail+1)); echo "FAIL raw control characters reached stdout"
else pass=$((pass+1)); fi
expect_grep "escaped ESC shown" /tmp/hopscope-cli.out '\\x1B'
expect_grep "bidi override escaped" /tmp/hopscope-cli.out '\\u{202E}'

# check: the verdict contract (0 confirmed, 1 not, 2 unreadable).
check "check relay" 0 "$bin" check "$corpus/demo-o365-relay.eml"
expect_grep "check verdict line" /tmp/hopscope-cli.out "^TRAVERSED: relay.contoso.com \[198.51.100.77\] -> EOP with TLS"
check "check relay named" 0 "$bin" check --relay 198.51.100.77 "$corpus/demo-o365-relay.eml"
check "check other relay named" 1 "$bin" check --relay relay9.contoso.com "$corpus/demo-o365-relay.eml"
check "check direct send" 1 "$bin" check "$corpus/o365-direct-send.eml"
expect_grep "direct send says why" /tmp/hopscope-cli.out "sender talked to EOP directly"
check "check submission" 1 "$bin" check "$corpus/o365-smtp-auth-submission.eml"
check "check require tls ok" 0 "$bin" check --require-tls "$corpus/demo-o365-relay.eml"
check "check require tls fails" 1 "$bin" check --require-tls "$corpus/o365-relay-iis-smtpsvc.eml"
expect_grep "tls required says so" /tmp/hopscope-cli.out "TLS is required"
check "check quiet" 0 "$bin" check -q "$corpus/demo-o365-relay.eml"
if [ -s /tmp/hopscope-cli.out ]; then fail=$((fail+1)); echo "FAIL check -q printed"; else pass=$((pass+1)); fi
check "check unreadable" 2 "$bin" check "$tmp/nope.eml"
check "check bad relay" 64 "$bin" check --relay 'bad host!' "$corpus/demo-o365-relay.eml"
printf 'relay = 203.0.113.25\n' > "$tmp/config"
check "config file relay" 0 "$bin" check --config "$tmp/config" "$corpus/o365-relay-iis-smtpsvc.eml"
check "config relay excludes others" 1 "$bin" check --config "$tmp/config" "$corpus/demo-o365-relay.eml"
check "missing config named" 64 "$bin" check --config "$tmp/none.conf" "$corpus/demo-o365-relay.eml"
expect_grep "config error names file" /tmp/hopscope-cli.err "none.conf"
printf 'rule = wizard by-host x\n' > "$tmp/badrule"
check "bad config rule" 64 "$bin" check --config "$tmp/badrule" "$corpus/demo-o365-relay.eml"
mkdir -p "$tmp/xdg/hopscope" && printf 'relay = 198.51.100.77\n' > "$tmp/xdg/hopscope/config"
check "default config from XDG_CONFIG_HOME" 1 env XDG_CONFIG_HOME="$tmp/xdg" "$bin" check "$corpus/o365-relay-iis-smtpsvc.eml"
# A bounce: check says NOT DELIVERED with the status and exits 1; trace puts it first.
check "check on a bounce" 1 "$bin" check "$corpus/bounce-postfix-5764-tenantattribution.eml"
expect_grep "bounce verdict" /tmp/hopscope-cli.out "^NOT DELIVERED: 5.7.64 at tailspin-example.mail.protection.outlook.com: "
expect_grep "bounce hint" /tmp/hopscope-cli.out "TlsSenderCertificateName"
expect_grep "bounce original's verdict" /tmp/hopscope-cli.out "the returned message: NOT TRAVERSED"
check "trace of a bounce" 0 "$bin" "$corpus/bounce-postfix-5764-tenantattribution.eml"
expect_grep "bounce first" /tmp/hopscope-cli.out "^Bounce     Delivery to ap@tailspin.example FAILED"
expect_grep "returned message traced" /tmp/hopscope-cli.out "^The returned message (text/rfc822-headers)"
"$bin" audit -q --format csv "$corpus/bounce-postfix-5764-tenantattribution.eml" > "$tmp/b.csv"
expect_grep "bounce columns in csv" "$tmp/b.csv" ",5.7.64,tailspin-example.mail.protection.outlook.com,"
check "trace shows roles and verdict" 0 "$bin" trace "$corpus/demo-o365-relay.eml"
expect_grep "role column" /tmp/hopscope-cli.out "local-relay"
expect_grep "verdict in trace" /tmp/hopscope-cli.out "^Relay      TRAVERSED"

check "security section" 0 "$bin" "$corpus/demo-o365-relay.eml"
expect_grep "spf result" /tmp/hopscope-cli.out "SPF  *pass  *with IP 198.51.100.77 (mail from contoso.com): the sending IP is allowed"
expect_grep "forefront under its name" /tmp/hopscope-cli.out "^  X-Forefront-Antispam-Report$"
expect_grep "SFS shown" /tmp/hopscope-cli.out "^    SFS   (13230031)(82310400017)"
expect_grep "AuthAs under its name" /tmp/hopscope-cli.out "^  X-MS-Exchange-Organization-AuthAs  Anonymous  "
expect_grep "message trace line" /tmp/hopscope-cli.out "^  Get-MessageTraceV2 -MessageId '<20240514091201.3F1A.scanner-3f@contoso.com>' -StartDate 2024-05-13 -EndDate 2024-05-16$"
expect_grep "sources listed" /tmp/hopscope-cli.out "https://learn.microsoft.com/defender-office-365/message-headers-eop-mdo"
check "no-security" 0 "$bin" --no-security "$corpus/demo-o365-relay.eml"
if grep -q "Security headers" /tmp/hopscope-cli.out; then fail=$((fail+1)); echo "FAIL --no-security"; else pass=$((pass+1)); fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
