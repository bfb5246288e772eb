#!/usr/bin/env python3
"""Audits beyond one machine: `summarize` over shards equals one `audit`.

- `audit --range` pieces of an mbox, concatenated, are the whole file's
  records byte for byte.
- The inputs (corpus/, a mailbox made of its messages, a generated fleet
  mailbox, a folder with files that are no e-mail messages, and the shared
  mailboxes and OST when ../shared exists) are cut into shards: interleaved
  file lists, byte ranges of the largest mbox, one shard shuffled, one
  gzipped. `summarize` over the shards prints what `audit` over everything
  prints, in text, JSON and HTML, the audit by sender and the skipped items
  included, and `summarize --format csv` over the shards in order prints
  audit's CSV; `--format csv --by sender` the same groups.
- The GNU parallel recipe of docs/scaling.md, run as written, and tools/dask-audit
  on a LocalCluster of 1 and 2 workers give the local audit's summary.
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

    # --range: any cut of the file gives every message once, with the whole file's index.
    whole = run([hopscope, "audit", "-q", "--format", "jsonl", mbox]).stdout
    size = os.path.getsize(mbox)
    cuts = [0, 1, size // 3, size // 3 + 7, size // 2, size - 1]
    pieces = b"".join(
        run([hopscope, "audit", "-q", "--format", "jsonl", "--range", f"{a}:{b}", mbox]).stdout
        for a, b in zip(cuts, cuts[1:] + [""]))
    records = whole.count(b"\n")
    expect(records > 20 and pieces == whole, f"--range pieces of {records} records equal the whole")

    listed = run([hopscope, "audit", "--list-inputs", *inputs]).stdout.decode().splitlines()
    expect(len(listed) > 50, f"--list-inputs lists {len(listed)} files")
    want = {f: run([hopscope, "audit", "-q", "--format", f, *inputs]).stdout for f in ("text", "json", "html", "csv")}
    want["by-sender"] = run([hopscope, "audit", "-q", "--format", "csv", "--by", "sender", *inputs]).stdout
    expect(b"Messages" in want["text"], "the local audit has a summary")
    whole_summary = json.loads(want["json"])
    expect(len(whole_summary["senders"]) > 20 and whole_summary["skipped"] >= 2,
           f"the audit has {len(whole_summary['senders'])} senders and {whole_summary['skipped']} skipped items")

    # Shards: the big mbox by byte ranges, the other files interleaved over three lists.
    biggest = max(listed, key=os.path.getsize)
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
    # In the audit's order, the CSV rows come out as audit wrote them.
    in_order = run([hopscope, "summarize", "--format", "csv", *shards[:3]]).stdout
    direct = run([hopscope, "audit", "-q", "--format", "csv", biggest]).stdout
    expect(in_order == direct, "summarize --format csv over the range shards equals audit's CSV of the file")

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
finally:
    shutil.rmtree(work, ignore_errors=True)

sys.exit(1 if failures else 0)
