#!/usr/bin/env python3
"""Outlook files (../shared/corpus-ext/outlook; skipped without ../shared).

.msg: every Compound File's transport headers, taken out with an independent
reader (python3-olefile) and pasted as text, give the same chain as the .msg
itself (hops, message id); a .msg without them is exit 2 with "no transport
headers"; attached messages with headers of their own are listed, as many as
INSPECT.tsv counts, and never merged; damaged and fuzzed files are an error,
not a crash; a text file named .msg is read as the text it is.

.pst/.ost: one record per item, as many as INSPECT.tsv counts (libpff's
count, checked by hand against readpst); items with Received lines and their
total as counted; every record names its folder and node id; the chains
equal those of the same messages exported by readpst (-j 0); memory stays
bounded; a damaged PST is exit 2 naming the file; an mbox named .pst is read
as an mbox.
"""
import csv
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile

hopscope = os.environ["HOPSCOPE"]
shared = os.environ.get("SHARED", "")
root = os.path.join(shared, "corpus-ext", "outlook")
failures = []


def expect(cond, what):
    if not cond:
        print("FAIL " + what, flush=True)
        failures.append(what)


if not os.path.isdir(root):
    print(f"note: {root} not present; the Outlook samples are skipped")
    sys.exit(0)
try:
    import olefile
except ImportError:
    olefile = None
    print("note: python3-olefile missing (tools/test installs it): .msg chains not compared")

# Under the sanitizers (tools/test), the libraries' own leaks on damaged files
# are suppressed by tools/lsan.supp, which needs full malloc stacks to match
# (GLib has no frame pointers): slow unwinding, for this test's small files only.
if "ASAN_OPTIONS" in os.environ:
    os.environ["ASAN_OPTIONS"] += ":fast_unwind_on_malloc=0"
rows = {r["file"]: r for r in csv.DictReader(open(os.path.join(root, "INSPECT.tsv")), delimiter="\t")}
work = tempfile.mkdtemp(prefix="hopscope-outlook-")


def trace(*args):
    out = subprocess.run([hopscope, "trace", "--format", "json", *args], capture_output=True)
    return out.returncode, (json.loads(out.stdout) if out.returncode == 0 else None), out.stderr.decode("utf-8", "replace")


def transport_headers(path):
    """PR_TRANSPORT_MESSAGE_HEADERS by olefile: the UTF-16LE stream, else the 8-bit one."""
    with olefile.OleFileIO(path) as ole:
        if ole.exists("__substg1.0_007D001F"):
            return ole.openstream("__substg1.0_007D001F").read().decode("utf-16-le", "replace").lstrip("\ufeff")
        if ole.exists("__substg1.0_007D001E"):
            return ole.openstream("__substg1.0_007D001E").read().decode("cp1252", "replace").lstrip("\ufeff")
    return None


def chain(t):
    return [(h["from"], h["by"], h["with"], h["time"], h["role"]) for h in t["hops"]]


msgs = compared = refused = 0
try:
    for name, row in sorted(rows.items()):
        if row["kind"] != "msg":
            continue
        path = os.path.join(root, name)
        msgs += 1
        code, t, err = trace(path)
        expect(code in (0, 2), f"{name}: exit {code} (0 or 2, never a crash): {err[:100]}")
        with open(path, "rb") as f:
            cfb = f.read(8) == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        if not cfb:
            expect(code != 0 or t["input_kind"] != "outlook-msg", f"{name}: not a Compound File, read as text")
            continue
        with_headers = row["messages_with_headers"] == "1"
        if not with_headers:
            expect(code == 2 and ("no transport headers: this message was not received over SMTP" in err
                                  or "damaged Outlook file" in err), f"{name}: refused with why: {err[:120]}")
            refused += 1
            continue
        expect(code == 0, f"{name}: has transport headers but exit {code}: {err[:120]}")
        if code != 0:
            continue
        expect(t["input_kind"] == "outlook-msg", f"{name}: input_kind outlook-msg")
        expect(len(t["hops"]) == int(row["received_lines_total"]),
               f"{name}: {len(t['hops'])} hops, INSPECT counts {row['received_lines_total']} Received lines")
        expect(len(t["attachments"]) == int(row["embedded_msgs_with_headers"] or 0),
               f"{name}: {len(t['attachments'])} attached messages, INSPECT {row['embedded_msgs_with_headers']}")
        if olefile is not None:
            text = transport_headers(path)
            paste = os.path.join(work, "paste.txt")
            with open(paste, "w", encoding="utf-8") as f:
                f.write(text)
            pcode, p, perr = trace(paste)
            expect(pcode == 0 and chain(p) == chain(t) and p["message_id"] == t["message_id"],
                   f"{name}: the .msg and its headers pasted give the same chain")
            compared += 1

    # PST and OST files.
    psts = 0
    skipped_total = 0
    reports_compared = 0
    for name, row in sorted(rows.items()):
        if row["kind"] not in ("pst", "ost", "?"):
            continue
        path = os.path.join(root, name)
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        out = subprocess.run([hopscope, "audit", "-q", "--format", "jsonl", path], capture_output=True, timeout=120)
        records = [json.loads(line) for line in out.stdout.splitlines()]
        err = out.stderr.decode("utf-8", "replace")
        if row["is_valid"] != "1":
            magic = open(path, "rb").read(5)
            if magic.startswith(b"From "):
                expect(len(records) >= 1 and records[0]["input_kind"] == "mbox-message",
                       f"{name}: an mbox named .pst is read as an mbox")
            else:
                expect(out.returncode == 2 and name in err and not records, f"{name}: damaged PST, exit 2 naming it")
                # libpff's innermost cause, not only "unable to open file".
                expect("unable to open file (" in err, f"{name}: the damage said: {err[:240]}")
            continue
        psts += 1
        # Items never received over SMTP (contacts, calendar items, drafts,
        # sent items) are skipped, never failed: a real PST audits with exit 0.
        expect(out.returncode == 0, f"{name}: audit exit {out.returncode}: {err[:120]}")
        expect(len(records) == int(row["messages"]), f"{name}: {len(records)} records, INSPECT counts {row['messages']}")
        with_received = [r for r in records if r["hops"]]
        expect(len(with_received) == int(row["messages_with_received"]),
               f"{name}: {len(with_received)} items with Received lines, INSPECT {row['messages_with_received']}")
        expect(sum(len(r["hops"]) for r in records) == int(row["received_lines_total"]),
               f"{name}: Received lines total, INSPECT {row['received_lines_total']}")
        expect(all("folder" in r["source"] and isinstance(r["source"]["item"], int) for r in records),
               f"{name}: every record names its folder and item")
        expect(all(r["input_kind"] == "pst-item" for r in records if "skipped" not in r),
               f"{name}: every analysed item is input_kind pst-item")
        expect([r["source"]["index"] for r in records] == list(range(len(records))),
               f"{name}: items are indexed in walk order from 0")
        # Several handles read items at once; the records come out the same, in the same order.
        for jobs in ("1", "3"):
            other = subprocess.run([hopscope, "audit", "-q", "-j", jobs, "--format", "jsonl", path],
                                   capture_output=True, timeout=120).stdout
            expect(other == out.stdout, f"{name}: -j {jobs} gives the same records in the same order")
        # --range counts items in a PST: one item alone, the same record; a slice, the same slice.
        if len(records) > 2:
            one = subprocess.run([hopscope, "audit", "-q", "--format", "jsonl", "--range", "2:3", path],
                                 capture_output=True, timeout=120).stdout.splitlines()
            expect(len(one) == 1 and json.loads(one[0]) == records[2], f"{name}: --range 2:3 gives item 2's record")
            for jobs in ("1", "2"):
                part = subprocess.run([hopscope, "audit", "-q", "-j", jobs, "--format", "jsonl", "--range", "1:",
                                       path], capture_output=True, timeout=120).stdout.splitlines()
                expect([json.loads(l) for l in part] == records[1:], f"{name}: -j {jobs} --range 1: gives the rest")
        expect(all(r["error"] is None for r in records), f"{name}: no item failed")
        skipped = [r for r in records if "skipped" in r]
        expect(all(not r["hops"] and r["relay"] is None and
                   (r["skipped"].endswith(")") or r["skipped"].startswith("item ")) for r in skipped),
               f"{name}: a skipped item says what it is, by its message class, and has no analysis")
        expect(len(skipped) + len([r for r in records if r["relay"] is not None]) == len(records),
               f"{name}: every item is analysed or skipped")
        skipped_total += len(skipped)
        summary = json.loads(subprocess.run([hopscope, "audit", "-q", "--format", "json", path],
                                            capture_output=True, timeout=120).stdout)
        expect(summary["skipped"] == len(skipped) and summary["failed"] == 0,
               f"{name}: the summary counts {summary['skipped']} skipped, {summary['failed']} failed")
        # trace --item ID shows the item audit wrote as source.item.
        for r in [r for r in records if r["hops"]][:2]:
            code, t, terr = trace("--item", str(r["source"]["item"]), path)
            expect(code == 0 and chain(t) == chain(r) and t["message_id"] == r["message_id"] and
                   t["input_kind"] == "pst-item",
                   f"{name}: trace --item {r['source']['item']} is audit's item {r['source']['index']}: {terr[:120]}")
        for r in skipped[:1]:
            code, t, terr = trace("--item", str(r["source"]["item"]), path)
            expect(code == 2 and "no transport headers" in terr and "audit skips it" in terr,
                   f"{name}: trace --item of a skipped item says why: {terr[:160]}")
        # The same messages exported by readpst: the same chains.
        if shutil.which("readpst") and with_received:
            out_dir = os.path.join(work, "readpst-" + os.path.basename(name))
            os.makedirs(out_dir)
            subprocess.run(["readpst", "-j", "0", "-D", "-M", "-q", "-o", out_dir, path], capture_output=True)
            exported = subprocess.run([hopscope, "audit", "-q", "--format", "jsonl", out_dir], capture_output=True)
            theirs = sorted(json.dumps(chain(json.loads(l))) for l in exported.stdout.splitlines()
                            if json.loads(l)["hops"])
            ours = sorted(json.dumps(chain(r)) for r in with_received)
            expect(ours == theirs, f"{name}: the chains equal readpst's export ({len(ours)} vs {len(theirs)})")
            # A report read from the PST names the recipients its export's
            # body names: an Exchange NDR's headers name none, its PR_BODY does
            # (with the code where the prose gives one: the message/delivery-status
            # attachment readpst also exports is not read).
            def recipients(r, status=True):
                b = r.get("bounce") or r.get("notification")
                return sorted((x["address"], x["action"], x["status"] if status else None)
                              for x in b["recipients"]) if b else []
            exported_reports = {}
            for line in exported.stdout.splitlines():
                r = json.loads(line)
                if recipients(r) and r["message_id"]:
                    exported_reports[r["message_id"]] = recipients(r)
            for r in records:
                theirs = exported_reports.get(r.get("message_id"))
                if theirs and (r.get("bounce") or r.get("notification")):
                    reports_compared += 1
                    mine = recipients(r)
                    same = [m[:2] for m in mine] == [t[:2] for t in theirs] and all(
                        m[2] is None or m[2] == t[2] for m, t in zip(mine, theirs))
                    expect(same, f"{name} item {r['source']['item']}: the report names {mine}, "
                                 f"readpst's export {theirs}")
    # Memory: the biggest sample, well under 200 MB.
    ost = os.path.join(root, "pst", "Aspose.Email-for-.NET_SampleOstFile.ost")
    if os.path.exists(ost):
        timed = subprocess.run(["/usr/bin/time", "-f", "%M", hopscope, "audit", "-q", "--format", "jsonl", ost],
                               capture_output=True)
        rss_kb = int(timed.stderr.decode().strip().splitlines()[-1])
        expect(rss_kb < 200 * 1024, f"OST audit peak RSS {rss_kb} KB under 200 MB")
    # A folder of .msg files: those without transport headers are skipped (exit 0).
    msg_dir = os.path.join(root, "msg")
    out = subprocess.run([hopscope, "audit", "-q", "--format", "json", msg_dir], capture_output=True, timeout=120)
    folder = json.loads(out.stdout)
    expect(folder["skipped"] >= refused and all(f["error"] and "transport headers" not in f["error"]
                                                for f in folder["failures"]),
           f"msg/: {folder['skipped']} skipped ({refused} without transport headers), failures "
           f"{[f['error'][:60] for f in folder['failures']]}")
    expect(skipped_total > 50, f"{skipped_total} PST/OST items skipped")
    if shutil.which("readpst"):
        expect(reports_compared >= 6, f"{reports_compared} PST/OST reports compared with readpst's export")
    print(f"{msgs} .msg files ({compared} chains compared with olefile's headers, {refused} refused with why); "
          f"{psts} PST/OST files, {skipped_total} items skipped, {reports_compared} reports compared")
finally:
    shutil.rmtree(work, ignore_errors=True)

sys.exit(1 if failures else 0)
