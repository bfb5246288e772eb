"""audit under load and faults: a seeded mbox of LOAD_MB megabytes in which 1
message in 1,000 is corrupted (headers cut short, NUL runs, 1 MB lines,
broken separators, binary straight after the header) gives exactly one
record per separator Python's mailbox splits at, the same records with
--jobs 1 and --jobs 2, and stays under RSS_MB (200) MB of peak RSS.
Usage: HOPSCOPE=bin CORPUS=dir [LOAD_MB=300] [RSS_MB=200] python3 audit_load_test.py"""
import base64, glob, json, mailbox, os, random, resource, subprocess, sys, tempfile

BIN, CORPUS = os.environ["HOPSCOPE"], os.environ["CORPUS"]
SIZE = int(os.environ.get("LOAD_MB", "300")) << 20
RSS_LIMIT = int(os.environ.get("RSS_MB", "200"))
SEP = [b"From MAILER-DAEMON Thu Jan  1 00:00:00 2024\n", b"From - \n", b"From 1844347792267117879@xxx\n",
       b"From dev@example.com Wed Feb  9 22:02 MET 2000\n", b"From a@b.example Mon Jan  1 00:00:00 2024\r\n"]


KINDS = ["cut-header", "nul-run", "long-line", "broken-separator", "binary-no-blank"]


def quote(b):
    """mboxrd: every line starting with From (after any '>') gains a '>'."""
    out = []
    for line in b.split(b"\n"):
        stripped = line.lstrip(b">")
        out.append(b">" + line if stripped.startswith(b"From ") else line)
    return b"\n".join(out)


def generate(path, rnd):
    samples = [open(f, "rb").read() for f in sorted(glob.glob(os.path.join(CORPUS, "*.eml")))]
    samples = [s.split(b"\n", 1)[1] if s.startswith(b"From ") else s for s in samples]
    pool = base64.encodebytes(rnd.randbytes(1 << 20))
    kinds = {}
    written = n = 0
    with open(path, "wb") as f:
        while written < SIZE:
            msg = rnd.choice(samples)
            head, _, body = msg.partition(b"\n\n")
            start = rnd.randrange(len(pool) - 70000)
            body = body + b"\n" + pool[start:start + rnd.randrange(1000, 60000)]
            kind = None
            if rnd.randrange(1000) == 0:
                kind = KINDS[sum(kinds.values()) % len(KINDS)]  # each kind in turn
                kinds[kind] = kinds.get(kind, 0) + 1
                if kind == "cut-header":
                    msg = head[:rnd.randrange(1, len(head))] + b"\n"
                elif kind == "nul-run":
                    msg = head + b"\nX-Nul: " + b"\0" * rnd.randrange(1, 65536) + b"\n\n" + body
                elif kind == "long-line":
                    msg = b"Received: from x by y; " + b"z" * (1 << 20) + b"\n" + head + b"\n\n" + body
                elif kind == "broken-separator":  # lines neither side may split at
                    msg = head + b"\n\n" + body + b"\nFrom\n" + b"Fr0m a@b Mon Jan  1 00:00:00 2024\n" + \
                        b"from a@b Mon Jan  1 00:00:00 2024\n"
                else:
                    binary = rnd.randbytes(rnd.randrange(100, 200000)).replace(b"\nFrom ", b"\nFrxm ")
                    msg = head + b"\n" + binary + b"\n"
            else:
                msg = head + b"\n\n" + body
            record = rnd.choice(SEP) + quote(msg)
            if not record.endswith(b"\n"):
                record += b"\n"
            record += b"\n"
            f.write(record)
            written += len(record)
            n += 1
    return n, kinds


def audit(mbox, jobs):
    r = subprocess.run([BIN, "audit", "-q", "--format", "jsonl", "--jobs", str(jobs), mbox], capture_output=True)
    if r.returncode not in (0, 1, 3):
        sys.exit(f"FAIL audit --jobs {jobs}: exit {r.returncode}: {r.stderr[:500]!r}")
    return r.stdout


def main():
    rnd = random.Random(20261129)
    with tempfile.TemporaryDirectory() as tmp:
        mbox = os.path.join(tmp, "load.mbox")
        written, kinds = generate(mbox, rnd)
        python_count = len(mailbox.mbox(mbox, create=False))
        one = audit(mbox, 1)
        two = audit(mbox, 2)
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        failures = []
        records = one.decode("utf-8").splitlines()
        for line in records:
            json.loads(line)  # every record is whole, valid JSON
        if len(records) != python_count or python_count != written:
            failures.append(f"{len(records)} records, Python's mailbox splits {python_count}, {written} written")
        if one != two:
            failures.append("--jobs 1 and --jobs 2 give different records")
        if peak_mb >= RSS_LIMIT:
            failures.append(f"peak RSS {peak_mb:.0f} MB, limit {RSS_LIMIT} MB")
        size_mb = os.path.getsize(mbox) / 1e6
        print(f"audit_load: {size_mb:.0f} MB, {written} messages, corrupted {kinds}, "
              f"{len(records)} records, peak RSS {peak_mb:.0f} MB")
        for f in failures:
            print("FAIL", f)
        sys.exit(1 if failures else 0)


main()
