#!/usr/bin/env python3
"""The hop table on a real terminal: hopscope runs under a pseudo-terminal
(util-linux `script`) set to 80, 100 and 200 columns, as a user's terminal
would be, not only with $COLUMNS. At 100 and 200 columns every table line
fits; at 80 the table is as narrow as it goes without cutting an address
(IPv6 addresses and readable names take more than 80 there) and no wider
than at 100; at 200 the demo message is not cut at all. Every address is
whole at every width, and through a pipe nothing is cut."""
import json
import os
import shlex
import subprocess
import sys
import unicodedata

hopscope = os.environ["HOPSCOPE"]
corpus = os.environ["CORPUS"]
samples = ["demo-o365-relay.eml", "o365-relay-helo-literal.eml", "gateway-inbound-proofpoint.eml",
           "list-to-recipient.eml", "exo-outbound-gateway-hybrid.eml", "clock-skew-relay.eml"]
failures = []


def width(line):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1 for c in line)


def table(text):
    """The table's lines: from the head line to the first blank line."""
    lines = text.replace("\r", "").split("\n")
    start = next(i for i, l in enumerate(lines) if l.startswith("#  Time"))
    out = []
    for l in lines[start:]:
        if not l.strip():
            break
        out.append(l)
    return out


def on_terminal(cols, path, env_columns=None):
    cmd = f"stty cols {cols} rows 60; exec {shlex.quote(hopscope)} --color never {shlex.quote(path)}"
    env = dict(os.environ)
    env.pop("COLUMNS", None)
    if env_columns:
        env["COLUMNS"] = str(env_columns)  # a terminal's own width wins over $COLUMNS
    out = subprocess.run(["script", "-qec", cmd, "/dev/null"], capture_output=True, env=env, timeout=60)
    return out.stdout.decode("utf-8")


def addresses(path):
    trace = json.loads(subprocess.run([hopscope, "--format", "json", path], capture_output=True, check=True).stdout)
    return [h["from"]["ip"] for h in trace["hops"] if h["from"]["ip"]]


for name in samples:
    path = os.path.join(corpus, name)
    ips = addresses(path)
    piped = table(subprocess.run([hopscope, path], capture_output=True, check=True).stdout.decode())
    if any("\u2026" in l for l in piped):
        failures.append(f"{name}: cut through a pipe")
    natural = max(width(l) for l in piped)
    widest = {}
    for cols in (80, 100, 200):
        rows = table(on_terminal(cols, path, env_columns=300 if cols == 100 else None))
        widest[cols] = max(width(l) for l in rows)
        text = "\n".join(rows)
        for ip in ips:
            if ip not in text:
                failures.append(f"{name} at {cols}: address {ip} cut")
        if cols in (100, 200) and widest[cols] > cols:
            failures.append(f"{name} at {cols}: a table line is {widest[cols]} columns")
        if cols >= natural and any("\u2026" in l for l in rows):
            failures.append(f"{name} at {cols}: cut though {natural} columns would do")
    if widest[80] > widest[100]:
        failures.append(f"{name}: wider at 80 columns ({widest[80]}) than at 100 ({widest[100]})")
    print(f"{name}: natural {natural}, at 80/100/200: {widest[80]}/{widest[100]}/{widest[200]}")

demo = table(on_terminal(200, os.path.join(corpus, "demo-o365-relay.eml")))
if any("\u2026" in l for l in demo):
    failures.append("demo at 200 columns: something was cut")

for f in failures:
    print("FAIL", f)
sys.exit(1 if failures else 0)
