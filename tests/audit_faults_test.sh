#!/usr/bin/env bash
# audit (and trace) under faults: a mailbox truncated while it is read, FIFOs,
# standard input as a stream, a closed pipe, a file-size limit, and a
# directory of unreadable, looping, dangling, vanishing and empty entries.
# None of it is fatal; each is said, and every message in is one record out.
set -u
bin=${HOPSCOPE:?} corpus=${CORPUS:?}
. "$(dirname "${BASH_SOURCE[0]}")/shell_checks.sh"

# An mbox of about 80 MB from the corpus: far more than audit reads ahead
# (six batches of 8 MB and a pipe's 64 KB) while its output is not read.
mbox="$tmp/live.mbox"
for i in $(seq 1 40); do
  for f in "$corpus"/*.eml; do
    printf 'From dev@example.com Mon Jan  1 00:00:00 2024\n'; sed '1{/^From /d}; s/^From />From /' "$f"
    head -c 60000 /dev/zero | tr '\0' 'A' | fold -w 76; echo; echo
  done
done > "$mbox"
total=$(grep -c '^From ' "$mbox")
size=$(stat -c %s "$mbox")
cp "$corpus/demo-o365-relay.eml" "$tmp/after.eml"

# 1. Truncated while read: the reader takes one record, truncates the file to
# a third, then drains. No SIGBUS: the message being read gets an error
# record naming the sizes, stderr says it, the next input is still read, exit 3.
cp "$mbox" "$tmp/t.mbox"
"$bin" audit --format jsonl --jobs 2 "$tmp/t.mbox" "$tmp/after.eml" 2> "$tmp/t.err" |
  { IFS= read -r first; printf '%s\n' "$first"; truncate -s $((size / 3)) "$tmp/t.mbox"; cat; } > "$tmp/t.jsonl"
rc=${PIPESTATUS[0]}
[ "$rc" -eq 3 ] && ok || bad "truncated mbox: exit $rc (want 3); $(head -c 300 "$tmp/t.err")"
want="input changed while reading: $tmp/t.mbox shrank from $size to $((size / 3)) bytes"
grep -qF "\"error\":\"$want\"" "$tmp/t.jsonl" && ok || bad "truncated mbox: no error record '$want'"
grep -qF "$tmp/t.mbox: input changed while reading: shrank from $size to $((size / 3)) bytes" "$tmp/t.err" && ok ||
  bad "truncated mbox: stderr does not say it: $(head -c 300 "$tmp/t.err")"
tail -1 "$tmp/t.jsonl" | grep -qF "\"path\":\"$tmp/after.eml\"" && ok || bad "truncated mbox: the next input was not read"
# Records: every message split before the cut (the scan reads ahead), and
# none lost; each one at or past the new end carries the error.
kept=$(head -c $((size / 3)) "$mbox" | grep -c '^From ')
n=$(($(wc -l < "$tmp/t.jsonl") - 1))
[ "$n" -ge "$kept" ] && [ "$n" -le "$total" ] && ok || bad "truncated mbox: $n records for $kept..$total messages"
# A record read whole before the cut is as without it; every other one has the error.
"$bin" audit -q --format jsonl --jobs 2 "$mbox" | sed "s|\"path\":\"$mbox\"|\"path\":\"$tmp/t.mbox\"|" > "$tmp/ref.jsonl"
wrong=$(head -n "$n" "$tmp/t.jsonl" | paste -d '\n' - <(head -n "$n" "$tmp/ref.jsonl") |
  awk -v want="$want" 'NR % 2 == 1 {got = $0; next} got != $0 && index(got, want) == 0 {w++} END {print w + 0}')
[ "$wrong" -eq 0 ] && ok || bad "truncated mbox: $wrong records neither whole nor marked"

# 2. A FIFO is refused at once (no writer would ever come), alone or in a folder.
mkfifo "$tmp/fifo"
timeout 20 "$bin" audit -q --format jsonl "$tmp/fifo" > /dev/null 2> "$tmp/fifo.err"; rc=$?
[ "$rc" -eq 2 ] && grep -q "fifo: not a regular file (FIFO)" "$tmp/fifo.err" && ok || bad "FIFO: exit $rc, $(cat "$tmp/fifo.err")"
timeout 20 "$bin" trace "$tmp/fifo" > /dev/null 2>&1; rc=$?
[ "$rc" -ne 124 ] && ok || bad "trace on a FIFO without a writer hangs"

# 3. Standard input is one mbox stream: the same records as the file, but for path and nothing else.
"$bin" audit -q --format jsonl "$mbox" | sed "s|\"path\":\"$mbox\"|\"path\":\"-\"|" > "$tmp/file.jsonl"
cat "$mbox" | "$bin" audit -q --format jsonl - > "$tmp/stdin.jsonl"; rc=$?
cmp -s "$tmp/file.jsonl" "$tmp/stdin.jsonl" && ok || bad "audit - differs from audit FILE (exit $rc)"
[ "$(wc -l < "$tmp/stdin.jsonl")" -eq "$total" ] && ok || bad "audit -: $(wc -l < "$tmp/stdin.jsonl") of $total records"
"$bin" audit -q --format jsonl - < "$corpus/demo-o365-relay.eml" | grep -q '"index":0}' && ok || bad "audit - of one message"

# 4. A closed pipe: exit 74 at once and nothing said, as Unix tools end; the line read is a whole record.
"$bin" audit -q --format jsonl "$mbox" 2> "$tmp/pipe.err" | head -1 > "$tmp/pipe.out"; rc=${PIPESTATUS[0]}
[ "$rc" -eq 74 ] && [ ! -s "$tmp/pipe.err" ] && ok || bad "closed pipe: exit $rc, said: $(cat "$tmp/pipe.err")"
tail -c 1 "$tmp/pipe.out" | od -An -c | grep -q '\\n' && grep -q '"error":' "$tmp/pipe.out" && ok || bad "closed pipe: partial record"

# 5. A file-size limit hit part way into the records: exit 74, and the
# output file ends on a whole record (what was written of the last is cut off).
(ulimit -f 3000; "$bin" audit -q --format jsonl "$mbox" > "$tmp/lim.jsonl" 2> "$tmp/lim.err"; echo $? > "$tmp/lim.rc")
[ "$(cat "$tmp/lim.rc")" -eq 74 ] && ok || bad "file-size limit: exit $(cat "$tmp/lim.rc")"
lines=$(wc -l < "$tmp/lim.jsonl")
[ "$lines" -gt 0 ] && [ "$(tail -c 1 "$tmp/lim.jsonl" | od -An -tx1 | tr -d ' ')" = "0a" ] &&
  [ "$(grep -c '"error":' "$tmp/lim.jsonl")" -eq "$lines" ] && ok || bad "file-size limit: a partial record was left"
(ulimit -f 3000; "$bin" audit -q --format csv "$mbox" > "$tmp/lim.csv" 2>/dev/null)
[ "$(tail -c 2 "$tmp/lim.csv" | od -An -tx1 | tr -d ' ')" = "0d0a" ] && ok || bad "file-size limit: a partial CSV row"

# 6. A folder of faults: unreadable, a symlink loop, a dangling link, an empty
# file, and a file that vanishes between the listing and its turn. Each is
# said; none stops the others.
d="$tmp/dir"; mkdir -p "$d"
cp "$mbox" "$d/a-big.mbox"
cp "$corpus/demo-o365-relay.eml" "$d/b-good.eml"
cp "$corpus/demo-o365-relay.eml" "$d/c-unreadable.eml"; chmod 000 "$d/c-unreadable.eml"
ln -s loop2 "$d/d-loop1"; ln -s d-loop1 "$d/loop2"
ln -s nowhere "$d/e-dangling"
mkfifo "$d/e-fifo"
: > "$d/f-empty.eml"
cp "$corpus/demo-o365-relay.eml" "$d/g-vanishes.eml"
cp "$corpus/demo-o365-relay.eml" "$d/h-last.eml"
chmod 755 "$tmp" "$d"; chmod 644 "$d"/*.eml "$d/a-big.mbox" 2>/dev/null; chmod 000 "$d/c-unreadable.eml"
run=("$bin")
# Root reads any file: run as nobody so that mode 000 means unreadable.
# Only where nobody can run it: a chroot made with mktemp -d has a / of mode
# 700, which nobody cannot even walk to the shared libraries through.
as_nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups "$bin")
if [ "$(id -u)" -eq 0 ] && command -v setpriv > /dev/null && "${as_nobody[@]}" --version > /dev/null 2>&1; then
  run=("${as_nobody[@]}")
elif [ "$(id -u)" -eq 0 ]; then
  echo "note: cannot run as nobody here; the unreadable-file check is skipped (root reads any file)"
fi
"${run[@]}" audit --format jsonl "$d" 2> "$tmp/dir.err" |
  { IFS= read -r first; printf '%s\n' "$first"; rm -f "$d/g-vanishes.eml"; cat; } > "$tmp/dir.jsonl"
rc=${PIPESTATUS[0]}
[ "$rc" -eq 2 ] && ok || bad "fault folder: exit $rc (want 2)"
if [ "${run[0]}" = setpriv ] || [ "$(id -u)" -ne 0 ]; then
  grep -q "c-unreadable.eml: cannot open: Permission denied" "$tmp/dir.err" && ok || bad "unreadable file not said"
fi
grep -q "d-loop1: cannot open: Too many levels of symbolic links" "$tmp/dir.err" && ok || bad "symlink loop not said"
grep -q "e-dangling: cannot open: No such file or directory" "$tmp/dir.err" && ok || bad "dangling link not said"
grep -q "e-fifo: not a regular file (FIFO)" "$tmp/dir.err" && ok || bad "FIFO in a folder not said"
grep -q "g-vanishes.eml: cannot open: No such file or directory" "$tmp/dir.err" && ok || bad "vanished file not said"
grep -q '"path":"'"$d"'/f-empty.eml".*"error":"holds no header fields' "$tmp/dir.jsonl" ||
  grep -q "f-empty.eml.*holds no header fields" "$tmp/dir.jsonl" && ok || bad "empty file has no error record"
tail -1 "$tmp/dir.jsonl" | grep -q "h-last.eml" && ok || bad "fault folder: the last file was not read"
[ "$(grep -c "b-good.eml" "$tmp/dir.jsonl")" -eq 1 ] && ok || bad "fault folder: the good file was not read"

finish audit_faults
