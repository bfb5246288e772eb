#!/usr/bin/env python3
"""The JSON Schemas (analyzer/schema/, draft 2020-12) describe what hopscope
writes: every golden corpus trace, `trace --format json` of every corpus
input, an audit of corpus/ and, when ../shared exists, an audit of every
shared mailbox (whole, and with --range) and of corpus-ext's single
messages validate. The schemas are strict (no unknown members), so a member
added or renamed without the schema fails here. Uses Debian's python3-jsonschema."""
import glob
import json
import os
import subprocess
import sys

from jsonschema import Draft202012Validator

hopscope = os.environ["HOPSCOPE"]
top = os.environ["TOP"]
shared = os.environ.get("SHARED", "")
corpus = os.path.join(top, "corpus")

def validator(name):
    schema = json.load(open(os.path.join(top, "analyzer", "schema", name), encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)

trace = validator("trace.schema.json")
record = validator("audit-record.schema.json")
summary = validator("audit-summary.schema.json")
failures = []
checked = {"golden": 0, "trace": 0, "records": 0, "summaries": 0}

def check(v, obj, where):
    errors = sorted(v.iter_errors(obj), key=lambda e: list(e.absolute_path))
    for e in errors[:3]:
        failures.append(f"{where}: {'/'.join(map(str, e.absolute_path))}: {e.message[:200]}")

for path in sorted(glob.glob(os.path.join(corpus, "*.json"))):
    check(trace, json.load(open(path, encoding="utf-8")), os.path.basename(path))
    checked["golden"] += 1
for path in sorted(glob.glob(os.path.join(corpus, "*.eml")) + glob.glob(os.path.join(corpus, "*.txt"))):
    out = subprocess.run([hopscope, "trace", "--format", "json", path], capture_output=True)
    if out.returncode in (0, 1):
        check(trace, json.loads(out.stdout), os.path.basename(path))
        checked["trace"] += 1

def audit(paths, label, extra=()):
    out = subprocess.run([hopscope, "audit", "-q", "--format", "jsonl", *extra, *paths], capture_output=True)
    for n, line in enumerate(out.stdout.splitlines(), 1):
        check(record, json.loads(line), f"{label} record {n}")
        checked["records"] += 1
    # The summary of the same, from audit and from summarize over the records.
    whole = subprocess.run([hopscope, "audit", "-q", "--format", "json", *extra, *paths], capture_output=True)
    check(summary, json.loads(whole.stdout), f"{label} audit summary")
    again = subprocess.run([hopscope, "summarize", "--format", "json", "-"], input=out.stdout, capture_output=True)
    check(summary, json.loads(again.stdout), f"{label} summarize")
    checked["summaries"] += 2

audit([corpus], "corpus/")
ext = os.path.join(shared, "corpus-ext")
if os.path.isdir(ext):
    mailboxes = sorted(glob.glob(os.path.join(ext, "mailboxes", "*")))
    audit(mailboxes, "shared mailboxes")
    audit(mailboxes, "shared mailboxes past their first byte (--range: no index)", ("--range", "1:"))
    audit([os.path.join(ext, d) for d in ("general", "o365", "pasted", "bounces") if os.path.isdir(os.path.join(ext, d))],
          "corpus-ext messages")
else:
    print(f"note: {ext} not present; shared mailboxes skipped")

print(f"validated {checked['golden']} golden traces, {checked['trace']} trace outputs, {checked['records']} audit records, {checked['summaries']} summaries")
for f in failures[:40]:
    print("FAIL", f)
sys.exit(1 if failures else 0)
