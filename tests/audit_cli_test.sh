#!/usr/bin/env bash
# audit: record counts on the shared mailboxes, order with --jobs, formats,
# exit codes, read-only and offline operation.
set -u
bin=${HOPSCOPE:?} corpus=${CORPUS:?} shared=${SHARED:-}
. "$(dirname "${BASH_SOURCE[0]}")/shell_checks.sh"

# Many batches (of 256) in flight: a 2,000-message mbox built from the corpus
# comes out complete and in input order, the same with 1 and with 5 threads.
big="$tmp/big.mbox"
for i in $(seq 1 50); do
  for f in "$corpus"/*.eml; do printf 'From sender@example.com Mon Jan  1 00:00:00 2024\n'; sed '1{/^From /d}; s/^From />From /' "$f"; echo; done
done > "$big"
n=$(grep -c '^From sender@example.com ' "$big")
a=$("$bin" audit -q --format jsonl --jobs 1 "$big"); b=$("$bin" audit -q --format jsonl --jobs 5 "$big")
[ "$a" = "$b" ] && ok || bad "--jobs 5 changes the records of a many-batch mbox"
idx=$(printf '%s\n' "$b" | grep -o '"index":[0-9]*}' | tr -dc '0-9\n' | awk -v n="$n" '$1 != NR - 1 {bad=1} END {print (NR == n && !bad) ? "in-order" : "out-of-order " NR}')
[ "$idx" = "in-order" ] && ok || bad "many-batch mbox: $idx of $n records"

# A full disk: every format says so on stderr and exits 74 (no silent loss).
if [ -w /dev/full ]; then
  for fmt in jsonl csv text; do
    "$bin" audit -q --format "$fmt" "$corpus" > /dev/full 2> "$tmp/full.err"; rc=$?
    [ "$rc" -eq 74 ] && grep -q "cannot write the output" "$tmp/full.err" && ok || bad "$fmt to a full disk: exit $rc"
  done
fi

# A mailbox above 64 MB, where a pager thread maps pages ahead of the scan and
# gives them back behind it: 700 messages with 100 KB bodies of base64-like
# lines, all read, in order, the same with 1 and 3 threads.
large="$tmp/large.mbox"
awk 'BEGIN { line = sprintf("%076d", 0); gsub(/0/, "A", line)
  for (m = 0; m < 700; m++) {
    printf "From dev%d@example.com Mon Jan  1 00:00:00 2024\nReceived: from dev%d.example.com ([10.0.0.%d]) by relay.example.com with ESMTP; Mon, 1 Jan 2024 00:00:%02d +0000\nSubject: large %d\n\n", m, m, m % 250, m % 60, m
    for (l = 0; l < 1300; l++) print line
    print "" } }' > "$large"
[ "$(wc -c < "$large")" -gt $((64 << 20)) ] && ok || bad "the large mbox is not above 64 MB"
a=$("$bin" audit -q --format jsonl --jobs 1 "$large"); b=$("$bin" audit -q --format jsonl --jobs 3 "$large")
[ "$a" = "$b" ] && ok || bad "--jobs 3 changes the records of a large mbox"
idx=$(printf '%s\n' "$b" | grep -o '"index":[0-9]*}' | tr -dc '0-9\n' | awk '$1 != NR - 1 {bad=1} END {print (NR == 700 && !bad) ? "in-order" : "out-of-order " NR}')
[ "$idx" = "in-order" ] && ok || bad "large mbox: $idx of 700 records"
rm -f "$large"

# Expected counts, counted by hand: mbox = From_ lines ("From SENDER" plus nothing or a
# date with a time, followed by a header line; the two "From Russia with love" body lines
# in the unmunged file are prose); Maildir/folders = regular files outside tmp/ whose
# names do not start with '.' (mu's .noindex/.noupdate markers are not messages).
declare -A want=(
  [mime4j_mbox.rlug]=5 [mimekit_content-length.mbox]=29 [mimekit_issue1189-takeout-style.mbox]=4
  [mimekit_simple.mbox]=3 [mimekit_unmunged-from-bom.mbox]=2 [perl-Mail-Box_mbox.src]=45
  [perl-Mail-Box_mbox.win]=45 [spamassassin_nice.mbox]=3 [mu-testdir-maildir]=19 [mu-testdir2-maildir]=14
  [notmuch-default-maildir]=53 [notmuch-lkml-maildir]=210)
mb="$shared/corpus-ext/mailboxes"
if [ -n "$shared" ] && [ -d "$mb" ]; then
  for name in "${!want[@]}"; do
    got=$("$bin" audit -q --format jsonl "$mb/$name" | wc -l)
    [ "$got" -eq "${want[$name]}" ] && ok || bad "$name: $got records, want ${want[$name]}"
  done
  # Order is the same whatever the number of threads.
  a=$("$bin" audit -q --format jsonl --jobs 1 "$mb" | md5sum); b=$("$bin" audit -q --format jsonl --jobs 7 "$mb" | md5sum)
  [ "$a" = "$b" ] && ok || bad "--jobs changes the output order"
  # Offline and read-only: no network namespace, inputs without write permission.
  cp -r "$mb" "$tmp/ro" && chmod -R a-w "$tmp/ro"
  before=$(cd "$tmp/ro" && find . -type f -exec md5sum {} + | sort | md5sum)
  if command -v unshare >/dev/null && unshare -n true 2>/dev/null; then
    unshare -n "$bin" audit -q --format jsonl "$tmp/ro" > "$tmp/offline.jsonl"; rc=$?
    [ $rc -eq 0 ] || [ $rc -eq 3 ] && ok || bad "audit without a network: exit $rc"
    [ "$(wc -l < "$tmp/offline.jsonl")" -eq 432 ] && ok || bad "offline record count $(wc -l < "$tmp/offline.jsonl")"
  else
    echo "note: unshare -n not permitted here; offline run skipped"
  fi
  after=$(cd "$tmp/ro" && find . -type f -exec md5sum {} + | sort | md5sum)
  [ "$before" = "$after" ] && ok || bad "an input changed"
else
  echo "note: $mb not present; mailbox counts skipped"
fi

# Every message in is one record out, failures included; a whole file that is
# no e-mail message is skipped (its record says what it is), not failed.
printf 'From a Mon Jan  1 00:00:00 2024\nSubject: ok\n\nx\nFrom b Mon Jan  1 00:00:00 2024\nX-Bad:\n\n' > "$tmp/m.mbox"
printf 'just prose, no header\n' > "$tmp/prose.eml"
"$bin" audit -q --format jsonl "$tmp/m.mbox" "$tmp/prose.eml" > "$tmp/out.jsonl"; rc=$?
[ "$(wc -l < "$tmp/out.jsonl")" -eq 3 ] && ok || bad "records for 3 messages: $(wc -l < "$tmp/out.jsonl")"
[ $rc -eq 3 ] && ok || bad "exit $rc with a failed message, want 3"
grep -q '"error":"not an e-mail message: none of its 1' "$tmp/out.jsonl" && ok || bad "failed record has no error"
grep -q '"error":null,"skipped":"not an e-mail message (text without header fields)"' "$tmp/out.jsonl" && ok || bad "prose file not skipped"
grep -q '"source":{"path":"[^"]*m.mbox","offset":0,"index":0}' "$tmp/out.jsonl" && ok || bad "source offset/index"
# An input that cannot be opened: exit 2, the rest still reported.
"$bin" audit -q --format jsonl "$tmp/nope" "$corpus/demo-o365-relay.eml" > "$tmp/o2" 2> "$tmp/e2"; rc=$?
[ $rc -eq 2 ] && ok || bad "unopened input: exit $rc"
grep -q "nope: cannot open" "$tmp/e2" && ok || bad "unopened input not named"
[ "$(wc -l < "$tmp/o2")" -eq 1 ] && ok || bad "the other input was not reported"
# --expect-relay
"$bin" audit -q --expect-relay "$corpus/demo-o365-relay.eml" > /dev/null; [ $? -eq 0 ] && ok || bad "--expect-relay on a relayed message"
"$bin" audit -q --expect-relay "$corpus/demo-o365-relay.eml" "$corpus/o365-direct-send.eml" > /dev/null; [ $? -eq 1 ] && ok || bad "--expect-relay with a bypass"
# Records written, no summary: the exit codes read the same counts.
"$bin" audit -q --format jsonl --expect-relay "$corpus/demo-o365-relay.eml" "$corpus/o365-direct-send.eml" > /dev/null; [ $? -eq 1 ] && ok || bad "--expect-relay with a bypass, jsonl"
"$bin" audit -q --format csv --expect-relay "$corpus/demo-o365-relay.eml" > /dev/null; [ $? -eq 0 ] && ok || bad "--expect-relay on a relayed message, csv"
# --files-from
printf '%s\n' "$corpus/demo-o365-relay.eml" "$corpus/o365-direct-send.eml" | "$bin" audit -q --format jsonl --files-from - > "$tmp/ff"
[ "$(wc -l < "$tmp/ff")" -eq 2 ] && ok || bad "--files-from -"
# CSV: header, quoting, formula cells neutralised.
printf 'Subject: =HYPERLINK("http://x.example","click")\nMessage-ID: @evil\nReceived: by a; Mon, 1 Jan 2024 00:00:00 +0000\n' > "$tmp/formula.eml"
"$bin" audit -q --format csv "$tmp/formula.eml" > "$tmp/f.csv"
head -1 "$tmp/f.csv" | grep -q '^source,index,offset,folder,item,message_id,date,subject,from_address,hops,origin_ip,origin_host,relay_traversed,state,method,reason,relay_ip,relay_tls,tls_version,connector,total_delay_s,delay_origin-device' && ok || bad "csv header"
head -1 "$tmp/f.csv" | grep -q ',anomalies,skipped,error.$' && ok || bad "csv header ends with skipped,error"
grep -q ",'@evil,,\"'=HYPERLINK(\"\"http://x.example\"\",\"\"click\"\")\"," "$tmp/f.csv" && ok || bad "csv formula neutralised: $(sed -n 2p "$tmp/f.csv")"
# Text summary.
mkdir "$tmp/samples" && cp "$corpus"/*.eml "$corpus"/*.txt "$tmp/samples/"
"$bin" audit -q "$tmp/samples" > "$tmp/sum.txt"
n=$(find "$tmp/samples" -type f | wc -l)
grep -Eq "^Messages +$n read" "$tmp/sum.txt" && ok || bad "summary count ($n files): $(head -1 "$tmp/sum.txt")"
# Bounces are counted by status, with what the status means: one per
# corpus/bounce-* sample.
nb=$(ls "$corpus"/bounce-*.eml | wc -l)
grep -q "^Bounces ($nb)$" "$tmp/sum.txt" && ok || bad "bounces counted ($nb samples): $(grep -A2 '^Bounces' "$tmp/sum.txt")"
grep -Eq "^ +2  5\.7\.64 +Exchange Online Protection refused to relay" "$tmp/sum.txt" && ok || bad "bounce status line"
# Notifications of success and delay are counted apart: one per corpus/notification-* sample.
nn=$(ls "$corpus"/notification-*.eml | wc -l)
nd=$(ls "$corpus"/notification-*delayed*.eml | wc -l)
grep -q "^Delivery notifications ($nn)$" "$tmp/sum.txt" && ok || bad "notifications counted ($nn samples): $(grep -A3 '^Delivery notifications' "$tmp/sum.txt")"
grep -Eq "^ +$((nn - nd))  of success \(delivered 1, expanded 1, relayed 3\)$" "$tmp/sum.txt" && ok || bad "success line: $(grep 'of success' "$tmp/sum.txt")"
grep -Eq "^ +$nd  delay warnings$" "$tmp/sum.txt" && ok || bad "delay line"
grep -q "^Delay per role" "$tmp/sum.txt" && ok || bad "summary delay table"
# No progress line when stderr is not a terminal.
"$bin" audit "$tmp/samples" > /dev/null 2> "$tmp/err"; [ ! -s "$tmp/err" ] && ok || bad "progress written to a non-terminal"
# TLS into Microsoft 365 that the headers do not state (a client's SMTP
# submission behind the mailbox server's stamp) is "unknown", never "none".
tls=$("$bin" audit -q --format json "$corpus/o365-smtp-auth-proxied-mapi.eml" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["senders"][0]["tls_into_eop"])')
[ "$tls" = "{'unknown': 1}" ] && ok || bad "unstated TLS into EOP: $tls"

# A list that rewrote From to its own address ("'Jane Doe' via dev-list"):
# the audit groups and lists the message under its author, as summarize
# does from the record's "author".
list="$corpus/list-google-groups-rewritten-from.eml"
by=$("$bin" audit -q --format csv --by sender "$list" | sed -n 2p | cut -d, -f3)
[ "$by" = "jane.doe@contoso.example" ] && ok || bad "a list's rewritten From groups under '$by', not its author"
row=$("$bin" audit -q --format csv "$list" | sed -n 2p)
case "$row" in *,jane.doe@contoso.example,*) ok ;; *) bad "the CSV row's from_address is not the author: $row" ;; esac
"$bin" audit -q --format jsonl "$list" > "$tmp/list.jsonl"
[ "$("$bin" summarize --format csv --by sender "$tmp/list.jsonl")" = "$("$bin" audit -q --format csv --by sender "$list")" ] &&
  ok || bad "summarize groups the list's message otherwise than audit"

finish audit_cli
