#!/usr/bin/env bash
# CLI contract: subcommand default, formats, exit codes, stdout/stderr split.
set -u
bin=${HOPSCOPE:?} corpus=${CORPUS:?}
fail=0; pass=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
out=$tmp/out err=$tmp/err
check() {  # check NAME EXPECTED_RC CMD...
  local name=$1 want=$2; shift 2
  "$@" >$out 2>$err; local rc=$?
  if [ "$rc" -eq "$want" ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL $name: exit $rc, want $want"; cat $err; fi
}
expect_grep() {  # expect_grep NAME FILE PATTERN
  if grep -q -- "$3" "$2"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL $1: '$3' not in $2"; fi
}

check "trace a file" 0 "$bin" trace "$corpus/demo-o365-relay.eml"
expect_grep "table header" $out "Times in UTC, "
check "trace is the default" 0 "$bin" "$corpus/demo-o365-relay.eml"
check "json" 0 "$bin" --format json "$corpus/demo-o365-relay.eml"
expect_grep "json hops" $out '"hops": \['
check "stdin" 0 bash -c "\"$bin\" --format json < \"$corpus/gmail-show-original.txt\""
expect_grep "stdin input kind" $out '"input_kind": "gmail-original"'
check "dash is stdin" 0 bash -c "\"$bin\" trace - < \"$corpus/postfix-basic.eml\""
if [ -w /dev/full ]; then  # a full disk: said on stderr, exit 74, never a silent success
  check "full disk" 74 bash -c "\"$bin\" trace \"$corpus/demo-o365-relay.eml\" > /dev/full"
  expect_grep "full disk said" $err "cannot write the output"
fi
check "tz by name" 0 "$bin" --tz Europe/Paris "$corpus/demo-o365-relay.eml"
expect_grep "tz label" $out "Times in Europe/Paris, "
expect_grep "tz offset" $out "09:12:03 +0200"
check "bad tz" 64 "$bin" --tz Mars/Olympus "$corpus/demo-o365-relay.eml"
expect_grep "bad tz says why" $err "unknown time zone"
check "bad format" 64 "$bin" --format xml "$corpus/demo-o365-relay.eml"
check "unknown option" 64 "$bin" --frobnicate "$corpus/demo-o365-relay.eml"
check "missing file" 2 "$bin" "$tmp/nope.eml"
expect_grep "missing file named" $err "nope.eml: cannot open"
check "directory" 2 "$bin" "$corpus"
: > "$tmp/empty"
check "empty input" 2 "$bin" "$tmp/empty"
expect_grep "empty says why" $err "holds no header fields"
printf 'no colon anywhere\nat all\n' > "$tmp/prose"
check "no header fields" 2 "$bin" "$tmp/prose"
# Not mail at all: a PDF (printed by Chromium) and a text of "Name: value"
# lines are refused by name, as an empty file is; audit skips them (a file
# that is no e-mail message is no failure), with a record that says what it is.
pdf="$(dirname "$0")/data/invoice-printed-by-chromium.pdf"
check "a PDF" 2 "$bin" "$pdf"
expect_grep "a PDF named" $err "invoice-printed-by-chromium.pdf: not an e-mail message (PDF)"
check "check of a PDF" 2 "$bin" check "$pdf"
printf 'Name: Ada\nRole: engineer\nStarted: 2024-05-14 09:00\n' > "$tmp/colons.txt"
check "colons but no mail" 2 "$bin" "$tmp/colons.txt"
expect_grep "colons said" $err "colons.txt: not an e-mail message: none of its 3"
cp "$pdf" "$tmp/invoice.pdf"
check "audit of one message" 0 "$bin" audit "$corpus/demo-o365-relay.eml"
expect_grep "one message, not 1 messages" $out "^         1 message  "
check "audit of a PDF" 0 "$bin" audit -q --format jsonl "$tmp/invoice.pdf" "$corpus/demo-o365-relay.eml"
expect_grep "audit record of a PDF" $out '"error":null,"skipped":"not an e-mail message (PDF)"'
check "audit summary of a PDF" 0 "$bin" audit -q "$tmp/invoice.pdf" "$tmp/colons.txt" "$tmp/prose" "$corpus/demo-o365-relay.eml"
expect_grep "skipped counted" $out "^Messages   4 read, 1 analysed, 0 failed, 3 items skipped"
expect_grep "skipped listed" $out "invoice.pdf #0: not an e-mail message (PDF)"
# Inside an mbox a message slot holding no message is damage: failed, exit 3.
{ printf 'From a Mon Jan  1 00:00:00 2024\n'; cat "$tmp/colons.txt"; } > "$tmp/bad.mbox"
check "not mail inside an mbox" 3 "$bin" audit -q --format jsonl "$tmp/bad.mbox"
expect_grep "mbox slot failed" $out '"error":"not an e-mail message: none of its 3'
head -c 4096 /dev/urandom > "$tmp/garbage" 2>/dev/null || printf '\x00\xff\xfe' > "$tmp/garbage"
"$bin" "$tmp/garbage" >/dev/null 2>&1; rc=$?
if [ $rc -eq 0 ] || [ $rc -eq 2 ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL garbage: exit $rc"; fi
check "help" 0 "$bin" --help
check "version" 0 "$bin" --version
for lib in "^hopscope [0-9.]* (git [0-9a-f]\{7,\}\(-dirty\)\?\|unknown revision)$" "^GMime 3\." "^GLib 2\." "^ICU [0-9]" "^libpsl 0\." "^Boost 1\."; do
  expect_grep "version names $lib" $out "$lib"
done
# Colour only on a terminal: a pipe gets none, even with NO_COLOR unset.
check "no colour in a pipe" 0 env -u NO_COLOR "$bin" "$corpus/clock-skew-device.eml"
if grep -q $'\x1b\[' $out; then fail=$((fail+1)); echo "FAIL escape codes in piped output"; else pass=$((pass+1)); fi
check "NO_COLOR beats --color auto" 0 env NO_COLOR=1 "$bin" --color auto "$corpus/clock-skew-device.eml"
check "colour forced" 0 "$bin" --color always "$corpus/clock-skew-device.eml"
expect_grep "forced colour" $out $'\x1b\[31m'
# Header bytes never reach the terminal raw.
check "hostile header" 0 "$bin" --color never "$corpus/control-chars-hostile.eml"
if grep -q $'\x1b' $out || grep -q $'\x07' $out; then
  fail=$((fail+1)); echo "FAIL raw control characters reached stdout"
else pass=$((pass+1)); fi
expect_grep "escaped ESC shown" $out '\\x1B'
expect_grep "bidi override escaped" $out '\\u{202E}'

# check: the verdict contract (0 confirmed, 1 not, 2 unreadable).
check "check relay" 0 "$bin" check "$corpus/demo-o365-relay.eml"
expect_grep "check verdict line" $out "^TRAVERSED: relay.contoso.com \[198.51.100.77\] -> EOP with TLS"
check "check relay named" 0 "$bin" check --relay 198.51.100.77 "$corpus/demo-o365-relay.eml"
check "check other relay named" 1 "$bin" check --relay relay9.contoso.com "$corpus/demo-o365-relay.eml"
check "check direct send" 1 "$bin" check "$corpus/o365-direct-send.eml"
expect_grep "direct send says why" $out "sender talked to EOP directly"
check "check submission" 1 "$bin" check "$corpus/o365-smtp-auth-submission.eml"
check "check require tls ok" 0 "$bin" check --require-tls "$corpus/demo-o365-relay.eml"
check "check require tls fails" 1 "$bin" check --require-tls "$corpus/o365-relay-iis-smtpsvc.eml"
expect_grep "tls required says so" $out "TLS is required"
check "check quiet" 0 "$bin" check -q "$corpus/demo-o365-relay.eml"
if [ -s $out ]; then fail=$((fail+1)); echo "FAIL check -q printed"; else pass=$((pass+1)); fi
check "check unreadable" 2 "$bin" check "$tmp/nope.eml"
check "check bad relay" 64 "$bin" check --relay 'bad host!' "$corpus/demo-o365-relay.eml"
# --min-tls: the version of the hop into EOP; an unknown version fails.
check "check min-tls met" 0 "$bin" check --min-tls 1.2 "$corpus/demo-o365-relay.eml"
check "check min-tls above" 1 "$bin" check --min-tls 1.3 "$corpus/demo-o365-relay.eml"
expect_grep "min-tls says why" $out "^NOT CONFIRMED: traversed, but TLS 1.2 is below the minimum 1.3"
check "check min-tls json" 1 "$bin" check --format json --min-tls 1.3 "$corpus/demo-o365-relay.eml"
expect_grep "min-tls json verdict" $out '"verdict":"not-confirmed","state":"traversed"'
check "check min-tls without tls" 1 "$bin" check --min-tls 1.0 "$corpus/o365-relay-iis-smtpsvc.eml"
check "check min-tls bad" 64 "$bin" check --min-tls 2.0 "$corpus/demo-o365-relay.eml"
printf 'min-tls = 1.3\n' > "$tmp/mintls"
check "check min-tls from config" 1 "$bin" check --config "$tmp/mintls" "$corpus/demo-o365-relay.eml"
# Several inputs: one line each, named; 1 when any is not confirmed, and 1 wins over 2.
check "check several confirmed" 0 "$bin" check "$corpus/demo-o365-relay.eml" "$corpus/o365-relay-exim.eml"
expect_grep "check several named" $out "^$corpus/o365-relay-exim.eml: TRAVERSED: "
check "check several, one not" 1 "$bin" check "$corpus/demo-o365-relay.eml" "$corpus/o365-direct-send.eml"
check "check not confirmed wins over unreadable" 1 "$bin" check "$tmp/nope.eml" "$corpus/o365-direct-send.eml"
check "check unreadable among confirmed" 2 "$bin" check "$corpus/demo-o365-relay.eml" "$tmp/nope.eml"
check "check json" 1 "$bin" check --format json "$corpus/demo-o365-relay.eml" "$corpus/o365-direct-send.eml"
expect_grep "check json reason" $out '"reason":"direct-send"'
check "check html takes one input" 64 "$bin" check --format html "$corpus/demo-o365-relay.eml" "$corpus/o365-direct-send.eml"
check "check not applicable" 1 "$bin" check "$corpus/postfix-basic.eml"
expect_grep "check not applicable line" $out "^NOT APPLICABLE: this message never reached Microsoft 365"
printf 'relay = 203.0.113.25\n' > "$tmp/config"
check "config file relay" 0 "$bin" check --config "$tmp/config" "$corpus/o365-relay-iis-smtpsvc.eml"
check "config relay excludes others" 1 "$bin" check --config "$tmp/config" "$corpus/demo-o365-relay.eml"
check "missing config named" 64 "$bin" check --config "$tmp/none.conf" "$corpus/demo-o365-relay.eml"
expect_grep "config error names file" $err "none.conf"
printf 'rule = wizard by-host x\n' > "$tmp/badrule"
check "bad config rule" 64 "$bin" check --config "$tmp/badrule" "$corpus/demo-o365-relay.eml"
expect_grep "bad config rule names the file" $err "(set in $tmp/badrule)"
printf 'relay = not a host!!\n' > "$tmp/badrelay"
check "bad config relay" 64 "$bin" audit -q --config "$tmp/badrelay" "$corpus/demo-o365-relay.eml"
expect_grep "bad config relay names the file" $err "is neither a host name, an address nor a CIDR (set in $tmp/badrelay)"
mkdir -p "$tmp/xdg/hopscope" && printf 'relay = 198.51.100.77\n' > "$tmp/xdg/hopscope/config"
check "default config from XDG_CONFIG_HOME" 1 env XDG_CONFIG_HOME="$tmp/xdg" "$bin" check "$corpus/o365-relay-iis-smtpsvc.eml"
# A bounce: check says NOT DELIVERED with the status and exits 1; trace puts it first.
check "check on a bounce" 1 "$bin" check "$corpus/bounce-postfix-5764-tenantattribution.eml"
expect_grep "bounce verdict" $out "^NOT DELIVERED: 5.7.64 at tailspin-example.mail.protection.outlook.com: "
expect_grep "bounce hint" $out "TlsSenderCertificateName"
expect_grep "bounce original's verdict" $out "the returned message: NOT APPLICABLE: refused by Microsoft 365, never taken in"
check "trace of a bounce" 0 "$bin" "$corpus/bounce-postfix-5764-tenantattribution.eml"
expect_grep "bounce first" $out "^Bounce     Delivery to ap@tailspin.example FAILED"
expect_grep "returned message traced" $out "^The returned message (text/rfc822-headers)"
expect_grep "returned message travelled, not delivered" $out "^Travelled  "
"$bin" audit -q --format csv "$corpus/bounce-postfix-5764-tenantattribution.eml" > "$tmp/b.csv"
expect_grep "bounce columns in csv" "$tmp/b.csv" ",5.7.64,tailspin-example.mail.protection.outlook.com,"
# A notification of success is judged by the message it returned; a delay
# warning is DELAYED; a report mixing a failure and a success is a bounce.
check "check on a relayed notification" 0 "$bin" check "$corpus/notification-exo-relayed-to-gmail.eml"
expect_grep "success verdict" $out "^notification of success; the returned message: TRAVERSED: smtp-relay.tailspin.example \[198.51.100.12\] -> EOP with TLS 1.2 (through an inbound connector)$"
expect_grep "success headline" $out "Delivery notification: RELAYED to mx.google.com (success; the destination sends no notification of its own)"
check "check on a delivered notification" 0 "$bin" check --require-tls "$corpus/notification-exo-delivered-mailbox.eml"
check "check on a success whose original never reached EOP" 1 "$bin" check "$corpus/notification-postfix-relayed-to-eop-2-6-0.eml"
expect_grep "success, original not traversed" $out "^notification of success; the returned message: NOT APPLICABLE: this message never reached Microsoft 365"
check "check on a delay warning" 1 "$bin" check "$corpus/notification-exo-delayed-4-4-1.eml"
expect_grep "delay verdict" $out "^DELAYED: 4.4.1 at mail.fabrikam-supplier.example: delayed, still trying"
# TLS 1.0 into EOP: traversed, the version said, and --min-tls 1.2 refuses it.
check "check on TLS 1.0" 0 "$bin" check "$corpus/o365-relay-tls10.eml"
expect_grep "TLS 1.0 said" $out "^TRAVERSED: smtp-relay.fabrikam.com \[145.12.88.21\] -> EOP with TLS 1.0"
expect_grep "TLS 1.0 retired" $out "Microsoft has since retired TLS 1.0 and 1.1 for SMTP"
check "check --min-tls 1.2 on TLS 1.0" 1 "$bin" check --min-tls 1.2 "$corpus/o365-relay-tls10.eml"
check "check on a 4.4.7 delay" 1 "$bin" check "$corpus/notification-iis-delayed-4-4-7.eml"
expect_grep "4.4.7 delay, not expired" $out "delayed, still trying: the message has waited in a server's queue without being delivered yet (4.4.7)"
# A report that names no server: no placeholder in its place.
printf 'From: MAILER-DAEMON@example.org\nSubject: Delayed Mail (still being retried)\nContent-Type: multipart/report; report-type=delivery-status; boundary="b"\n\n--b\nContent-Type: text/plain\n\nDelayed.\n--b\nContent-Type: message/delivery-status\n\nFinal-Recipient: rfc822; a@example.net\nAction: delayed\n\n--b--\n' > "$tmp/noserver.eml"
check "check on a delay naming no server" 1 "$bin" check "$tmp/noserver.eml"
if grep -q " at ?" $out; then fail=$((fail+1)); echo "FAIL placeholder server in the delay line"; cat $out; else pass=$((pass+1)); fi
check "check on a mixed report" 1 "$bin" check "$corpus/bounce-sendmail-mixed-failed-relayed.eml"
expect_grep "mixed is a bounce" $out "^NOT DELIVERED: 5.7.64 at tailspin-example.mail.protection.outlook.com"
check "trace of a notification" 0 "$bin" "$corpus/notification-exo-relayed-to-gmail.eml"
expect_grep "notification first" $out "^Delivery notification: RELAYED to mx.google.com"
if grep -q "^Bounce" $out; then fail=$((fail+1)); echo "FAIL a notification called a bounce"; else pass=$((pass+1)); fi
check "html of a notification" 0 "$bin" --format html "$corpus/notification-exo-relayed-to-gmail.eml"
expect_grep "notification banner" $out 'class="banner ok" id="verdict"><strong>Delivery notification: RELAYED to mx.google.com'
"$bin" audit -q --format csv "$corpus/notification-exo-relayed-to-gmail.eml" > "$tmp/n.csv"
expect_grep "notification column in csv header" "$tmp/n.csv" ",bounce_status,bounce_remote_mta,notification_action,anomalies,skipped,error"
expect_grep "notification action in csv" "$tmp/n.csv" ",,,relayed,"

# An mbox: trace and check say so on stderr and read #0, or --index N; a
# single message is #0; stdout holds only the report.
mbox="$tmp/three.mbox"
for f in demo-o365-relay o365-direct-send postfix-basic; do
  printf 'From x@example.com Mon Jan  1 00:00:00 2024\n'; sed '1{/^From /d}; s/^From />From /' "$corpus/$f.eml"; echo
done > "$mbox"
check "trace of an mbox" 0 "$bin" trace --format json "$mbox"
expect_grep "mbox said on stderr" $err "three.mbox: mbox of 3 messages: tracing #0; use audit, or --index N"
expect_grep "mbox #0 traced" $out '"message_id": "<20240514091201.3F1A.scanner-3f@contoso.com>"'
if grep -q "mbox of" $out; then fail=$((fail+1)); echo "FAIL mbox note on stdout"; else pass=$((pass+1)); fi
check "check --index 1" 1 "$bin" check --index 1 "$mbox"
expect_grep "--index 1 is the direct send" $out "^NOT TRAVERSED: Direct Send"
if [ -s $err ]; then fail=$((fail+1)); echo "FAIL --index still prints the mbox note"; else pass=$((pass+1)); fi
want_id=$("$bin" audit -q --format jsonl "$mbox" | sed -n 3p | grep -o '"message_id":"[^"]*"')
got_id=$("$bin" trace --format json --index 2 "$mbox" | tr -d ' \n' | grep -o '"message_id":"[^"]*"')
[ -n "$want_id" ] && [ "$want_id" = "$got_id" ] && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL --index 2 is not audit's index 2: $got_id vs $want_id"; }
check "--index past the end" 2 "$bin" trace --index 3 "$mbox"
expect_grep "past the end said" $err "mbox of 3 messages: no message #3"
check "--index 0 of one message" 0 "$bin" trace --index 0 "$corpus/demo-o365-relay.eml"
check "--index 1 of one message" 2 "$bin" trace --index 1 "$corpus/demo-o365-relay.eml"
check "--item of no PST" 2 "$bin" trace --item 2097188 "$corpus/demo-o365-relay.eml"
check "--index with stdin" 2 bash -c "\"$bin\" trace --index 1 - < \"$mbox\""
check "--index and --item" 64 "$bin" trace --index 1 --item 4 "$mbox"
check "check --index of two files" 64 "$bin" check --index 1 "$mbox" "$mbox"
# The audit's own commands show the message it lists.
"$bin" audit -q --format json "$mbox" > "$tmp/three.json"
cmd=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["not_traversed_listed"][0]["command"])' "$tmp/three.json")
off1=$("$bin" audit -q --format jsonl "$mbox" | sed -n 2p | python3 -c 'import json,sys; print(json.load(sys.stdin)["source"]["offset"])')
[ "$cmd" = "hopscope trace --offset $off1 '$mbox'" ] && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL see-it-with command: $cmd"; }
check "check --offset of message 1" 1 "$bin" check --offset "$off1" "$mbox"
expect_grep "--offset is the direct send" $out "^NOT TRAVERSED: Direct Send"
check "--offset inside a message" 2 "$bin" trace --offset $((off1 + 1)) "$mbox"
expect_grep "--offset inside said" $err "no message of the mbox starts at byte $((off1 + 1))"
check "--offset and --index" 64 "$bin" trace --offset 0 --index 1 "$mbox"
check "--offset of one message" 2 "$bin" trace --offset 0 "$corpus/demo-o365-relay.eml"
# A record of audit --range has no index: its offset shows it.
"$bin" audit -q --format jsonl --range "$off1:$((off1 + 1))" "$mbox" > "$tmp/range.jsonl"
roff=$(python3 -c 'import json,sys; r=json.loads(open(sys.argv[1]).readline()); print(r["source"]["offset"], r["source"]["index"])' "$tmp/range.jsonl")
[ "$roff" = "$off1 None" ] && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL range record source: $roff"; }

# Exit codes: --expect-relay's 1 wins over 3 (a failed message) and 2 (an
# unopened input); not applicable is no failure of --expect-relay.
printf 'From a Mon Jan  1 00:00:00 2024\nX-Bad:\n\n' > "$tmp/broken.mbox"
check "audit --expect-relay, a bypass and a failure" 1 "$bin" audit -q --expect-relay "$corpus/o365-direct-send.eml" "$tmp/broken.mbox"
check "audit --expect-relay, a bypass and no input" 1 "$bin" audit -q --expect-relay "$corpus/o365-direct-send.eml" "$tmp/none.eml"
check "audit without --expect-relay: the failure" 3 "$bin" audit -q "$corpus/o365-direct-send.eml" "$tmp/broken.mbox"
check "audit --expect-relay, not applicable only" 0 "$bin" audit -q --expect-relay "$corpus/postfix-basic.eml" "$corpus/o365-owa-https.eml" "$corpus/o365-inbound-from-internet.eml"
check "audit --expect-relay, not applicable and a failure" 3 "$bin" audit -q --expect-relay "$corpus/postfix-basic.eml" "$tmp/broken.mbox"
"$bin" audit -q --format jsonl "$corpus/o365-direct-send.eml" "$tmp/broken.mbox" > "$tmp/mixed.jsonl"
check "summarize --expect-relay, a bypass and a failure" 1 "$bin" summarize --expect-relay "$tmp/mixed.jsonl"
check "summarize without --expect-relay" 3 "$bin" summarize "$tmp/mixed.jsonl"

check "trace shows roles and verdict" 0 "$bin" trace "$corpus/demo-o365-relay.eml"
expect_grep "role column" $out "local-relay"
expect_grep "verdict in trace" $out "^Relay      TRAVERSED"

check "security section" 0 "$bin" "$corpus/demo-o365-relay.eml"
expect_grep "spf result" $out "SPF  *pass  *with IP 198.51.100.77 (mail from contoso.com): the sending IP is allowed"
expect_grep "forefront under its name" $out "^  X-Forefront-Antispam-Report$"
expect_grep "SFS shown" $out "^    SFS   (13230031)(82310400017)"
expect_grep "AuthAs under its name" $out "^  X-MS-Exchange-Organization-AuthAs  Anonymous  "
expect_grep "message trace line" $out "^  Get-MessageTraceV2 -MessageId '<20240514091201.3F1A.scanner-3f@contoso.com>' -StartDate 2024-05-13 -EndDate 2024-05-16$"
expect_grep "sources listed" $out "https://learn.microsoft.com/defender-office-365/message-headers-eop-mdo"
check "no-security" 0 "$bin" --no-security "$corpus/demo-o365-relay.eml"
if grep -q "Security headers" $out; then fail=$((fail+1)); echo "FAIL --no-security"; else pass=$((pass+1)); fi


# Commands that help: a mistyped command is named, an existing file wins.
check "mistyped command" 64 "$bin" trce "$corpus/demo-o365-relay.eml"
expect_grep "did you mean" $err "unknown command 'trce', did you mean 'trace'?"
check "a word before a file" 64 "$bin" frobnicate "$corpus/demo-o365-relay.eml"
expect_grep "commands listed" $err "unknown command 'frobnicate' (the commands are trace, check"
cp "$corpus/demo-o365-relay.eml" "$tmp/trce"
check "a file named like a typo is traced" 0 bash -c "cd \"$tmp\" && \"$bin\" trce"
expect_grep "file traced" $out "^Relay      TRAVERSED"
check "a missing file is still a missing file" 2 "$bin" "$tmp/missing-message.eml"
check "two files to trace" 64 "$bin" trace "$corpus/demo-o365-relay.eml" "$corpus/postfix-basic.eml"
expect_grep "trace reads one" $err "reads one FILE (or -); hopscope audit reads many"
check "help COMMAND" 0 "$bin" help audit
expect_grep "audit's own help" $out "^Usage: hopscope audit"
check "help alone" 0 "$bin" help
expect_grep "top-level help" $out "^Commands:"
check "help of no command" 64 "$bin" help audti
expect_grep "help suggests" $err "did you mean 'audit'?"
# --help never cuts a word: the same words at 80 and at 200 columns, no line past 80.
for cmd in "" trace check audit summarize serve connectors "connectors lint"; do
  narrow=$(COLUMNS=80 "$bin" $cmd --help) wide=$(COLUMNS=200 "$bin" $cmd --help)
  if [ "$(echo $narrow)" = "$(echo $wide)" ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL ${cmd:-hopscope} --help cuts a word at 80 columns"; fi
  long=$(awk 'length($0) > 80' <<<"$narrow")
  if [ -z "$long" ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL ${cmd:-hopscope} --help has lines past 80 columns: $long"; fi
done

# The config file: why it cannot be read, every option set once, sections per command.
check "missing config says why" 64 "$bin" --config "$tmp/none.conf" "$corpus/demo-o365-relay.eml"
expect_grep "config error says why" $err "none.conf: cannot read the config file: No such file or directory"
printf 'tz = Europe/Paris\ncolor = never\n[trace]\nformat = json\n[check]\nrequire-tls = true\n' > "$tmp/every.conf"
check "config format" 0 "$bin" --config "$tmp/every.conf" "$corpus/demo-o365-relay.eml"
expect_grep "config format is json" $out '"hops": \['
check "command line beats config" 0 "$bin" --config "$tmp/every.conf" --format text "$corpus/demo-o365-relay.eml"
expect_grep "config tz" $out "Times in Europe/Paris"
check "config require-tls" 1 "$bin" check --config "$tmp/every.conf" "$corpus/o365-relay-iis-smtpsvc.eml"
expect_grep "config require-tls applied" $out "TLS is required"
printf 'quiet = true\n' > "$tmp/quiet.conf"
check "config refuses a per-run option" 64 "$bin" --config "$tmp/quiet.conf" "$corpus/demo-o365-relay.eml"
expect_grep "config names the key" $err "'quiet' cannot be set in a config file"
printf '[check]\ntz = UTC\n' > "$tmp/section.conf"
check "config section takes the command's options" 64 "$bin" check --config "$tmp/section.conf" "$corpus/demo-o365-relay.eml"
expect_grep "section error" $err "hopscope check has no --tz"
printf 'format = jsonl\n' > "$tmp/jsonl.conf"
check "a config value a command cannot use" 64 "$bin" --config "$tmp/jsonl.conf" "$corpus/demo-o365-relay.eml"
expect_grep "config value named" $err "not 'jsonl' (set in $tmp/jsonl.conf)"
printf '[summarize]\nformat = json\n' > "$tmp/summarize.conf"
check "summarize takes --config" 0 "$bin" summarize --config "$tmp/summarize.conf" /dev/null
expect_grep "summarize config applied" $out '"kind": "audit-summary"'

# --tz and --no-security in HTML; said when they cannot apply to JSON.
check "html in the zone asked" 0 "$bin" --format html --tz Europe/Paris "$corpus/demo-o365-relay.eml"
expect_grep "html zone column" $out "Time (Europe/Paris)"
expect_grep "html zone time" $out "09:12:03 +0200"
check "html without security" 0 "$bin" --format html --no-security "$corpus/demo-o365-relay.eml"
if grep -q "<h2>Security headers" $out; then fail=$((fail+1)); echo "FAIL html --no-security"; else pass=$((pass+1)); fi
check "json says --tz does not apply" 0 "$bin" --format json --tz Europe/Paris "$corpus/demo-o365-relay.eml"
expect_grep "json tz said" $err "does not apply to json, whose times are always UTC"
expect_grep "json stays UTC" $out '"created": "2024-05-14T07:12:01Z"'

# summarize: a trace is said to be one, once; nothing is summarised beside an error.
"$bin" --format json "$corpus/demo-o365-relay.eml" > "$tmp/trace.json"
check "summarize of a trace" 3 "$bin" summarize "$tmp/trace.json"
expect_grep "trace named" $err "trace.json: this is a trace (hopscope trace --format json), not audit records"
if [ "$(wc -l < $err)" -eq 1 ] && [ ! -s $out ]; then pass=$((pass+1)); else
  fail=$((fail+1)); echo "FAIL summarize of a trace: one line, no summary"; cat $err; fi
check "summarize of a missing file" 2 "$bin" summarize "$tmp/nope.jsonl"
if [ -s $out ]; then fail=$((fail+1)); echo "FAIL summarize printed a summary beside the error"; else pass=$((pass+1)); fi
check "summarize of nothing" 0 "$bin" summarize /dev/null
expect_grep "an empty input summarises to zero" $out "^Messages   0 read"
# A record's own text in an error line is escaped for the terminal: a hand-edited
# state with ESC in it reaches stderr as \x1B, never as the raw byte.
"$bin" audit -q --format jsonl "$corpus/demo-o365-relay.eml" | sed 's/"state":"traversed"/"state":"\\u001b[31mx"/' > "$tmp/esc.jsonl"
check "summarize of a record with ESC in its state" 3 "$bin" summarize "$tmp/esc.jsonl"
expect_grep "the bad state is quoted escaped" $err 'unknown relay state .\\x1B\[31mx'
if grep -q $'\x1b' $err; then fail=$((fail+1)); echo "FAIL summarize wrote a raw ESC to stderr"; else pass=$((pass+1)); fi
# An Outlook item without transport headers is refused with its message class
# quoted: the class is the file's own text, escaped like a header's.
python3 "$(dirname "$0")/data/make_msg.py" "$tmp/esc.msg" $'\x1b[31mIPM.Note'
for cmd in trace check; do
  check "$cmd of a .msg whose class holds ESC" 2 "$bin" $cmd "$tmp/esc.msg"
  expect_grep "$cmd quotes the class escaped" $err 'no transport headers.*(\\x1B\[31mIPM.Note)'
  if grep -q $'\x1b' $err; then fail=$((fail+1)); echo "FAIL $cmd wrote a raw ESC to stderr"; else pass=$((pass+1)); fi
done

# A closed pipe (`| head`): the run ends at once, silently, with 74.
closed_pipe() {  # closed_pipe ARGS...: stdout is a pipe nobody reads; prints "STATUS STDERR"
  python3 -c 'import os, subprocess, sys
r, w = os.pipe(); os.close(r)
p = subprocess.run(sys.argv[1:], stdout=w, stderr=subprocess.PIPE)
print(p.returncode, p.stderr.decode(errors="replace").strip())' "$bin" "$@"
}
for args in "trace $corpus/demo-o365-relay.eml" "audit -q --format jsonl $corpus" "check $corpus/demo-o365-relay.eml"; do
  got=$(closed_pipe $args)
  if [ "$got" = "74 " ] || [ "$got" = "74" ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL closed pipe ($args): '$got', want 74 and nothing said"; fi
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
