#!/usr/bin/env python3
"""Audits beyond one machine: `summarize` over shards equals one `audit`.

- `audit --range` pieces of an mbox, concatenated, are the whole file's
  records byte for byte but for `index`, which a range leaves out (null):
  its records are known by their offset. The pieces read the file about
  once in all: the bytes each read (HOPSCOPE_READ_STATS) add up to the
  file's size plus, per piece, its look-back (from one byte before its
  start to the end of its first separator line).
- The inputs (corpus/, a mailbox made of its messages, a generated fleet
  mailbox, a folder with files that are no e-mail messages, and the shared
  mailboxes and OST when ../shared exists) are cut into shards: interleaved
  file lists, byte ranges of the largest mbox, one shard shuffled, one
  gzipped; and the ranges of the mbox alone, in shuffled order. `summarize`
  over the shards prints what `audit` over everything prints, in text, JSON
  and HTML, the audit by sender and the skipped items included, and
  `summarize --format csv` over the shards in order prints audit's CSV;
  `--format csv --by sender` the same groups.
- The GNU parallel recipe of docs/scaling.md, run as written, and tools/dask-audit
  on a LocalCluster of 1 and 2 workers give the local audit's summary, with
  shards plain in its temporary directory or kept in --shards (gzipped, or
  plain with --compress none).
"""
import gzip
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

hopscope = os.environ["HOPSCOPE"]
top = os.environ["TOP"]
shared = os.environ.get("SHARED", "")
failures = []


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, **kw)


def expect(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


work = tempfile.mkdtemp(prefix="hopscope-distributed-")
try:
    # A mailbox of the corpus' messages, so the ranges are tested without ../shared.
    mbox = os.path.join(work, "corpus.mbox")
    with open(mbox, "wb") as out:
        for name in sorted(os.listdir(os.path.join(top, "corpus"))):
            if name.endswith(".eml"):
                body = open(os.path.join(top, "corpus", name), "rb").read().replace(b"\r\n", b"\n")
                if body.startswith(b"From "):
                    body = body.split(b"\n", 1)[1]
                body = re.sub(rb"(?m)^From ", b">From ", body)
                out.write(b"From hopscope@test Thu Jan  1 00:00:00 2025\n" + body.rstrip(b"\n") + b"\n\n")
    fleet = os.path.join(work, "fleet.mbox")
    subprocess.run([sys.executable, os.path.join(top, "tests", "fleet_mailbox.py"), "3", fleet,
                    os.path.join(work, "fleet-truth.json")], check=True)
    notes = os.path.join(work, "notes")  # files that are no e-mail messages: skipped
    os.makedirs(notes)
    open(os.path.join(notes, "README.txt"), "w").write("What this folder holds\n\nExports of the scanners.\n")
    open(os.path.join(notes, "scan.pdf"), "wb").write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    inputs = [os.path.join(top, "corpus"), mbox, fleet, notes]
    ext = os.path.join(shared, "corpus-ext", "mailboxes")
    if shared and os.path.isdir(ext):
        inputs.append(ext)
    else:
        print(f"note: {ext} not present; the shared mailboxes are skipped")
    ost = os.path.join(shared, "corpus-ext", "outlook", "pst", "Aspose.Email-for-.NET_SampleOstFile.ost")
    if shared and os.path.exists(ost):
        inputs.append(ost)  # a PST: --range counts its items, and dask-audit gives it one task

    # --range: any cut of the file gives every message once, known by its offset (no index).
    def without_index(records):
        return re.sub(rb'("offset":\d+,"index":)\d+', rb"\1null", records)

    whole = run([hopscope, "audit", "-q", "--format", "jsonl", mbox]).stdout
    size = os.path.getsize(mbox)
    data = open(mbox, "rb").read()
    cuts = [0, 1, size // 3, size // 3 + 7, size // 2, size - 1]
    stats = dict(os.environ, HOPSCOPE_READ_STATS="1")
    runs = [run([hopscope, "audit", "-q", "--format", "jsonl", "--range", f"{a}:{b}", mbox], env=stats)
            for a, b in zip(cuts, cuts[1:] + [""])]
    pieces = b"".join(r.stdout for r in runs)
    records = whole.count(b"\n")
    expect(records > 20 and pieces == without_index(whole) and b'"index":null}' in pieces and b'"index":0}' in whole,
           f"--range pieces of {records} records equal the whole but for the index")

    # Each piece reads from one byte before its start (HOPSCOPE_READ_STATS says what it read); its
    # look-back is the stretch to the end of its first separator line, which the piece before read too.
    def first_separator(start):
        if start == 0:
            return 0
        at = data.find(b"\nFrom ", start - 1)
        return size if at < 0 else at + 1

    def look_back(start):
        if start == 0:
            return 0
        sep = first_separator(start)
        line_end = data.find(b"\n", sep)
        return (size if line_end < 0 else line_end + 1) - (start - 1)

    read = 0
    for r in runs:
        m = re.search(rb"read bytes (\d+) to (\d+) of (\d+)", r.stderr)
        read += int(m.group(2)) - int(m.group(1)) if m else size
    bound = size + sum(look_back(a) for a in cuts)
    expect(read <= bound, f"--range pieces read {read} bytes of a {size}-byte mbox (at most {bound})")
    # Nine pieces of equal size, as dask-audit cuts a file: about once, not the 5x a scan from byte 0 read.
    nine = [size * i // 9 for i in range(9)]
    read = 0
    for a, b in zip(nine, nine[1:] + [""]):
        err = run([hopscope, "audit", "-q", "--format", "jsonl", "--range", f"{a}:{b}", mbox], env=stats).stderr
        m = re.search(rb"read bytes (\d+) to (\d+) of", err)
        read += int(m.group(2)) - int(m.group(1)) if m else 9 * size
    bound = size + sum(look_back(a) for a in nine)
    expect(read <= bound, f"nine --range pieces read {read} bytes of a {size}-byte mbox (at most {bound})")
    # The pieces' records in any order make the summary of one audit.
    shuffled = os.path.join(work, "pieces-shuffled.jsonl")
    order = [r.stdout for r in runs]
    random.Random(3).shuffle(order)
    open(shuffled, "wb").write(b"".join(order))
    for f in ("text", "json"):
        one = run([hopscope, "audit", "-q", "--format", f, mbox]).stdout
        expect(run([hopscope, "summarize", "--format", f, shuffled]).stdout == one,
               f"summarize --format {f} over shuffled --range pieces equals audit of the mbox")

    listed = run([hopscope, "audit", "--list-inputs", *inputs]).stdout.decode().splitlines()
    expect(len(listed) > 50, f"--list-inputs lists {len(listed)} files")
    want = {f: run([hopscope, "audit", "-q", "--format", f, *inputs]).stdout for f in ("text", "json", "html", "csv")}
    want["by-sender"] = run([hopscope, "audit", "-q", "--format", "csv", "--by", "sender", *inputs]).stdout
    expect(b"Messages" in want["text"], "the local audit has a summary")
    whole_summary = json.loads(want["json"])
    expect(len(whole_summary["senders"]) > 20 and whole_summary["skipped"] >= 2,
           f"the audit has {len(whole_summary['senders'])} senders and {whole_summary['skipped']} skipped items")

    # Shards: the largest mbox by byte ranges, the other files interleaved over three lists.
    def is_mbox(path):
        with open(path, "rb") as f:
            return f.read(5) == b"From "

    biggest = max((p for p in listed if is_mbox(p)), key=os.path.getsize)
    rest = [p for p in listed if p != biggest]
    big = os.path.getsize(biggest)
    shards = []
    for i, (a, b) in enumerate([(0, big // 3), (big // 3, 2 * big // 3), (2 * big // 3, "")]):
        path = os.path.join(work, f"range{i}.jsonl")
        with open(path, "wb") as out:
            out.write(run([hopscope, "audit", "-q", "--format", "jsonl", "--range", f"{a}:{b}", biggest]).stdout)
        shards.append(path)
    for i in range(3):
        path = os.path.join(work, f"list{i}.jsonl")
        with open(path, "wb") as out:
            out.write(run([hopscope, "audit", "-q", "--format", "jsonl", "--files-from", "-"],
                          input="\n".join(rest[i::3]).encode()).stdout)
        shards.append(path)
    lines = open(shards[3], "rb").read().splitlines(keepends=True)
    random.Random(7).shuffle(lines)
    open(shards[3], "wb").write(b"".join(lines))
    with open(shards[4], "rb") as f, gzip.open(shards[4] + ".gz", "wb") as g:
        g.write(f.read())
    os.remove(shards[4])
    shards[4] += ".gz"
    order = [shards[5], shards[3], shards[0], shards[4], shards[2], shards[1]]
    for f in ("text", "json", "html"):
        got = run([hopscope, "summarize", "--format", f, *order]).stdout
        expect(got == want[f], f"summarize --format {f} over 6 shuffled shards equals audit")
    got = run([hopscope, "summarize", "--format", "csv", "--by", "sender", *order]).stdout
    expect(got == want["by-sender"], "summarize --format csv --by sender over the shards equals audit's")
    # A gzipped shard cut short: exit 2, the file named (never zlib's "<fd:N>"), the records before it counted.
    cut = os.path.join(work, "cut.jsonl.gz")
    open(cut, "wb").write(open(shards[4], "rb").read()[:-40])
    r = subprocess.run([hopscope, "summarize", "--format", "json", cut], capture_output=True)
    expect(r.returncode == 2 and b"cut.jsonl.gz: line " in r.stderr and b"<fd:" not in r.stderr and
           b"damaged or cut short" in r.stderr, f"a cut gzip shard: exit {r.returncode}, {r.stderr[:200]!r}")
    # In the audit's order, the CSV rows come out as audit wrote them (but for the index, which ranges leave out).
    in_order = run([hopscope, "summarize", "--format", "csv", *shards[:3]]).stdout
    direct = run([hopscope, "audit", "-q", "--format", "csv", biggest]).stdout
    direct = re.sub(rb"(?m)^((?:\"[^\"]*\"|[^,\r\n]*),)\d+,", rb"\1,", direct)
    expect(in_order == direct and len(direct.splitlines()) > 3,
           f"summarize --format csv over the range shards of {os.path.basename(biggest)} equals audit's CSV of the file")

    # The GNU parallel recipe of docs/scaling.md, as written there.
    page = open(os.path.join(top, "docs", "scaling.md"), encoding="utf-8").read()
    m = re.search(r"<!-- recipe: parallel -->\s*```sh\n(.*?)```", page, re.S)
    expect(m is not None, "docs/scaling.md has the GNU parallel recipe")
    if m:
        env = dict(os.environ, PATH=os.path.dirname(hopscope) + os.pathsep + os.environ["PATH"],
                   MAIL=" ".join(inputs))
        recipe = m.group(1).replace('"$MAIL"', " ".join(f"'{p}'" for p in inputs))
        out = run(["bash", "-c", "set -o pipefail; " + recipe], cwd=work, env=env)
        expect(out.stdout == want["text"], "the GNU parallel recipe prints the local audit's summary")
        if out.stdout != want["text"]:
            print(out.stderr.decode()[-2000:])

    # tools/dask-audit on a LocalCluster, every task a file or a 64 KiB range.
    for workers in (1, 2):
        for f in ("text", "json"):
            out = run([os.path.join(top, "tools", "dask-audit"), "--hopscope", hopscope, "--workers", str(workers),
                       "--chunk", "65536", "--format", f, *inputs])
            expect(out.stdout == want[f], f"tools/dask-audit --workers {workers} --format {f} equals audit")
            if out.stdout != want[f]:
                print(out.stderr.decode()[-2000:])
    # Shards kept in --shards are gzipped (plain with --compress none), and summarise the same.
    for compress, magic in (("gzip", b"\x1f\x8b"), ("none", b"{")):
        kept = os.path.join(work, "kept-" + compress)
        out = run([os.path.join(top, "tools", "dask-audit"), "--hopscope", hopscope, "--workers", "2", "--chunk", "65536",
                   "--shards", kept, "--compress", compress, *inputs])
        heads = {open(os.path.join(kept, n), "rb").read(len(magic)) for n in os.listdir(kept)}
        expect(out.stdout == want["text"] and heads - {b""} == {magic},
               f"tools/dask-audit --shards DIR --compress {compress}: {len(os.listdir(kept))} shards, equal to audit")
finally:
    shutil.rmtree(work, ignore_errors=True)

sys.exit(1 if failures else 0)
