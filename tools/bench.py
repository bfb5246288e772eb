"""Benchmark driver for tools/bench (see there). Standard library only."""
import base64, csv, email.parser, email.policy, email.utils, io, mmap, os, random, shutil, subprocess, sys, tempfile, time

BIN, DIR = sys.argv[1], sys.argv[2]

DIALECTS = [
    "from {h} (unknown [{ip}])\n\tby {by} (Postfix) with ESMTP id {id}\n\tfor <u@example.net>; {date}",
    "from {h} ({h} [{ip}])\n\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))\n\tby {by} (Postfix) with ESMTPS id {id}; {date}",
    "from {h} ({ip}) by {by} (10.167.16.73) with Microsoft SMTP\n Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id\n 15.20.7587.21 via Frontend Transport; {date}",
    "from [{ip}] (helo={h})\n\tby {by} with esmtps  (TLS1.3) tls TLS_AES_256_GCM_SHA384\n\t(Exim 4.96)\n\t(envelope-from <a@example.org>)\n\tid {id}; {date}",
    "from unknown (HELO {h}) ({ip})\n  by {by} with SMTP; {date}",
    "from {h} ({h}. [{ip}])\n        by mx.google.com with ESMTPS id {id}\n        for <u@gmail.com>\n        (version=TLS1_2 cipher=ECDHE-ECDSA-AES128-GCM-SHA256 bits=128/128);\n        {date}",
    "from {h} ([{ip}]:33537 \"EHLO {h}\" rhost-flags-OK-OK-OK-OK) by {by}\n        with ESMTP id {id} (ORCPT <rfc822;u@example.net>); {date}",
    "from {h} (192.0.2.7) by {by} (10.1.4.12) with Microsoft SMTP Server (TLS) id\n 14.3.498.0; {date}",
    "by {by} with SMTP id {id};\n        {date}",
    "from {h} ([{ip}]) by {by} with Microsoft SMTPSVC(10.0.17763.1);\n\t {date}",
]

def generate(path, count, body_min, body_max, seed):
    rnd = random.Random(seed)
    pool = base64.encodebytes(rnd.randbytes(3 * 1024 * 1024))  # 4 MB of base64 lines to slice from
    t0 = 1_700_000_000
    with open(path, "wb", buffering=1 << 20) as f:
        for n in range(count):
            t = t0 + n * 37
            hops = rnd.randint(5, 12)
            hdr = []
            for k in range(hops, 0, -1):  # newest first
                ts = email.utils.formatdate(t + k * rnd.randint(0, 20), localtime=False)
                d = rnd.choice(DIALECTS)
                hdr.append("Received: " + d.format(h=f"h{k}-{n % 997}.example.com", ip=f"198.51.{k}.{n % 250}",
                                                   by=f"mx{k}.example.net", id=f"{n:08X}{k}", date=ts))
            hdr += [f"Date: {email.utils.formatdate(t, localtime=False)}", f"From: sender{n % 500}@example.com",
                    "To: rcpt@example.net", f"Subject: bench message {n}", f"Message-ID: <{n}.{seed}@example.com>",
                    "MIME-Version: 1.0",
                    "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=sel1;\n\th=from:to:subject:date:message-id;\n\tbh=" + base64.b64encode(rnd.randbytes(32)).decode() + ";\n\tb=" + "\n\t ".join(base64.b64encode(rnd.randbytes(256)).decode()[i:i + 64] for i in range(0, 344, 64)),
                    "X-MS-Exchange-Organization-AuthAs: Anonymous",
                    "X-MS-Exchange-CrossTenant-FromEntityHeader: HybridOnPrem",
                    "X-Forefront-Antispam-Report: CIP:198.51.100.77;CTRY:NL;LANG:en;SCL:1;SRV:;IPV:NLI;SFV:NSPM;H:relay.example.com;PTR:relay.example.com;CAT:NONE;SFS:(13230031)(82310400017);DIR:INB;",
                    "Authentication-Results: spf=pass (sender IP is 198.51.100.77) smtp.mailfrom=example.com; dkim=pass (signature was verified) header.d=example.com;dmarc=pass action=none header.from=example.com;compauth=pass reason=100"]
            # The rest of what Exchange Online stamps on a relayed message: about 30 fields and 3.7 KB
            # of header in all, as issue 4's figures assume (real relayed mail has more).
            guid = lambda: "%08x-%04x-%04x-%04x-%012x" % (rnd.getrandbits(32), rnd.getrandbits(16), rnd.getrandbits(16),
                                                          rnd.getrandbits(16), rnd.getrandbits(48))
            hdr += ["ARC-Authentication-Results: i=1; mx.microsoft.com 1; spf=pass\n smtp.mailfrom=example.com; dmarc=pass action=none\n header.from=example.com; dkim=pass header.d=example.com; arc=none",
                    f"X-MS-Exchange-Organization-Network-Message-Id: {guid()}",
                    "X-MS-Exchange-Organization-SCL: 1",
                    "X-MS-Has-Attach: ",
                    "X-MS-PublicTrafficType: Email",
                    f"X-MS-Office365-Filtering-Correlation-Id: {guid()}",
                    "X-Microsoft-Antispam: BCL:0;ARA:13230031|82310400017|1800799015;",
                    f"X-MS-Exchange-CrossTenant-OriginalArrivalTime: {email.utils.formatdate(t + 30, localtime=False)[5:-6]}.{rnd.randrange(10000):04d}\n (UTC)",
                    f"X-MS-Exchange-CrossTenant-Network-Message-Id: {guid()}",
                    f"X-MS-Exchange-CrossTenant-Id: {guid()}",
                    "X-MS-Exchange-Transport-CrossTenantHeadersStamped: AM0PR01MB1234"]
            size = rnd.randint(body_min, body_max)
            if body_max > 4096:
                start = rnd.randrange(0, len(pool) - size - 1)
                chunk = pool[start:start + size]
                chunk = chunk[chunk.find(b"\n") + 1:]
                body = (b"--b\nContent-Type: text/plain\n\nSee attachment.\n--b\nContent-Type: application/octet-stream\n"
                        b"Content-Transfer-Encoding: base64\n\n" + chunk + b"--b--\n")
                hdr.append('Content-Type: multipart/mixed; boundary="b"')
            else:
                body = b"Short body line one.\n>From a@b Mon Jan 1 2024 (mboxrd-quoted)\n"[:size] + b"\n"
            f.write(f"From sender{n % 500}@example.com {time.asctime(time.gmtime(t))}\n".encode())
            f.write("\n".join(hdr).encode() + b"\n\n" + body + b"\n")

RUNS = 5  # each side's best of five, interleaved, so machine noise (often +-30 % here) hits all alike

GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None

def timed(cmd, **kw):
    """Wall time, exit status and peak resident memory (KB, or None) of one run.
    The peak comes from GNU time: a child forked straight from this Python
    process would report this process's own (large) RSS as its peak."""
    rss_file = os.path.join(DIR, "rss.txt")
    full = [GNU_TIME, "-f", "%M", "-o", rss_file] + cmd if GNU_TIME else cmd
    t = time.perf_counter()
    p = subprocess.run(full, check=False, **kw)
    elapsed = time.perf_counter() - t
    rss = None
    if GNU_TIME:
        with open(rss_file) as f:
            rss = int(f.read().split()[-1])
    return elapsed, p, rss

def settle(path):
    """Evicts the file from the page cache and reads it back once with cat, so
    every run finds it cached the same way. How a file came into the cache
    decides the size of its pages there: read back in one sequential pass,
    Linux 6.x keeps it in 2 MB folios, which a mapping then maps 2 MB at a
    time; freshly written, it is held mostly in smaller ones. The difference
    is 0.1 s of page-table work and a scan twice as slow per GB, for every
    reader of the file alike, and it moved the body-heavy figures by 30 %
    from one run to the next before. On a kernel without large folios for
    the file system nothing changes."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)  # dirty pages (a file just generated) cannot be dropped
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)
    subprocess.run(["cat", path], stdout=subprocess.DEVNULL, check=True)

def python_peer(path):
    """mmap, bytes.find for separators, BytesHeaderParser (compat32) per header block,
    parsedate_to_datetime on every Received date."""
    parser = email.parser.BytesHeaderParser(policy=email.policy.compat32)
    messages = fields = 0
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as m:
        pos = 0 if m[:5] == b"From " else m.find(b"\nFrom ") + 1
        size = len(m)
        while 0 <= pos < size:
            nxt = m.find(b"\nFrom ", pos)
            end = size if nxt < 0 else nxt + 1
            hstart = m.find(b"\n", pos) + 1
            hend = m.find(b"\n\n", hstart, end)
            block = m[hstart:(end if hend < 0 else hend + 1)]
            msg = parser.parsebytes(block)
            for r in msg.get_all("Received") or []:
                fields += 1
                try:  # real mail has stamps without a date, or with one it cannot read
                    email.utils.parsedate_to_datetime(str(r).rsplit(";", 1)[-1].strip())
                except (ValueError, TypeError, IndexError):
                    pass
            messages += 1
            pos = -1 if nxt < 0 else end
    return messages, fields

def hopscope_counts(path):
    out = subprocess.run([BIN, "audit", "-q", "--format", "csv", path], check=False, capture_output=True).stdout
    rows = list(csv.DictReader(io.StringIO(out.decode("utf-8"))))
    return len(rows), sum(int(r["hops"]) for r in rows)

SHARED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "corpus-ext")

def generate_real(path, target_bytes):
    """Real mail: the single messages of corpus-ext/o365 and general, each after
    a 'From MAILER-DAEMON' separator with its From_ lines mboxrd-quoted,
    repeated until the file is about target_bytes. Real relayed mail has about
    twice the header of the generated files."""
    one = io.BytesIO()
    for sub in ("o365", "general"):
        for root, dirs, names in os.walk(os.path.join(SHARED, sub)):
            dirs.sort()
            for name in sorted(names):
                if name.endswith((".tsv", ".md")):
                    continue
                with open(os.path.join(root, name), "rb") as f:
                    b = f.read()
                b = b"\n".join(b">" + l if l.lstrip(b">").startswith(b"From ") else l for l in b.split(b"\n"))
                one.write(b"From MAILER-DAEMON Thu Jan  1 00:00:00 2024\n" + b)
                one.write(b"\n" if b.endswith(b"\n") else b"\n\n")
    one = one.getvalue()
    with open(path, "wb") as f:
        for _ in range(max(1, target_bytes // len(one))):
            f.write(one)

def main():
    # The version in the name changes with the shape, so a file of an older shape is never reused.
    files = [("body-heavy", os.path.join(DIR, "body-heavy-v2.mbox"), 10_500, 2_048, 2_000_000 // 10, 1),
             ("header-heavy", os.path.join(DIR, "header-heavy-v2.mbox"), 54_000, 40, 200, 2)]
    for name, path, count, bmin, bmax, seed in files:
        if not os.path.exists(path):
            print(f"generating {path} ...", file=sys.stderr)
            generate(path, count, bmin, bmax, seed)
    if os.path.isdir(SHARED):
        path = os.path.join(DIR, "real-mail-v1.mbox")
        if not os.path.exists(path):
            print(f"generating {path} from {SHARED} ...", file=sys.stderr)
            generate_real(path, 300_000_000)
        files.append(("real-mail", path, 0))
    else:
        print(f"real-mail shape skipped: no {SHARED}", file=sys.stderr)
    print(f"machine: {os.cpu_count()} cores; each file evicted from the page cache and read back by one cat "
          f"before timing (see settle()); best of {RUNS} runs each")
    for name, path, count, *_ in files:
        mb = os.path.getsize(path) / 1e6
        settle(path)
        t_cat = t_hs = t_py = float("inf")
        rss = 0
        for _ in range(RUNS):
            t_cat = min(t_cat, timed(["cat", path], stdout=subprocess.DEVNULL)[0])
            t, p, kb = timed([BIN, "audit", "-q", "--format", "jsonl", path], stdout=subprocess.DEVNULL)
            if p.returncode not in (0, 3):  # 3: some messages could not be analysed (real mail has a few)
                print(f"hopscope exited {p.returncode}", file=sys.stderr)
            t_hs, rss = min(t_hs, t), max(rss, kb or 0)
            t0 = time.perf_counter()
            py_msgs, py_fields = python_peer(path)
            t_py = min(t_py, time.perf_counter() - t0)
        hs_msgs, hs_fields = hopscope_counts(path)
        same = "same" if (hs_msgs, hs_fields) == (py_msgs, py_fields) else "DIFFERENT"
        print(f"\n{name}: {mb:.0f} MB, {hs_msgs} messages, {hs_fields} Received fields "
              f"(python: {py_msgs} messages, {py_fields} fields: {same})")
        print(f"  cat (floor)        {mb / t_cat:9.0f} MB/s  {t_cat:7.2f} s")
        print(f"  hopscope audit     {hs_msgs / t_hs:9.0f} msg/s {mb / t_hs:7.0f} MB/s  {t_hs:7.2f} s  "
              f"({100 * t_cat / t_hs:.0f}% of cat; peak RSS {f'{rss / 1024:.0f} MB' if rss else 'n/a'})")
        print(f"  python peer        {py_msgs / t_py:9.0f} msg/s {mb / t_py:7.0f} MB/s  {t_py:7.2f} s")
        print(f"  ratio hopscope/python: {t_py / t_hs:.1f}x")
    pst_figure()
    real = next((f[1] for f in files if f[0] == "real-mail"), None)
    instructions_per_message(real)


def first_messages(path, count, out):
    """The first `count` messages of a bench mbox (whose separators are the only
    lines starting "From " in it: bodies are mboxrd-quoted) as a file of their own."""
    with open(path, "rb") as f:
        data = f.read(64 << 20)
    at = 0
    for _ in range(count):
        at = data.find(b"\nFrom ", at + 1)
        if at < 0:
            raise RuntimeError(f"{path} holds fewer than {count} messages in its first 64 MB")
    with open(out, "wb") as f:
        f.write(data[:at + 1])


def callgrind_instructions(path):
    """Instructions of one whole `audit --jobs 1 --format jsonl` run under callgrind (every thread)."""
    out = os.path.join(DIR, "callgrind.out")
    p = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", BIN, "audit", "-q",
                        "--jobs", "1", "--format", "jsonl", path], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       text=True, check=False)
    os.remove(out)
    for line in p.stderr.splitlines():
        if "Collected :" in line:
            return int(line.split(":")[-1].strip().replace(",", ""))
    raise RuntimeError("callgrind printed no count: " + p.stderr[-500:])


def instructions_per_message(real):
    """Instructions per real-mail message: callgrind on the first 800 and the first 1,600
    messages of the real-mail file; the difference over 800, so start-up cancels."""
    if real is None or shutil.which("valgrind") is None:
        print("\ninstructions per message skipped: " + ("no real-mail shape" if real is None else "no valgrind"))
        return
    counts = {}
    for n in (800, 1600):
        part = os.path.join(DIR, f"real-mail-first-{n}.mbox")
        first_messages(real, n, part)
        try:
            counts[n] = callgrind_instructions(part)
        finally:
            os.remove(part)
    per = (counts[1600] - counts[800]) / 800
    print(f"\ninstructions per real-mail message (callgrind, audit --jobs 1 --format jsonl, 1,600 less 800 "
          f"messages, over 800): {per:,.0f}  ({counts[800]:,} and {counts[1600]:,} in all)")


def pst_figure():
    """The PST shape: hopscope audit reading the Outlook files directly, against
    the path a user has today: readpst -r -j 0 to mbox files, then hopscope audit
    or the Python peer on them. Twice: the largest shared sample (an OST of 92
    items), and every shared PST/OST together (one hopscope audit over all; one
    readpst per file). The same items with a chain counted each way."""
    folder = os.path.join(SHARED, "outlook", "pst")
    ost = os.path.join(folder, "Aspose.Email-for-.NET_SampleOstFile.ost")
    readpst = shutil.which("readpst")
    if not os.path.exists(ost) or readpst is None:
        print("\npst figure skipped: no shared OST or no readpst (pst-utils)")
        return
    every = sorted(os.path.join(folder, n) for n in os.listdir(folder))
    pst_shape("the shared OST", [ost], readpst)
    pst_shape(f"all {len(every)} shared PST/OST files", every, readpst)


def wall(cmd):
    """Wall time of one run, output discarded (no GNU time around it: these runs take milliseconds)."""
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - t


def pst_shape(name, psts, readpst):
    out = tempfile.mkdtemp(prefix="hopscope-bench-pst-")
    try:
        t_direct = t_export = t_hs = t_py = float("inf")
        py_msgs = 0
        for _ in range(RUNS):
            t_direct = min(t_direct, wall([BIN, "audit", "-q", "--format", "jsonl", *psts]))
            shutil.rmtree(out)
            os.makedirs(out)
            t0 = time.perf_counter()
            for i, pst in enumerate(psts):  # each into a folder of its own, as a user would
                os.makedirs(os.path.join(out, str(i)))
                subprocess.run([readpst, "-q", "-r", "-j", "0", "-o", os.path.join(out, str(i)), pst],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            t_export = min(t_export, time.perf_counter() - t0)
            t_hs = min(t_hs, wall([BIN, "audit", "-q", "--format", "jsonl", out]))
            mboxes = [os.path.join(r, n) for r, _, names in os.walk(out) for n in names]
            t0 = time.perf_counter()
            py_msgs = sum(python_peer(m)[0] for m in mboxes)
            t_py = min(t_py, time.perf_counter() - t0)
        records = subprocess.run([BIN, "audit", "-q", "--format", "jsonl", *psts], capture_output=True).stdout.splitlines()
        exported = subprocess.run([BIN, "audit", "-q", "--format", "jsonl", out], capture_output=True).stdout.splitlines()
        chains = sum(1 for line in records if b'"hops":[{' in line)
        ex_chains = sum(1 for line in exported if b'"hops":[{' in line)
        mb = sum(os.path.getsize(p) for p in psts) / 1e6
        print(f"\npst, {name}: {mb:.1f} MB, {len(records)} items, {chains} with a chain "
              f"(after readpst: {len(exported)} messages, {ex_chains} with a chain; python peer: {py_msgs} messages)")
        print(f"  hopscope audit on the files     {t_direct * 1000:8.1f} ms")
        print(f"  readpst -r to mbox, then audit  {(t_export + t_hs) * 1000:8.1f} ms  (readpst {t_export * 1000:.1f} ms)")
        print(f"  readpst, then the Python peer   {(t_export + t_py) * 1000:8.1f} ms")
        print(f"  ratio against readpst + hopscope: {(t_export + t_hs) / t_direct:.1f}x; "
              f"against readpst + python: {(t_export + t_py) / t_direct:.1f}x")
    finally:
        shutil.rmtree(out, ignore_errors=True)

main()
