#!/usr/bin/env python3
"""The HTML reports and the paste page in a real browser: Debian's chromium,
headless, driven over the DevTools protocol on a pipe (--remote-debugging-pipe:
no WebSocket library needed).

- file:// pages of `trace --format html` (the demo, a Gmail "Show original"
  paste, a hostile message) and `audit --format html` (a mailbox): the number
  of hop rows, the verdict text, that no script from the headers ran
  (window.__pwned stays unset, no element the headers wrote exists), that the
  page's own script did run, and that nothing was requested.
- `hopscope serve`: the paste page, filled and submitted through its form as a
  user would (the textarea and the button, not a request of our own), for the
  demo and the hostile message; the same checks, every request went to
  127.0.0.1, the textarea keeps the paste, the title is the subject, and the
  "my relay" field answers the relay question. Then serve refuses a foreign Host, a body over the cap, and
  answers a malformed request with 400 without dying.

Screenshots go to build/browser/. Skips (exit 0 with a message) only when no
chromium is installed and none can be (tools/test installs it).
"""
import base64
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

hopscope = os.environ["HOPSCOPE"]
top = os.environ["TOP"]
shots = os.environ.get("SHOTS", os.path.join(top, "build", "browser"))
corpus = os.path.join(top, "corpus")
failures = []


def expect(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
if chromium is None:
    print("SKIP: no chromium here (tools/test installs Debian's chromium); the browser test did not run")
    sys.exit(0)


class Browser:
    """Chromium headless, spoken to over --remote-debugging-pipe (fd 3 in, fd 4 out, messages end in NUL)."""

    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="hopscope-chromium-")
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()
        # Chromium reads commands on fd 3 and writes replies on fd 4.
        def setup():
            # dup2 clears close-on-exec on the copies; the originals may sit on 3 or 4 themselves.
            a, b = os.dup(to_chrome_r), os.dup(from_chrome_w)
            os.dup2(a, 3)
            os.dup2(b, 4)
        self.proc = subprocess.Popen(
            [chromium, "--headless=new", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu",
             "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-sync",
             "--disable-background-networking", "--disable-component-update", "--metrics-recording-only",
             "--user-data-dir=" + self.profile, "--window-size=1280,1400", "about:blank"],
            pass_fds=(3, 4), preexec_fn=setup,  # kept open after setup() put the pipes there
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buffer = b""
        self.next_id = 0
        self.events = []
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Network", "Runtime"):
            self.call(domain + ".enable", session=True)

    def send(self, method, params=None, session=False):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self.session
        os.write(self.to_chrome, json.dumps(msg).encode() + b"\0")
        return self.next_id

    def read(self, timeout=30):
        deadline = time.time() + timeout
        while b"\0" not in self.buffer:
            if time.time() > deadline:
                raise TimeoutError("chromium did not answer")
            chunk = os.read(self.from_chrome, 1 << 16)
            if not chunk:
                raise EOFError("chromium closed the pipe")
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method, params=None, session=False):
        want = self.send(method, params, session)
        while True:
            msg = self.read()
            if msg.get("id") == want:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def wait_event(self, name, timeout=30):
        deadline = time.time() + timeout
        while True:
            for i, e in enumerate(self.events):
                if e.get("method") == name:
                    del self.events[i]
                    return e
            if time.time() > deadline:
                raise TimeoutError(name)
            self.events.append(self.read(timeout=max(1, deadline - time.time())))

    def navigate(self, url):
        self.events.clear()
        self.call("Page.navigate", {"url": url}, session=True)
        self.wait_event("Page.loadEventFired")

    def eval(self, expression):
        r = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=True)
        return r.get("result", {}).get("value")

    def requests(self):
        """URLs the page requested since the last navigation (document loads included)."""
        return [e["params"]["request"]["url"] for e in self.events if e.get("method") == "Network.requestWillBeSent"]

    def screenshot(self, name):
        data = self.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}, session=True)
        os.makedirs(shots, exist_ok=True)
        with open(os.path.join(shots, name), "wb") as f:
            f.write(base64.b64decode(data["data"]))

    def close(self):
        try:
            self.send("Browser.close")
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


PROBE = """JSON.stringify({
  hops: document.querySelectorAll('table.hops tbody tr.hop').length,
  verdict: (document.getElementById('verdict') || {}).textContent || '',
  pwned: typeof window.__pwned !== 'undefined',
  foreign: document.querySelectorAll('img, iframe, object, embed, svg [onload], [onerror], [onclick], a[href^="javascript"]').length,
  scripts: document.querySelectorAll('script').length,
  ours: document.documentElement.className.indexOf('js') >= 0
})"""


def probe(browser):
    return json.loads(browser.eval(PROBE))


def only_local(urls, allowed):
    return [u for u in urls if not any(u.startswith(a) for a in allowed)]


work = tempfile.mkdtemp(prefix="hopscope-browser-")
browser = Browser()
server = None
try:
    # 1. file:// pages of trace and audit.
    cases = [("demo-o365-relay.eml", 5, "TRAVERSED"), ("gmail-show-original.txt", 2, "NOT APPLICABLE"),
             ("html-hostile-headers.eml", 2, "NOT APPLICABLE")]
    for name, hops, verdict in cases:
        page = os.path.join(work, name + ".html")
        with open(page, "wb") as f:
            f.write(subprocess.run([hopscope, "trace", "--format", "html", os.path.join(corpus, name)],
                                   capture_output=True, check=True).stdout)
        browser.navigate("file://" + page)
        p = probe(browser)
        expect(p["hops"] == hops, f"{name}: {p['hops']} hop rows (want {hops})")
        expect(verdict in p["verdict"], f"{name}: verdict says '{verdict}': {p['verdict'][:60]!r}")
        expect(not p["pwned"] and p["foreign"] == 0, f"{name}: no script or element of the headers' making")
        expect(p["scripts"] == 2 and p["ours"], f"{name}: only the page's own script ran")
        outside = only_local(browser.requests(), ["file://"])
        expect(not outside, f"{name}: no request ({outside[:3]})")
        browser.screenshot(name + ".png")
        # The raw headers read (and copy) with their line breaks; the footer
        # names the file, not where it sits on this machine.
        raw_text = browser.eval("(document.querySelector('details pre') || {}).textContent || ''")
        expect("\n" in raw_text and "\\x0A" not in raw_text, f"{name}: raw headers keep real line breaks")
        footer = browser.eval("document.querySelector('footer').textContent")
        expect(name in footer and work not in footer and corpus not in footer,
               f"{name}: the footer names the file only: {footer[:80]!r}")
        # On a phone: nothing wider than the screen, hop cells stacked.
        browser.call("Emulation.setDeviceMetricsOverride",
                     {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}, session=True)
        browser.navigate("file://" + page)
        wide = browser.eval("document.documentElement.scrollWidth")
        expect(wide is not None and wide <= 390, f"{name}: fits a phone's 390 px ({wide} px wide)")
        browser.screenshot(name + "-phone.png")
        browser.call("Emulation.clearDeviceMetricsOverride", {}, session=True)
    mailboxes = [os.path.join(corpus)]
    audit_page = os.path.join(work, "audit.html")
    with open(audit_page, "wb") as f:
        f.write(subprocess.run([hopscope, "audit", "-q", "--format", "html", *mailboxes], capture_output=True).stdout)
    browser.navigate("file://" + audit_page)
    counts = browser.eval("document.querySelectorAll('#bypassed + .table tbody tr').length")
    verdict = browser.eval("document.getElementById('verdict').textContent")
    expect(counts and counts > 0, f"audit page lists the messages that bypassed the relay ({counts})")
    expect("traversed the relay" in (verdict or ""), f"audit page verdict: {verdict!r}")
    expect(not probe(browser)["pwned"], "audit page: no script of the headers' making")
    expect(not only_local(browser.requests(), ["file://"]), "audit page: no request")
    browser.screenshot("audit.png")

    # 2. The paste page through hopscope serve, filled in as a user would.
    server = subprocess.Popen([hopscope, "serve", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    url = server.stdout.readline().strip()
    expect(url.startswith("http://127.0.0.1:"), f"serve listens on 127.0.0.1 ({url})")
    for name, hops, verdict in [("demo-o365-relay.eml", 5, "TRAVERSED"), ("html-hostile-headers.eml", 2, "NOT APPLICABLE")]:
        browser.navigate(url)
        text = open(os.path.join(corpus, name), encoding="utf-8", errors="replace").read()
        browser.eval("document.getElementById('headers').value = " + json.dumps(text) + "; "
                     "document.getElementById('analyse').click(); true")
        browser.wait_event("Page.loadEventFired")
        p = probe(browser)
        expect(p["hops"] == hops, f"serve {name}: {p['hops']} hop rows (want {hops})")
        expect(verdict in p["verdict"], f"serve {name}: verdict {p['verdict'][:60]!r}")
        expect(not p["pwned"] and p["foreign"] == 0, f"serve {name}: no script or element of the headers' making")
        sent = browser.requests()
        outside = only_local(sent, [url.rstrip("/")])
        expect(any(u.endswith("/report") for u in sent) and not outside,
               f"serve {name}: the form posted to 127.0.0.1, and nothing went elsewhere ({outside[:3]})")
        expect(browser.eval("!document.getElementById('download-json').hidden") is True,
               f"serve {name}: the JSON download is offered")
        # As a browser keeps a textarea's text: line breaks as LF, NUL as U+FFFD.
        kept = browser.eval("document.getElementById('headers').value")
        want = text.replace("\r\n", "\n").replace("\r", "\n").replace("\0", "\ufffd")
        expect(kept == want, f"serve {name}: the textarea keeps what was pasted")
        if name == "demo-o365-relay.eml":
            expect(browser.eval("document.title") == "Scanned document from MFP-3F (2 pages)",
                   f"serve {name}: the page's title is the subject ({browser.eval('document.title')!r})")
            # The relay question on the page: the same paste, another relay named.
            browser.eval("document.getElementById('relay').value = 'relay9.contoso.com'; "
                         "document.getElementById('analyse').click(); true")
            browser.wait_event("Page.loadEventFired")
            p = probe(browser)
            expect("NOT TRAVERSED" in p["verdict"] and not p["pwned"],
                   f"serve {name}: 'my relay' answers the relay question ({p['verdict'][:60]!r})")
        raw_text = browser.eval("(document.querySelector('details pre') || {}).textContent || ''")
        expect("\n" in raw_text and "\\x0A" not in raw_text, f"serve {name}: raw headers keep real line breaks")
        browser.screenshot("serve-" + name + ".png")

    # 3. serve's refusals, and it lives on.
    port = int(url.rsplit(":", 1)[1].strip("/"))

    def raw(request, body=b""):
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(request + body)
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        return data.split(b"\r\n", 1)[0].decode(errors="replace")

    expect(" 421 " in raw(b"GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n"), "serve refuses a foreign Host (421)")
    expect(" 403 " in raw(b"POST /report HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nOrigin: http://evil.example\r\n"
                          b"Content-Length: 0\r\n\r\n" % port), "serve refuses a foreign Origin (403)")
    expect(" 413 " in raw(b"POST /report HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Length: %d\r\n\r\n"
                          % (port, 40 << 20), b"x" * (1 << 20)), "serve refuses a body over 32 MB (413)")
    expect(" 400 " in raw(b"GARBAGE\r\n\r\n"), "serve answers a malformed request with 400")
    with urllib.request.urlopen(url, timeout=10) as r:
        expect(r.status == 200 and "Content-Security-Policy" in r.headers, "serve still answers, with its CSP")
    server.send_signal(2)  # Ctrl-C
    try:
        code = server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        code = None
        server.kill()
    expect(code == 0, f"Ctrl-C stops serve cleanly (exit {code})")
    server = None
finally:
    browser.close()
    if server is not None:
        server.kill()
    shutil.rmtree(work, ignore_errors=True)

print(f"screenshots in {shots}")
sys.exit(1 if failures else 0)
