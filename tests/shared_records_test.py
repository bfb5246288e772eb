#!/usr/bin/env python3
"""The audit records of all shared mail stay the same.

Audits ../shared/corpus-ext as a whole (`audit --jobs 1 --format jsonl`: the
single messages, the mailboxes, the bounces, the Outlook .msg, .pst and .ost
files and whatever else audit reads there) from ../shared, so every source
path is the same relative path on every machine, and compares one digest per
record (its source, then the sha256 of its line) and the exit status with the
list in tests/data/shared-records.sha256. A change to any record fails here,
naming the record. HOPSCOPE_UPDATE_SHARED_RECORDS=1 rewrites the list: review
which records changed and why before committing it. Exit 77 (skipped)
without ../shared.
"""
import hashlib
import json
import os
import subprocess
import sys
import tempfile

hopscope = os.environ["HOPSCOPE"]
top = os.environ["TOP"]
shared = os.environ.get("SHARED", "")
listing = os.path.join(top, "tests", "data", "shared-records.sha256")
if not os.path.isdir(os.path.join(shared, "corpus-ext")):
    print(f"note: {shared}/corpus-ext not present; skipped")
    sys.exit(77)

# No user config file, a fixed zone: the records depend on the mail alone.
home = tempfile.mkdtemp(prefix="hopscope-shared-records-")
env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=home, TZ="UTC", LC_ALL="C")
out = subprocess.run([hopscope, "audit", "-q", "--jobs", "1", "--format", "jsonl", "corpus-ext"],
                     cwd=shared, env=env, capture_output=True, check=False)
os.rmdir(home)

lines = [f"exit {out.returncode}"]
seen = set()
for line in out.stdout.splitlines():
    source = json.loads(line)["source"]
    key = source["path"]
    if source.get("offset") is not None:
        key += f"@{source['offset']}"
    if source.get("index"):
        key += f"#{source['index']}"
    while key in seen:
        key += "+"
    seen.add(key)
    lines.append(f"{hashlib.sha256(line).hexdigest()}  {key}")

if os.environ.get("HOPSCOPE_UPDATE_SHARED_RECORDS") == "1":
    with open(listing, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {len(lines) - 1} record digests to {listing}")
    sys.exit(0)

want = open(listing, encoding="utf-8").read().splitlines()
if lines == want:
    print(f"{len(lines) - 1} records as listed")
    sys.exit(0)

got_by_key = {l.split("  ", 1)[-1]: l for l in lines}
want_by_key = {l.split("  ", 1)[-1]: l for l in want}
problems = []
if lines[0] != want[0]:
    problems.append(f"{lines[0]}, want {want[0]}")
for key, digest in want_by_key.items():
    if key not in got_by_key:
        problems.append(f"missing record: {key}")
    elif got_by_key[key] != digest:
        problems.append(f"changed record: {key}")
for key in got_by_key:
    if key not in want_by_key:
        problems.append(f"new record: {key}")
if not problems:
    problems.append("the records come in another order")
for p in problems[:40]:
    print("FAIL " + p)
if len(problems) > 40:
    print(f"... and {len(problems) - 40} more")
print(f"{len(problems)} difference(s) from {listing}")
sys.exit(1)
