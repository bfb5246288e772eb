#!/usr/bin/env python3
"""hopscope serve under stalled clients, and its paste page, over plain HTTP
(no browser: tests/browser_test.py drives the page in chromium).

- 64 connections that send half a request head and then nothing: GET / and a
  paste still answer within 2 s; the server cuts a stalled head off after its
  5 s limit; past the cap of waiting connections the one that waited longest
  is dropped, and the page still answers.
- 16 requests whose bodies are still coming hold the 16 analysis places: the
  17th is answered 503 at once, while GET / still answers 200.
- The report page: the textarea keeps the paste (escaped), the <title> is the
  message's subject, the "my relay" field changes the verdict as --relay does
  and a bad one is refused with why, an mbox opens with an index whose links
  reach each message's report, a PST/OST is audited item by item (from
  ../shared when it is there), and hostile text in any field stays text.

Every connection goes to 127.0.0.1; every loop is bounded.
"""
import glob
import html
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

hopscope = os.environ["HOPSCOPE"]
corpus = os.environ["CORPUS"]
shared = os.environ.get("SHARED", "")
failures = []


def expect(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def multipart(fields):
    """fields: (name, filename or None, bytes) -> (content type, body)."""
    boundary = "hopscopeTestBoundary7MA4YWxk"
    body = b""
    for name, filename, data in fields:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n".encode()
        if filename:
            body += b"Content-Type: application/octet-stream\r\n"
        body += b"\r\n" + data + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return "multipart/form-data; boundary=" + boundary, body


def fetch(req, timeout):
    """(status, text); an HTTP error is its status, no answer in time is None."""
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as e:
        return e.code, ""
    except (urllib.error.URLError, OSError):
        return None, ""


def post(url, fields, timeout=10):
    ctype, body = multipart(fields)
    return fetch(urllib.request.Request(url + "report", data=body, headers={"Content-Type": ctype}), timeout)


def get(url, timeout=10):
    return fetch(url, timeout)


def stall(port, n):
    """n connections that send half a request head and then nothing."""
    conns = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUser-Ag" % port)
        conns.append(s)
    return conns


def closed_within(sock, seconds):
    """True when the server closes `sock` within `seconds`."""
    sock.settimeout(seconds)
    try:
        return sock.recv(1024) == b""
    except (socket.timeout, TimeoutError):
        return False
    except ConnectionResetError:
        return True


def demo():
    with open(os.path.join(corpus, "demo-o365-relay.eml"), "rb") as f:
        return f.read()


server = subprocess.Popen([hopscope, "serve", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)
try:
    url = server.stdout.readline().strip()
    expect(url.startswith("http://127.0.0.1:"), f"serve listens on 127.0.0.1 ({url})")
    port = int(url.rsplit(":", 1)[1].strip("/"))

    # 1. Stalled clients do not take the page away.
    stalled = stall(port, 64)
    time.sleep(0.3)
    t = time.monotonic()
    status, _ = get(url, timeout=2)
    expect(status == 200 and time.monotonic() - t < 2, f"GET / with 64 stalled connections: {status} "
           f"in {time.monotonic() - t:.2f} s")
    t = time.monotonic()
    status, page = post(url, [("headers", None, demo())], timeout=2)
    expect(status == 200 and "TRAVERSED" in page and time.monotonic() - t < 2,
           f"a paste with 64 stalled connections: {status} in {time.monotonic() - t:.2f} s")
    # The head has 5 s: the first stalled connection is gone by 7 s after it was opened.
    expect(closed_within(stalled[0], 7), "a stalled request head is cut off after its time limit")
    for s in stalled:
        s.close()

    # Past the cap of waiting connections, the one that waited longest goes first.
    first = stall(port, 1)[0]
    time.sleep(0.2)
    crowd = stall(port, 520)
    expect(closed_within(first, 2), "past 512 waiting connections, the oldest is dropped")
    status, _ = get(url, timeout=2)
    expect(status == 200, "the page still answers beside 520 waiting connections")
    for s in crowd + [first]:
        s.close()

    # 2. 503 means analyses: 16 bodies on their way hold the places, the 17th is refused.
    uploads = []
    for _ in range(17):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(b"POST /report HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: multipart/form-data; "
                  b"boundary=x\r\nContent-Length: 100000\r\n\r\n--x\r\n" % port)
        uploads.append(s)
        time.sleep(0.02)
    uploads[-1].settimeout(3)
    try:
        answer = uploads[-1].recv(200).decode(errors="replace")
    except (socket.timeout, TimeoutError):
        answer = ""
    expect(" 503 " in answer.split("\r\n", 1)[0], f"the 17th upload at once is answered 503 ({answer[:40]!r})")
    status, _ = get(url, timeout=2)
    expect(status == 200, "GET / still answers while 16 uploads are under way")
    for s in uploads:
        s.close()
    time.sleep(0.3)

    # 3. The report page.
    status, page = post(url, [("headers", None, demo())])
    title = re.search(r"<title>(.*?)</title>", page, re.S)
    expect(title is not None and html.unescape(title.group(1)) == "Scanned document from MFP-3F (2 pages)",
           f"the report's title is the subject ({title.group(1) if title else None!r})")
    area = re.search(r'<textarea id="headers"[^>]*>\n(.*?)</textarea>', page, re.S)
    expect(area is not None and html.unescape(area.group(1)) == demo().decode().replace("\r\n", "\n"),
           "the textarea keeps what was pasted")
    status, page = post(url, [("headers", None, demo()), ("relay", None, b"relay9.contoso.com")])
    expect("NOT TRAVERSED" in page and 'value="relay9.contoso.com"' in page,
           "'my relay' counts as --relay does, and is kept in its field")
    status, page = post(url, [("headers", None, demo()), ("relay", None, b"198.51.100.77")])
    expect("TRAVERSED: relay.contoso.com" in page and "NOT TRAVERSED" not in page, "'my relay' naming the relay")
    status, page = post(url, [("headers", None, demo()), ("relay", None, b"bad_host!")])
    expect("My relay: " in page and "TRAVERSED" not in page, "a bad 'my relay' is refused with why")

    # Minimum TLS and the connector configuration, asked on the page as --min-tls and --connectors.
    status, page = post(url, [("headers", None, demo()), ("min_tls", None, b"1.3")])
    expect("NOT CONFIRMED: traversed, but TLS 1.2 is below the minimum 1.3" in page and
           '<option value="1.3" selected>' in page, "'minimum TLS' judges as --min-tls does, and stays chosen")
    status, page = post(url, [("headers", None, demo()), ("min_tls", None, b"1.2")])
    expect("NOT CONFIRMED" not in page, "'minimum TLS' met")
    status, page = post(url, [("headers", None, demo()), ("min_tls", None, b"0.9<script>")])
    expect("NOT CONFIRMED" not in page and "0.9&lt;script" not in page, "an unknown 'minimum TLS' is ignored")
    with open(os.path.join(corpus, "connectors", "contoso-connectors.json"), "rb") as f:
        connectors = f.read()
    with open(os.path.join(corpus, "connectors", "via-relay-by-ip.eml"), "rb") as f:
        by_ip = f.read()
    status, page = post(url, [("headers", None, by_ip), ("connectors", None, connectors)])
    expect("through connector &#39;Relay and scanners by IP&#39;" in page and
           html.escape('"Name":  "Relay and scanners by IP"', quote=True) in page,
           "the connector configuration names the connector, and stays in its field")
    status, page = post(url, [("headers", None, by_ip), ("connectors", None, b'[{"Name": "x", "Enabled": "perhaps"}]')])
    expect("Connector configuration: " in page and "Enabled" in page and "TRAVERSED" not in page,
           "a bad connector configuration is refused with why")

    hostile = b'Subject: </title><script>window.__pwned=1</script>\r\nReceived: from a by b; ' \
              b'Tue, 14 May 2024 07:12:03 +0000\r\n\r\n</textarea><script>window.__pwned=2</script>'
    status, page = post(url, [("headers", None, hostile), ("relay", None, b'"><script>x()</script>')])
    scripts = re.findall(r"<script\b[^>]*>", page)
    expect(all("application/json" in s for s in scripts[:-1]) and "__pwned=1</script>" not in page and
           "</textarea><script>" not in page and '"><script>x()' not in page,
           "hostile paste, subject and relay stay text")

    mbox = b""
    names = ["demo-o365-relay.eml", "o365-direct-send.eml", "postfix-basic.eml"]
    for n, name in enumerate(names):
        with open(os.path.join(corpus, name), "rb") as f:
            text = f.read().replace(b"\r\n", b"\n")
        mbox += b"From sender%d@example.com Mon Jan  1 00:00:00 2024\n" % n + re.sub(rb"(?m)^From ", b">From ", text)
        mbox += b"\n"
    status, page = post(url, [("file", "box.mbox", mbox)])
    index = re.search(r'<nav class="index">(.*?)</nav>', page, re.S)
    links = re.findall(r'<a href="#(m\d+)">', index.group(1)) if index else []
    expect(index is not None and "3 messages in box.mbox" in index.group(1), "an mbox opens with an index of its messages")
    expect(len(links) == 3 and all(f'<section class="report" id="{m}">' in page for m in links),
           f"each entry of the index links to its report ({links})")
    expect(page.find('<nav class="index">') < page.find('<section class="report"'), "the index comes first")

    psts = sorted(glob.glob(os.path.join(shared, "corpus-ext", "outlook", "pst", "Aspose.Email-for-.NET_source.pst")))
    if psts:
        with open(psts[0], "rb") as f:
            data = f.read()
        status, page = post(url, [("file", "source.pst", data)])
        expect(status == 200 and "a PST/OST mailbox" not in page, "a PST upload is audited, not refused")
        want = subprocess.run([hopscope, "audit", "-q", "--format", "jsonl", psts[0]], capture_output=True,
                              text=True).stdout.count("\n")
        index = re.search(r'<nav class="index">(.*?)</nav>', page, re.S)
        expect(index is not None and f"{want} items in source.pst" in index.group(1),
               f"the PST's index counts its {want} items as audit does")
        expect(page.count('<section class="report" id="m') == want, "one report per PST item")
    else:
        print("note: no ../shared PST here; the PST upload was not tried")
    status, page = post(url, [("file", "fake.pst", b"!BDN" + b"\0" * 600)])
    expect(status == 200 and "not a readable PST/OST file" in page, "a damaged PST is said to be one")

    status, _ = get(url, timeout=2)
    expect(status == 200, "serve still answers after all that")
    server.send_signal(2)
    try:
        code = server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        code = None
    expect(code == 0, f"Ctrl-C stops serve cleanly (exit {code})")
finally:
    if server.poll() is None:
        server.kill()
        server.wait()

print(f"{len(failures)} failed" if failures else "all passed")
sys.exit(1 if failures else 0)
